import { z } from 'zod';
import { StopRule } from '../trading/stop-rules';
import { MAX_SPLIT_PARTS } from '../trading/split-volume';
import { Side } from '../trading/symbol-spec';
import { OrderFailure, OrderSide, OrderSuccess, StopLevel, SymbolName, Ticket, Volume } from './orders';

/**
 * IPC for trade management (docs/trade-management.md): trailing stop and break-even rules per position, which run
 * in the app's main process while Pipdesk is open, and trades split into parts with their own take-profits.
 * Merged into `ipcChannels` / `ipcEvents` (ipc.ts) with a spread; handlers live in src-main/services/trade-rules.
 */

/** Where the rules run. Only `app` exists: the EA does not run them (docs/trade-management.md says why). */
export const RulesRunWhere = z.enum(['app']);
export type RulesRunWhere = z.infer<typeof RulesRunWhere>;

/** A position's trailing/break-even rule as main keeps it. */
export const TradeRuleView = z.object({
  ticket: Ticket,
  /** `login@server` of the account the position belongs to. */
  account: z.string(),
  symbol: SymbolName,
  side: Side,
  rule: StopRule,
  /** `armed` watches the market; `paused` stopped after repeated refusals until the trader saves it again. */
  status: z.enum(['armed', 'paused']),
  /** The last thing that happened, in plain words ("Trailed the SL to 1.10050"), or null. */
  note: z.string().nullable(),
  /** A level asked for and refused or not confirmed yet: the stop only moves beyond it. */
  lastTriedSl: z.number().nullable(),
  /** Stop changes done for this rule. */
  moves: z.number().int().nonnegative(),
  /** Refusals in a row (reset by a successful move). */
  refusals: z.number().int().nonnegative(),
  updatedAtMs: z.number().int().nonnegative(),
});
export type TradeRuleView = z.infer<typeof TradeRuleView>;

const rulesList = z.object({ rules: z.array(TradeRuleView), runsWhere: RulesRunWhere });

/** One part of a split trade: its share of the volume and its own take-profit. */
export const SplitPartInput = z.strictObject({
  percent: z.number().positive().max(100),
  tp: StopLevel,
});
export type SplitPartInput = z.infer<typeof SplitPartInput>;

/** Open one trade as 2–10 market orders, one per part, sharing the SL, each with its own TP. */
export const OpenSplitOrder = z.strictObject({
  symbol: SymbolName,
  side: OrderSide,
  /** The whole trade's volume; the parts are rounded down to the volume step (never more than this in total). */
  volume: Volume,
  sl: StopLevel.optional(),
  parts: z.array(SplitPartInput).min(2).max(MAX_SPLIT_PARTS),
  deviation: z.number().int().min(0).max(100_000).optional(),
  /** Per user action; part `i` is sent with `<requestKey>:<i>` so a repeated click opens nothing twice. */
  requestKey: z.string().min(1).max(48).optional(),
});
export type OpenSplitOrder = z.infer<typeof OpenSplitOrder>;

/** What happened to one part. */
export const SplitPartResult = z.object({
  /** 1-based. */
  part: z.number().int().positive(),
  percent: z.number(),
  volume: z.number(),
  tp: StopLevel,
  /** `opened`; `refused` (definitely not opened); `unknown` (may have opened, being reconciled); `not_sent`. */
  status: z.enum(['opened', 'refused', 'unknown', 'not_sent']),
  success: OrderSuccess.optional(),
  failure: OrderFailure.optional(),
});
export type SplitPartResult = z.infer<typeof SplitPartResult>;

/** The answer of `orders:open-split`: every part's fate and one sentence for the trader. */
export const SplitOrderResult = z.object({
  isComplete: z.boolean(),
  message: z.string(),
  parts: z.array(SplitPartResult),
});
export type SplitOrderResult = z.infer<typeof SplitOrderResult>;

export const tradeRulesIpcChannels = {
  /** The rules main keeps (every account's), and where they run. */
  'stops:list-rules': { request: z.strictObject({}), response: rulesList },
  /** Sets (or replaces and re-arms) the rule of an open position of the active account. */
  'stops:set-rule': {
    request: z.strictObject({ ticket: Ticket, rule: StopRule }),
    response: TradeRuleView,
  },
  /** Removes a position's rule; the stop stays where it is. */
  'stops:remove-rule': { request: z.strictObject({ ticket: Ticket }), response: rulesList },
  /** A trade split into parts with their own take-profits; each part is its own journalled order. */
  'orders:open-split': { request: OpenSplitOrder, response: SplitOrderResult },
} as const;

export const tradeRulesIpcEvents = {
  /** The full list after any change (set, removed, moved, refused, dropped with its position). */
  'stops:rules-changed': rulesList,
} as const;
