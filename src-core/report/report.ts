import { roundMoney } from '../trading/numbers';

/** One closed trade (or one partial close) of a session, net of swap and commission. */
export interface ClosedTrade {
  readonly positionId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly volume: number;
  readonly openTimeMs: number;
  readonly closeTimeMs: number;
  readonly openPrice: number;
  readonly closePrice: number;
  /** Profit + swap + commission (both sides), in the account currency. */
  readonly netProfit: number;
  /** Money at risk to the stop the trade opened with, for this volume; null when it opened without one. */
  readonly initialRisk: number | null;
}

/**
 * The account's equity (a backtest: sampled at every bar close) or balance (an account's report: after each
 * close) at a moment of the session.
 */
export interface EquityPoint {
  readonly timeMs: number;
  readonly equity: number;
  /**
   * A deposit (+) or withdrawal (−) that moved the curve to this point. It moves the peak by the same amount, so
   * money paid in or out is neither a gain nor a drawdown (docs/backtest.md, "The report").
   */
  readonly cash?: number;
}

/** What an account over a period, a practice session or a backtest achieved (docs/backtest.md, "The report"). */
export interface SessionReport {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** Wins / trades (0..1); null without trades. */
  readonly winRate: number | null;
  readonly grossProfit: number;
  /** The sum of losing trades, as a negative number (or 0). */
  readonly grossLoss: number;
  readonly netProfit: number;
  /** Gross profit / |gross loss|; null without losses (undefined ratio, shown as "—"). */
  readonly profitFactor: number | null;
  /** Mean net profit per trade; null without trades. */
  readonly expectancy: number | null;
  /** Mean of net profit / initial risk over trades that opened with a stop; null when none did. */
  readonly averageR: number | null;
  /** Largest fall of equity from a previous peak, money and percent of that peak. */
  readonly maxDrawdown: number;
  readonly maxDrawdownPercent: number;
  readonly startBalance: number;
  readonly endEquity: number;
}

/**
 * Summarises a session. A trade that nets exactly 0 counts as neither win nor loss (MT5's report does the same);
 * the drawdown is measured on the equity points given, starting from the starting balance.
 */
export function sessionReport(input: {
  readonly trades: readonly ClosedTrade[];
  readonly equity: readonly EquityPoint[];
  readonly startBalance: number;
  readonly currencyDigits?: number;
}): SessionReport {
  const digits = input.currencyDigits ?? 2;
  const money = (x: number): number => roundMoney(x, digits);
  let grossProfit = 0;
  let grossLoss = 0;
  let wins = 0;
  let losses = 0;
  let rSum = 0;
  let rCount = 0;
  for (const t of input.trades) {
    if (t.netProfit > 0) {
      wins += 1;
      grossProfit += t.netProfit;
    } else if (t.netProfit < 0) {
      losses += 1;
      grossLoss += t.netProfit;
    }
    if (t.initialRisk !== null && t.initialRisk > 0) {
      rSum += t.netProfit / t.initialRisk;
      rCount += 1;
    }
  }
  const n = input.trades.length;
  let peak = input.startBalance;
  let maxDrawdown = 0;
  let maxDrawdownPercent = 0;
  for (const p of input.equity) {
    peak += p.cash ?? 0;
    if (p.equity > peak) peak = p.equity;
    const fall = peak - p.equity;
    if (fall > maxDrawdown) maxDrawdown = fall;
    if (peak > 0 && (fall / peak) * 100 > maxDrawdownPercent) maxDrawdownPercent = (fall / peak) * 100;
  }
  const net = grossProfit + grossLoss;
  return {
    trades: n,
    wins,
    losses,
    winRate: n === 0 ? null : wins / n,
    grossProfit: money(grossProfit),
    grossLoss: money(grossLoss),
    netProfit: money(net),
    profitFactor: grossLoss === 0 ? null : grossProfit / -grossLoss,
    expectancy: n === 0 ? null : net / n,
    averageR: rCount === 0 ? null : rSum / rCount,
    maxDrawdown: money(maxDrawdown),
    maxDrawdownPercent: Math.round(maxDrawdownPercent * 100) / 100,
    startBalance: input.startBalance,
    endEquity: input.equity.at(-1)?.equity ?? input.startBalance,
  };
}

/**
 * At most `max` points of an equity curve for a chart, keeping the first, the last, and each bucket's lowest and
 * highest point so that no drawdown disappears from the picture.
 */
export function downsampleEquity(points: readonly EquityPoint[], max: number): EquityPoint[] {
  if (points.length <= max || max < 4) return [...points];
  const buckets = Math.floor((max - 2) / 2);
  const size = (points.length - 2) / buckets;
  const out: EquityPoint[] = [points[0] as EquityPoint];
  for (let b = 0; b < buckets; b += 1) {
    const from = 1 + Math.floor(b * size);
    const to = Math.min(points.length - 1, 1 + Math.floor((b + 1) * size));
    let low: EquityPoint | undefined;
    let high: EquityPoint | undefined;
    for (let i = from; i < to; i += 1) {
      const p = points[i] as EquityPoint;
      if (low === undefined || p.equity < low.equity) low = p;
      if (high === undefined || p.equity > high.equity) high = p;
    }
    if (low !== undefined && high !== undefined) {
      out.push(...(low.timeMs <= high.timeMs ? [low, high] : [high, low]));
    }
  }
  out.push(points[points.length - 1] as EquityPoint);
  return out;
}
