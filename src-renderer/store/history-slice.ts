import type { StateCreator } from 'zustand/vanilla';
import type { Deal } from '../../src-core/history/deal';
import type { AppState } from './app-store';

/**
 * The active terminal's deals the renderer has loaded (docs/ui.md, "History, P/L and notifications"): the
 * History tab, the day's realised P/L and the journal's terminal closes all read this one set.
 */
export interface HistorySlice {
  /** By ticket, so a deal loaded twice (a range query and a live announcement) counts once. */
  readonly deals: Readonly<Record<string, Deal>>;
  /** The terminal these deals belong to; another one clears them. */
  readonly dealsSessionId: string | null;
  /** The earliest server-clock time loaded so far (everything after it is known); null before any load. */
  readonly dealsFromMs: number | null;
  readonly isHistoryLoading: boolean;
  /** True when the terminal had more deals than one answer carries (the oldest were left out). */
  readonly isHistoryTruncated: boolean;
  /** The exit deal the History tab should scroll to and mark (a link from the journal), or null. */
  readonly historyFocus: string | null;
  readonly addDeals: (deals: readonly Deal[]) => void;
  readonly resetDeals: (sessionId: string | null) => void;
  readonly setDealsLoaded: (fromMs: number, isTruncated: boolean) => void;
  readonly setHistoryLoading: (isLoading: boolean) => void;
  readonly focusHistory: (dealTicket: string | null) => void;
}

export const createHistorySlice: StateCreator<AppState, [], [], HistorySlice> = (set) => ({
  deals: {},
  dealsSessionId: null,
  dealsFromMs: null,
  isHistoryLoading: false,
  isHistoryTruncated: false,
  historyFocus: null,
  addDeals: (incoming) => {
    if (incoming.length === 0) return;
    set((s) => {
      const deals = { ...s.deals };
      for (const d of incoming) deals[d.ticket] = d;
      return { deals };
    });
  },
  resetDeals: (dealsSessionId) => {
    set({ deals: {}, dealsSessionId, dealsFromMs: null, isHistoryTruncated: false, historyFocus: null });
  },
  setDealsLoaded: (fromMs, isTruncated) => {
    set((s) => ({
      dealsFromMs: s.dealsFromMs === null ? fromMs : Math.min(s.dealsFromMs, fromMs),
      isHistoryTruncated: s.isHistoryTruncated || isTruncated,
    }));
  },
  setHistoryLoading: (isHistoryLoading) => {
    set({ isHistoryLoading });
  },
  focusHistory: (historyFocus) => {
    set({ historyFocus });
  },
});
