import { z } from 'zod';

/**
 * A deal from the terminal's history, as the app passes it on (docs/ui.md, "History, P/L and notifications").
 * MT5 sends its enums as integers; main names them once (src-main/services/history) so nothing downstream
 * compares magic numbers. Times are on the trade server's clock (docs/clock-model.md).
 */

/** ENUM_DEAL_TYPE, the kinds a retail account produces; anything else is `other`. */
export const DealKind = z.enum(['buy', 'sell', 'balance', 'credit', 'charge', 'correction', 'other']);
export type DealKind = z.infer<typeof DealKind>;

/** ENUM_DEAL_ENTRY: IN opens or adds, OUT reduces or closes, INOUT reverses (netting), OUT_BY closes by opposite. */
export const DealEntry = z.enum(['in', 'out', 'inout', 'out_by']);
export type DealEntry = z.infer<typeof DealEntry>;

/**
 * ENUM_DEAL_REASON: who or what made the deal. `sl`, `tp` and `so` (stop-out) are closes the trade server made
 * by itself; Pipdesk's own orders go through the EA and read `expert`.
 */
export const DealReason = z.enum([
  'client',
  'mobile',
  'web',
  'expert',
  'sl',
  'tp',
  'so',
  'rollover',
  'vmargin',
  'split',
  'other',
]);
export type DealReason = z.infer<typeof DealReason>;

/** One deal. Tickets and position ids are strings (64-bit in MT5). Money is in the account currency. */
export const Deal = z.object({
  ticket: z.string().min(1).max(24),
  order: z.string().max(24),
  /** POSITION_IDENTIFIER of the position the deal opened, changed or closed ("0" for balance deals). */
  positionId: z.string().max(24),
  symbol: z.string().max(64),
  kind: DealKind,
  entry: DealEntry,
  reason: DealReason,
  volume: z.number().nonnegative().max(1e9),
  price: z.number().nonnegative().max(1e12),
  profit: z.number().min(-1e15).max(1e15),
  swap: z.number().min(-1e15).max(1e15),
  commission: z.number().min(-1e15).max(1e15),
  magic: z.string().max(24),
  comment: z.string().max(64),
  /** DEAL_TIME_MSC: milliseconds on the trade server's clock. */
  timeMs: z.number().int().nonnegative(),
});
export type Deal = z.infer<typeof Deal>;

const KINDS: readonly DealKind[] = ['buy', 'sell', 'balance', 'credit', 'charge', 'correction'];
const ENTRIES: readonly DealEntry[] = ['in', 'out', 'inout', 'out_by'];
const REASONS: readonly DealReason[] = [
  'client',
  'mobile',
  'web',
  'expert',
  'sl',
  'tp',
  'so',
  'rollover',
  'vmargin',
  'split',
];

/** ENUM_DEAL_TYPE integer → kind (MT5 lists more types than a retail account sees; those read `other`). */
export function dealKindOf(value: number): DealKind {
  return KINDS[value] ?? 'other';
}

/** ENUM_DEAL_ENTRY integer → entry; an unknown value reads as `in` would be wrong, so it is null (skipped). */
export function dealEntryOf(value: number): DealEntry | null {
  return ENTRIES[value] ?? null;
}

/** ENUM_DEAL_REASON integer → reason. */
export function dealReasonOf(value: number): DealReason {
  return REASONS[value] ?? 'other';
}

/** Whether the trade server closed (part of) a position by itself: stop loss, take profit or stop-out. */
export function isTerminalClose(deal: Pick<Deal, 'entry' | 'reason'>): boolean {
  return deal.entry !== 'in' && (deal.reason === 'sl' || deal.reason === 'tp' || deal.reason === 'so');
}
