import type { StateCreator } from 'zustand/vanilla';
import type { TradeRuleView } from '../../src-core/contracts/ipc-trade-rules';
import type { AppState } from './app-store';

/** Trailing/break-even rules as main keeps them (docs/trade-management.md), by `account\nticket`. */
export interface StopRulesSlice {
  readonly stopRules: Readonly<Record<string, TradeRuleView>>;
  readonly setStopRules: (rules: readonly TradeRuleView[]) => void;
}

/** The key of a position's rule in {@link StopRulesSlice.stopRules}. */
export const stopRuleKey = (account: string, ticket: string): string => `${account}\n${ticket}`;

export const createStopRulesSlice: StateCreator<AppState, [], [], StopRulesSlice> = (set) => ({
  stopRules: {},
  setStopRules: (rules) => {
    set({ stopRules: Object.fromEntries(rules.map((r) => [stopRuleKey(r.account, r.ticket), r])) });
  },
});
