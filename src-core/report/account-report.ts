import { closedTrades } from '../history/closed-trades';
import type { Deal } from '../history/deal';
import { roundMoney } from '../trading/numbers';
import { sessionReport, type ClosedTrade, type EquityPoint, type SessionReport } from './report';
import { reportTradeOf } from './report-trade';

/** What {@link accountReport} reads. Times are on the trade server's clock, as deal times are. */
export interface AccountReportInput {
  /**
   * The account's deals from before the period (so a trade closed in it finds its opening deal) up to now: every
   * deal from `fromMs` on must be here, since the balance at the start is worked back from the balance now.
   */
  readonly deals: readonly Deal[];
  /** Start of the period, inclusive. */
  readonly fromMs: number;
  /** End of the period, inclusive; null = up to now. */
  readonly toMs: number | null;
  /** The account's balance now (after every deal given). */
  readonly balanceNow: number;
  /** Money at risk per lot to the stop each position opened with, by position id (see initial-risk.ts). */
  readonly riskPerLot?: ReadonlyMap<string, number>;
  readonly currencyDigits?: number;
}

/** An account's report over a period: the figures, the trades and the balance curve they come from. */
export interface AccountReport {
  readonly report: SessionReport;
  /** Closed trades (one per close, partial closes included) whose close is in the period, oldest first. */
  readonly trades: readonly ClosedTrade[];
  /** The balance at the start, then after each close and each deposit or withdrawal in the period. */
  readonly equity: readonly EquityPoint[];
  /** Deposits minus withdrawals (and credit) in the period: in the curve, not in any figure. */
  readonly cashMoves: number;
}

const isTrade = (d: Deal): boolean => d.kind === 'buy' || d.kind === 'sell';
const moneyOf = (d: Deal): number => d.profit + d.swap + d.commission;

/**
 * The report of a live, paper or demo account over a period, from the terminal's deals (docs/backtest.md, "The
 * report"). Unlike a backtest, which samples equity at every bar close (floating profit included), an account's
 * curve is its balance as the report's trades make it: the balance at the start, plus each close's net (its share
 * of the entry commission included, as the History tab counts it) at the close's time. Open positions are not in
 * it; deposits and withdrawals step the curve but are neither gain nor drawdown.
 */
export function accountReport(input: AccountReportInput): AccountReport {
  const digits = input.currencyDigits ?? 2;
  const inPeriod = (timeMs: number): boolean =>
    timeMs >= input.fromMs && (input.toMs === null || timeMs <= input.toMs);
  // The balance at the start: what it is now, less every deal since (trades and cash alike).
  let since = 0;
  for (const d of input.deals) if (d.timeMs >= input.fromMs) since += moneyOf(d);
  const startBalance = roundMoney(input.balanceNow - since, digits);

  const risk = input.riskPerLot ?? new Map<string, number>();
  const trades = closedTrades(input.deals, digits)
    .filter((t) => inPeriod(t.closeTimeMs))
    .map((t) => reportTradeOf(t, risk));
  const cash = input.deals
    .filter((d) => !isTrade(d) && inPeriod(d.timeMs) && moneyOf(d) !== 0)
    .map((d) => ({ timeMs: d.timeMs, amount: moneyOf(d) }));

  // Closes and cash moves in time order; a cash move first when both share a millisecond.
  const events = [
    ...cash.map((c) => ({ timeMs: c.timeMs, order: 0, amount: c.amount, isCash: true })),
    ...trades.map((t) => ({ timeMs: t.closeTimeMs, order: 1, amount: t.netProfit, isCash: false })),
  ].sort((a, b) => a.timeMs - b.timeMs || a.order - b.order);
  const equity: EquityPoint[] = [{ timeMs: input.fromMs, equity: startBalance }];
  let balance = startBalance;
  for (const e of events) {
    balance = roundMoney(balance + e.amount, digits);
    equity.push(
      e.isCash
        ? { timeMs: e.timeMs, equity: balance, cash: e.amount }
        : { timeMs: e.timeMs, equity: balance },
    );
  }
  const cashMoves = roundMoney(
    cash.reduce((sum, c) => sum + c.amount, 0),
    digits,
  );
  return {
    report: sessionReport({ trades, equity, startBalance, currencyDigits: digits }),
    trades,
    equity,
    cashMoves,
  };
}
