import { describe, expect, it } from 'vitest';
import {
  TIMEFRAMES,
  Timeframe,
  barOpenTime,
  nextBarOpenTime,
  previousBarOpenTime,
  timeframeMs,
} from './timeframe';

const at = (iso: string): number => Date.parse(`${iso}Z`);

describe('timeframes', () => {
  it('lists MT5’s 21 timeframes, shortest first', () => {
    expect(TIMEFRAMES).toHaveLength(21);
    expect(TIMEFRAMES[0]).toBe('M1');
    expect(TIMEFRAMES.at(-1)).toBe('MN1');
    const lengths = TIMEFRAMES.map((t) => timeframeMs(t) ?? Infinity);
    expect([...lengths].sort((a, b) => a - b)).toEqual(lengths);
  });

  it('rejects names MT5 does not have', () => {
    expect(Timeframe.safeParse('M7').success).toBe(false);
    expect(Timeframe.safeParse('PERIOD_M1').success).toBe(false);
    expect(Timeframe.safeParse(16385).success).toBe(false);
  });

  it('aligns intraday bars to the period from midnight', () => {
    expect(barOpenTime(at('2026-03-04T13:47:59.999'), 'M1')).toBe(at('2026-03-04T13:47:00'));
    expect(barOpenTime(at('2026-03-04T13:47:59'), 'M15')).toBe(at('2026-03-04T13:45:00'));
    expect(barOpenTime(at('2026-03-04T13:47:59'), 'M20')).toBe(at('2026-03-04T13:40:00'));
    expect(barOpenTime(at('2026-03-04T13:47:59'), 'H3')).toBe(at('2026-03-04T12:00:00'));
    expect(barOpenTime(at('2026-03-04T13:47:59'), 'H4')).toBe(at('2026-03-04T12:00:00'));
    expect(barOpenTime(at('2026-03-04T23:59:59'), 'H8')).toBe(at('2026-03-04T16:00:00'));
    expect(barOpenTime(at('2026-03-04T23:59:59'), 'D1')).toBe(at('2026-03-04T00:00:00'));
  });

  it('puts a price exactly on a boundary into the new bar', () => {
    expect(barOpenTime(at('2026-03-04T14:00:00'), 'H1')).toBe(at('2026-03-04T14:00:00'));
    expect(barOpenTime(at('2026-03-04T13:59:59.999'), 'H1')).toBe(at('2026-03-04T13:00:00'));
  });

  it('opens W1 bars on Sunday 00:00, as MT5 does', () => {
    // 2026-03-04 is a Wednesday; its week opened on Sunday 2026-03-01.
    expect(barOpenTime(at('2026-03-04T10:00:00'), 'W1')).toBe(at('2026-03-01T00:00:00'));
    expect(barOpenTime(at('2026-03-01T00:00:00'), 'W1')).toBe(at('2026-03-01T00:00:00'));
    expect(barOpenTime(at('2026-02-28T23:59:59'), 'W1')).toBe(at('2026-02-22T00:00:00'));
    // A week that spans a year end.
    expect(barOpenTime(at('2027-01-01T12:00:00'), 'W1')).toBe(at('2026-12-27T00:00:00'));
    expect(nextBarOpenTime(at('2026-12-27T00:00:00'), 'W1')).toBe(at('2027-01-03T00:00:00'));
  });

  it('opens MN1 bars on the 1st, whatever the month’s length', () => {
    expect(barOpenTime(at('2026-02-28T23:59:59'), 'MN1')).toBe(at('2026-02-01T00:00:00'));
    expect(barOpenTime(at('2028-02-29T12:00:00'), 'MN1')).toBe(at('2028-02-01T00:00:00'));
    expect(nextBarOpenTime(at('2026-01-01T00:00:00'), 'MN1')).toBe(at('2026-02-01T00:00:00'));
    expect(nextBarOpenTime(at('2026-12-01T00:00:00'), 'MN1')).toBe(at('2027-01-01T00:00:00'));
    expect(previousBarOpenTime(at('2026-01-01T00:00:00'), 'MN1')).toBe(at('2025-12-01T00:00:00'));
    expect(timeframeMs('MN1')).toBeUndefined();
  });

  it('steps back and forth by one bar', () => {
    for (const tf of TIMEFRAMES) {
      const open = barOpenTime(at('2026-05-13T09:31:00'), tf);
      expect(previousBarOpenTime(nextBarOpenTime(open, tf), tf)).toBe(open);
      expect(barOpenTime(nextBarOpenTime(open, tf) - 1, tf)).toBe(open);
    }
  });
});
