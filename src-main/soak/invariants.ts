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
  /**
   * Heap used after a full GC in the app's thread (executor, journal, pipe server, the soak's own loop), bytes,
   * sampled at the end of each simulated day. This is what must stay flat.
   */
  readonly appHeapPerDay: readonly number[];
  /**
   * The same in the simulated terminal's thread. Reported, not judged: a terminal keeps every deal, order and bar
   * of its history, so its heap grows with the week as MT5's does.
   */
  readonly terminalHeapPerDay: readonly number[];
  /** Samples left out of the fit at the start (code being compiled, caches filling). */
  readonly warmUpDays: number;
  /** Largest growth of the app's heap tolerated after the warm-up, bytes per simulated day (least-squares slope). */
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

const kb = (bytes: number): string => `${(bytes / 1e3).toFixed(0)} KB`;

/**
 * Growth of the app's heap per simulated day: the least-squares slope of the samples after the warm-up. Undefined
 * when fewer than three samples remain (a shorter run does not judge memory).
 */
export function appHeapSlope(f: Pick<SoakFacts, 'appHeapPerDay' | 'warmUpDays'>): number | undefined {
  const judged = f.appHeapPerDay.slice(f.warmUpDays);
  return judged.length < 3 ? undefined : slope(judged);
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
  const growth = appHeapSlope(f);
  if (growth !== undefined && growth > f.heapSlopeLimit) {
    out.push(
      `the app's heap grows ${kb(growth)} a simulated day after the warm-up (limit ${kb(f.heapSlopeLimit)})`,
    );
  }
  return out;
}
