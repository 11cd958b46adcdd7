import { roundMoney } from '../../src-core/trading/numbers';
import { DEAL_ENTRY, DEAL_TYPE } from '../../src-bridge/protocol/enums';
import type { WireDeal } from '../../src-bridge/protocol/messages';

/** What the soak checks after its run (docs/testing.md, "Soak"). */
export interface SoakFacts {
  readonly initialBalance: number;
  readonly balance: number;
  readonly currencyDigits: number;
  /** Every deal of the account, the initial deposit included. */
  readonly deals: readonly WireDeal[];
  /** Journal entries in all, and those in a final state (done, rejected, failed). */
  readonly journalEntries: number;
  readonly journalFinal: number;
  /** Heap used after a full GC, bytes, sampled once per simulated day. */
  readonly heapPerDay: readonly number[];
  /** Largest heap growth tolerated, bytes per simulated day (least-squares slope). */
  readonly heapSlopeLimit: number;
}

/** Least-squares slope of `ys` over 0, 1, 2, …; 0 with fewer than two points. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

/** The soak's invariants, each violation in words; an empty list means the run held. */
export function soakViolations(f: SoakFacts): string[] {
  const out: string[] = [];
  const trades = f.deals.filter((d) => d.type === DEAL_TYPE.BUY || d.type === DEAL_TYPE.SELL);
  const booked = trades.reduce((sum, d) => sum + d.profit + d.commission + d.swap, 0);
  const expected = roundMoney(f.initialBalance + booked, f.currencyDigits);
  if (Math.abs(expected - f.balance) > 0.5 * 10 ** -f.currencyDigits) {
    out.push(
      `balance ${String(f.balance)} is not the initial ${String(f.initialBalance)} plus the deals (${String(expected)})`,
    );
  }
  if (f.journalFinal !== f.journalEntries) {
    out.push(
      `${String(f.journalEntries - f.journalFinal)} of ${String(f.journalEntries)} journal entries have no final state`,
    );
  }
  // A market order's entry deal carries its clOrdId as the comment: two entries for one clOrdId are a duplicate.
  const opened = new Map<string, number>();
  for (const d of trades) {
    if (d.entry !== DEAL_ENTRY.IN || d.comment === '') continue;
    opened.set(d.comment, (opened.get(d.comment) ?? 0) + 1);
  }
  for (const [clOrdId, count] of opened) {
    if (count > 1) out.push(`clOrdId ${clOrdId} opened ${String(count)} positions`);
  }
  const growth = slope(f.heapPerDay);
  if (growth > f.heapSlopeLimit) {
    out.push(
      `heap grows ${(growth / 1e6).toFixed(1)} MB a simulated day (limit ${(f.heapSlopeLimit / 1e6).toFixed(1)} MB)`,
    );
  }
  return out;
}
