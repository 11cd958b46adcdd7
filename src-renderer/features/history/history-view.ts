import { closedTrades, tradePips, type ClosedTrade } from '../../../src-core/history/closed-trades';
import type { Deal } from '../../../src-core/history/deal';
import { pipSize } from '../../../src-core/trading/numbers';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import {
  parseWallTime,
  wallTimeAt,
  wallTimeToUtcMs,
  type ClockZone,
} from '../../../src-core/time/clock-model';

/** The History tab's period choices. */
export type HistoryPeriod = 'today' | 'week' | 'month' | 'quarter' | 'custom';

/** A period as UTC instants, start inclusive; `toUtcMs` null = until now and on. */
export interface PeriodRange {
  readonly fromUtcMs: number;
  readonly toUtcMs: number | null;
}

const DAY_MS = 86_400_000;

/**
 * The instants a period covers on the clock the trader chose (Settings → "Times in"): "today" starts at midnight
 * on that clock, "this week" on Monday, "this month" on the 1st, "3 months" 90 days before today's midnight.
 * Custom dates are whole days on that clock, both ends inclusive; null when a date is not one.
 */
export function periodRange(
  period: HistoryPeriod,
  nowUtcMs: number,
  zone: ClockZone,
  custom: { readonly from: string; readonly to: string },
): PeriodRange | null {
  const today = wallTimeAt(nowUtcMs, zone);
  const midnight = { ...today, hour: 0, minute: 0, second: 0 };
  switch (period) {
    case 'today':
      return { fromUtcMs: wallTimeToUtcMs(midnight, zone), toUtcMs: null };
    case 'week': {
      const weekday = (new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7;
      const monday = new Date(Date.UTC(today.year, today.month - 1, today.day) - weekday * DAY_MS);
      return {
        fromUtcMs: wallTimeToUtcMs(
          {
            ...midnight,
            year: monday.getUTCFullYear(),
            month: monday.getUTCMonth() + 1,
            day: monday.getUTCDate(),
          },
          zone,
        ),
        toUtcMs: null,
      };
    }
    case 'month':
      return { fromUtcMs: wallTimeToUtcMs({ ...midnight, day: 1 }, zone), toUtcMs: null };
    case 'quarter':
      return { fromUtcMs: wallTimeToUtcMs(midnight, zone) - 90 * DAY_MS, toUtcMs: null };
    case 'custom': {
      const from = parseWallTime(`${custom.from}T00:00`);
      const to = parseWallTime(`${custom.to}T00:00`);
      if (from === null || to === null) return null;
      const end = new Date(Date.UTC(to.year, to.month - 1, to.day) + DAY_MS);
      const toUtcMs =
        wallTimeToUtcMs(
          { ...to, year: end.getUTCFullYear(), month: end.getUTCMonth() + 1, day: end.getUTCDate() },
          zone,
        ) - 1;
      const fromUtcMs = wallTimeToUtcMs(from, zone);
      return fromUtcMs <= toUtcMs ? { fromUtcMs, toUtcMs } : null;
    }
  }
}

/** Closed trades from the store's deals, newest close first (the table's order). */
export function tradesOf(deals: Readonly<Record<string, Deal>>, currencyDigits: number): ClosedTrade[] {
  return closedTrades(Object.values(deals), currencyDigits).reverse();
}

/** Pips of a trade with its symbol's pip size; null without a spec or an open price. */
export function pipsWith(trade: ClosedTrade, spec: SymbolSpec | undefined): number | null {
  return spec === undefined ? null : tradePips(trade, pipSize(spec));
}
