import { z } from 'zod';

/**
 * MT5's 21 chart timeframes (ENUM_TIMEFRAMES without the `PERIOD_` prefix), shortest first. The wire and the
 * IPC carry these names, never MT5's integer values, so a misread constant cannot change the bar size.
 */
export const Timeframe = z.enum([
  'M1',
  'M2',
  'M3',
  'M4',
  'M5',
  'M6',
  'M10',
  'M12',
  'M15',
  'M20',
  'M30',
  'H1',
  'H2',
  'H3',
  'H4',
  'H6',
  'H8',
  'H12',
  'D1',
  'W1',
  'MN1',
]);
export type Timeframe = z.infer<typeof Timeframe>;

/** Every timeframe, shortest first. */
export const TIMEFRAMES: readonly Timeframe[] = Timeframe.options;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The fixed length of a timeframe's bar in ms, or undefined for MN1 (months differ in length). W1 is 7 days.
 * Every intraday length divides a day, so intraday bars align to midnight as MT5's do.
 */
export function timeframeMs(timeframe: Timeframe): number | undefined {
  if (timeframe === 'MN1') return undefined;
  if (timeframe === 'W1') return 7 * DAY_MS;
  if (timeframe === 'D1') return DAY_MS;
  const unit = timeframe[0] === 'H' ? 60 * MINUTE_MS : MINUTE_MS;
  return Number(timeframe.slice(1)) * unit;
}

/**
 * The open time of the bar that contains `timeMs`, on the same clock (MT5 builds bars on the trade server's
 * clock, so callers pass server-clock ms and read them with UTC calendar functions). Intraday and D1 bars
 * align to midnight; W1 bars open on Sunday 00:00 as in MT5; MN1 bars open on the 1st of the month.
 */
export function barOpenTime(timeMs: number, timeframe: Timeframe): number {
  if (timeframe === 'MN1') {
    const d = new Date(timeMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  if (timeframe === 'W1') {
    const day = Math.floor(timeMs / DAY_MS) * DAY_MS;
    return day - new Date(day).getUTCDay() * DAY_MS;
  }
  const length = timeframeMs(timeframe) ?? DAY_MS;
  return Math.floor(timeMs / length) * length;
}

/** The open time of the bar after the one that opens at `openMs` (the end of that bar, exclusive). */
export function nextBarOpenTime(openMs: number, timeframe: Timeframe): number {
  if (timeframe === 'MN1') {
    const d = new Date(openMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return openMs + (timeframeMs(timeframe) ?? DAY_MS);
}

/** The open time of the bar before the one that opens at `openMs`. */
export function previousBarOpenTime(openMs: number, timeframe: Timeframe): number {
  if (timeframe === 'MN1') {
    const d = new Date(openMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
  }
  return openMs - (timeframeMs(timeframe) ?? DAY_MS);
}
