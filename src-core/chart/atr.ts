import { appError, err, ok, type AppError, type Result } from '../result';
import { decimalsOf, stripFloatNoise, toDecimals } from '../trading/numbers';
import type { Bar } from './bars';

/**
 * Average True Range as MT5's iATR computes it: the simple average of the last `period` true ranges, where a
 * bar's true range is max(high, previous close) − min(low, previous close). The first bar has no previous
 * close, so `period + 1` bars are needed. Uses the newest bars of the series.
 */
export function averageTrueRange(
  bars: readonly Bar[],
  period: number,
): Result<number, AppError<'INVALID_ATR_PERIOD' | 'NOT_ENOUGH_BARS'>> {
  if (!Number.isInteger(period) || period < 1 || period > 1000) {
    return err(appError('INVALID_ATR_PERIOD', 'The ATR period must be a whole number from 1 to 1000.'));
  }
  if (bars.length < period + 1) {
    return err(
      appError('NOT_ENOUGH_BARS', `ATR(${period}) needs ${period + 1} bars; the chart has ${bars.length}.`),
    );
  }
  let sum = 0;
  for (let i = bars.length - period; i < bars.length; i += 1) {
    const bar = bars[i];
    const previous = bars[i - 1];
    if (bar === undefined || previous === undefined) throw new Error('averageTrueRange: index out of range');
    sum += Math.max(bar.high, previous.close) - Math.min(bar.low, previous.close);
  }
  return ok(sum / period);
}

/** How the true ranges are averaged: Wilder's smoothing (the textbook ATR) or MT5's iATR simple average. */
export type AtrSmoothing = 'wilder' | 'simple';

/**
 * Average True Range as J. Welles Wilder defined it (New Concepts in Technical Trading Systems, 1978): the first
 * ATR is the simple average of the first `period` true ranges, then each later bar gives
 * ATR = (previous ATR × (period − 1) + true range) / period, through the newest bar. The whole series feeds in,
 * so the result depends on how many bars there are (it settles after a few times `period` bars); the chart's
 * bars are the series. Needs `period + 1` bars, like {@link averageTrueRange}.
 */
export function wilderAverageTrueRange(
  bars: readonly Bar[],
  period: number,
): Result<number, AppError<'INVALID_ATR_PERIOD' | 'NOT_ENOUGH_BARS'>> {
  const first = averageTrueRange(bars.slice(0, period + 1), period);
  if (!first.ok) return first;
  let atr = first.value;
  for (let i = period + 1; i < bars.length; i += 1) {
    const bar = bars[i];
    const previous = bars[i - 1];
    if (bar === undefined || previous === undefined)
      throw new Error('wilderAverageTrueRange: index out of range');
    const trueRange = Math.max(bar.high, previous.close) - Math.min(bar.low, previous.close);
    atr = (atr * (period - 1) + trueRange) / period;
  }
  return ok(atr);
}

/** The ATR by the chosen smoothing (see {@link wilderAverageTrueRange} and {@link averageTrueRange}). */
export function atrBy(
  bars: readonly Bar[],
  period: number,
  smoothing: AtrSmoothing,
): Result<number, AppError<'INVALID_ATR_PERIOD' | 'NOT_ENOUGH_BARS'>> {
  return smoothing === 'wilder' ? wilderAverageTrueRange(bars, period) : averageTrueRange(bars, period);
}

/**
 * An ATR stop: `multiplier` × ATR away from `entry`, below it for a buy and above it for a sell, on the tick
 * grid (rounded away from the entry so the stop is never tighter than asked).
 */
export function atrStopPrice(input: {
  readonly side: 'buy' | 'sell';
  readonly entry: number;
  readonly atr: number;
  readonly multiplier: number;
  readonly tickSize: number;
}): Result<number, AppError<'INVALID_ATR_MULTIPLIER' | 'INVALID_STOP_LOSS'>> {
  const { side, entry, atr, multiplier, tickSize } = input;
  if (!Number.isFinite(multiplier) || multiplier <= 0 || multiplier > 100) {
    return err(appError('INVALID_ATR_MULTIPLIER', 'The ATR multiplier must be above 0 and at most 100.'));
  }
  const distance = atr * multiplier;
  const raw = side === 'buy' ? entry - distance : entry + distance;
  const steps = stripFloatNoise(raw / tickSize);
  const ticks = side === 'buy' ? Math.floor(steps) : Math.ceil(steps);
  const stop = toDecimals(ticks * tickSize, decimalsOf(tickSize));
  if (!(stop > 0) || stop === entry) {
    return err(appError('INVALID_STOP_LOSS', 'The ATR stop would be at or below zero, or at the entry.'));
  }
  return ok(stop);
}
