import { roundMoney } from '../trading/numbers';
import {
  formatWallDate,
  serverToUtcMs,
  utcToServerMs,
  wallTimeAt,
  type ClockZone,
} from '../time/clock-model';
import type { ClosedTrade } from './closed-trades';

/** Sums of a set of closed trades, in the account currency. */
export interface TradeTotals {
  readonly trades: number;
  readonly volume: number;
  readonly commission: number;
  readonly swap: number;
  readonly profit: number;
  /** profit + swap + commission. */
  readonly net: number;
}

/** Totals of one day or week. `key` is the first day of the period, `YYYY-MM-DD`, on the clock asked for. */
export interface PeriodTotals extends TradeTotals {
  readonly key: string;
}

/** What a trade list is filtered by (the History tab's filter). Times are UTC instants; both ends inclusive. */
export interface TradeFilter {
  readonly symbol?: string | undefined;
  readonly fromUtcMs?: number | undefined;
  readonly toUtcMs?: number | undefined;
}

const EMPTY: TradeTotals = { trades: 0, volume: 0, commission: 0, swap: 0, profit: 0, net: 0 };

/** Adds up trades; each sum is rounded to the currency's decimals once, at the end. */
export function sumTrades(trades: readonly ClosedTrade[], currencyDigits = 2): TradeTotals {
  if (trades.length === 0) return EMPTY;
  let volume = 0;
  let commission = 0;
  let swap = 0;
  let profit = 0;
  let net = 0;
  for (const t of trades) {
    volume += t.volume;
    commission += t.commission;
    swap += t.swap;
    profit += t.profit;
    net += t.net;
  }
  return {
    trades: trades.length,
    volume: Math.round(volume * 1e8) / 1e8,
    commission: roundMoney(commission, currencyDigits),
    swap: roundMoney(swap, currencyDigits),
    profit: roundMoney(profit, currencyDigits),
    net: roundMoney(net, currencyDigits),
  };
}

/** The trades a filter keeps. Close times are server-clock ms, turned into instants with `offsetSec`. */
export function filterTrades(
  trades: readonly ClosedTrade[],
  filter: TradeFilter,
  offsetSec: number,
): ClosedTrade[] {
  return trades.filter((t) => {
    if (filter.symbol !== undefined && filter.symbol !== '' && t.symbol !== filter.symbol) return false;
    const at = serverToUtcMs(t.closeTimeMs, offsetSec);
    if (filter.fromUtcMs !== undefined && at < filter.fromUtcMs) return false;
    if (filter.toUtcMs !== undefined && at > filter.toUtcMs) return false;
    return true;
  });
}

const DAY_MS = 86_400_000;

/** The Monday (ISO week start) of a `YYYY-MM-DD` day, as `YYYY-MM-DD`. */
export function weekStartOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const days = Math.floor(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / DAY_MS);
  // 1970-01-01 was a Thursday: (days + 3) % 7 is 0 on Mondays.
  const monday = days - ((((days + 3) % 7) + 7) % 7);
  return new Date(monday * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Totals per day or per ISO week (Monday first) by close time, on the clock the trader chose (`zone`), newest
 * period first. `offsetSec` turns the deals' server-clock times into instants.
 */
export function totalsBy(
  period: 'day' | 'week',
  trades: readonly ClosedTrade[],
  zone: ClockZone,
  offsetSec: number,
  currencyDigits = 2,
): PeriodTotals[] {
  const groups = new Map<string, ClosedTrade[]>();
  for (const t of trades) {
    const day = formatWallDate(wallTimeAt(serverToUtcMs(t.closeTimeMs, offsetSec), zone));
    const key = period === 'day' ? day : weekStartOf(day);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [t]);
    else list.push(t);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([key, list]) => ({ key, ...sumTrades(list, currencyDigits) }));
}

/**
 * The realised P/L of the trade server's current day: the net of every close since midnight on the server's clock,
 * the day boundary MT5 and brokers use (daily swap, statements). `nowUtcMs` is now; `offsetSec` the server's
 * clock minus UTC.
 */
export function realisedToday(
  trades: readonly ClosedTrade[],
  nowUtcMs: number,
  offsetSec: number,
  currencyDigits = 2,
): number {
  const dayStart = Math.floor(utcToServerMs(nowUtcMs, offsetSec) / DAY_MS) * DAY_MS;
  let sum = 0;
  for (const t of trades) if (t.closeTimeMs >= dayStart && t.closeTimeMs < dayStart + DAY_MS) sum += t.net;
  return roundMoney(sum, currencyDigits);
}

/** Midnight of the trade server's current day, as server-clock ms (for asking the terminal for today's deals). */
export function serverDayStartMs(nowUtcMs: number, offsetSec: number): number {
  return Math.floor(utcToServerMs(nowUtcMs, offsetSec) / DAY_MS) * DAY_MS;
}
