import { z } from 'zod';
import { barOpenTime, type Timeframe } from './timeframe';

/**
 * One bar (MqlRates without real volume). `timeMs` is the bar's open time in ms on the trade server's clock;
 * prices are the symbol's bid prices, as MT5 builds its charts; `spread` is the bar's smallest spread in
 * points (what MT5 stores), 0 when unknown.
 */
export const Bar = z.object({
  timeMs: z.number().int().nonnegative(),
  open: z.number().positive(),
  high: z.number().positive(),
  low: z.number().positive(),
  close: z.number().positive(),
  tickVolume: z.number().int().nonnegative(),
  spread: z.number().int().nonnegative(),
});
export type Bar = z.infer<typeof Bar>;

/** What {@link applyPrice} did with a price. */
export type BarUpdate =
  /** The price fell in the last bar's period: that bar's high, low, close and tick volume changed. */
  | { readonly kind: 'updated'; readonly bar: Bar }
  /** The price opened a new bar (periods without prices get no bar, as in MT5: gaps stay gaps). */
  | { readonly kind: 'opened'; readonly bar: Bar }
  /** The price is older than the last bar (a late tick): bars are left as they are. */
  | { readonly kind: 'ignored' };

/**
 * Folds one bid price at `timeMs` (trade server clock) into a series of bars sorted by time, in place: the live
 * bar update a chart does on every tick. `spreadPoints` (optional) keeps the bar's smallest spread.
 */
export function applyPrice(
  bars: Bar[],
  timeframe: Timeframe,
  price: number,
  timeMs: number,
  spreadPoints = 0,
): BarUpdate {
  const openMs = barOpenTime(timeMs, timeframe);
  const last = bars[bars.length - 1];
  if (last !== undefined && openMs < last.timeMs) return { kind: 'ignored' };
  if (last !== undefined && openMs === last.timeMs) {
    const bar: Bar = {
      timeMs: last.timeMs,
      open: last.open,
      high: Math.max(last.high, price),
      low: Math.min(last.low, price),
      close: price,
      tickVolume: last.tickVolume + 1,
      spread: last.spread === 0 ? spreadPoints : Math.min(last.spread, spreadPoints || last.spread),
    };
    bars[bars.length - 1] = bar;
    return { kind: 'updated', bar };
  }
  const bar: Bar = {
    timeMs: openMs,
    open: price,
    high: price,
    low: price,
    close: price,
    tickVolume: 1,
    spread: spreadPoints,
  };
  bars.push(bar);
  return { kind: 'opened', bar };
}

/**
 * Resamples bars of a shorter timeframe (sorted by time) into `timeframe`: open of the first, close of the
 * last, extremes of all, tick volumes summed, smallest non-zero spread. Periods without source bars get no bar.
 */
export function aggregateBars(source: readonly Bar[], timeframe: Timeframe): Bar[] {
  const out: Bar[] = [];
  for (const b of source) {
    const openMs = barOpenTime(b.timeMs, timeframe);
    const last = out[out.length - 1];
    if (last !== undefined && last.timeMs === openMs) {
      out[out.length - 1] = {
        timeMs: openMs,
        open: last.open,
        high: Math.max(last.high, b.high),
        low: Math.min(last.low, b.low),
        close: b.close,
        tickVolume: last.tickVolume + b.tickVolume,
        spread: minSpread(last.spread, b.spread),
      };
    } else {
      out.push({ ...b, timeMs: openMs });
    }
  }
  return out;
}

/**
 * Merges newer bars into a series (both sorted by time): bars with a time already present replace it (the
 * live bar re-read from the terminal), later ones are appended. Answers a new array.
 */
export function mergeBars(older: readonly Bar[], newer: readonly Bar[]): Bar[] {
  const first = newer[0];
  if (first === undefined) return [...older];
  const keep = older.filter((b) => b.timeMs < first.timeMs);
  return [...keep, ...newer];
}

function minSpread(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}
