import { createStore, type StoreApi } from 'zustand/vanilla';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createDraftsSlice, type DraftsSlice } from './drafts-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createJournalSlice, type JournalSlice } from './journal-slice';
import { createMarketSlice, type MarketSlice } from './market-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';
import { createStopRulesSlice, type StopRulesSlice } from './stop-rules-slice';
import { createTradingSlice, type TradingSlice } from './trading-slice';
import { createUiSlice, type UiSlice } from './ui-slice';

/** The whole renderer state: slices combined into one vanilla store (no React here; see store/use-app.ts). */
export type AppState = ConnectionSlice &
  MarketSlice &
  TradingSlice &
  JournalSlice &
  SettingsSlice &
  DraftsSlice &
  StopRulesSlice &
  HistorySlice &
  UiSlice;

export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createConnectionSlice(...a),
    ...createMarketSlice(...a),
    ...createTradingSlice(...a),
    ...createJournalSlice(...a),
    ...createSettingsSlice(...a),
    ...createDraftsSlice(...a),
    ...createStopRulesSlice(...a),
    ...createHistorySlice(...a),
    ...createUiSlice(...a),
  }));
}
