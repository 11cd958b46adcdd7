import { describe, expect, it } from 'vitest';
import type { Bar } from './bars';
import { atrStopPrice, averageTrueRange } from './atr';

const bar = (high: number, low: number, close: number, i: number): Bar => ({
  timeMs: i * 3_600_000,
  open: close,
  high,
  low,
  close,
  tickVolume: 1,
  spread: 0,
});

// True ranges worked by hand (previous close in brackets):
//   b1 1.1020/1.1000 (1.1005): 1.1020 − 1.1000 = 0.0020
//   b2 1.1030/1.1010 (1.1015): 1.1030 − 1.1010 = 0.0020
//   b3 gap up   1.1060/1.1040 (1.1012): 1.1060 − 1.1012 = 0.0048
//   b4 gap down 1.1000/1.0980 (1.1050): 1.1050 − 1.0980 = 0.0070
// ATR(3) = (0.0020 + 0.0048 + 0.0070) / 3 = 0.0046; ATR(4) = 0.0158 / 4 = 0.00395.
const BARS: Bar[] = [
  bar(1.101, 1.099, 1.1005, 0),
  bar(1.102, 1.1, 1.1015, 1),
  bar(1.103, 1.101, 1.1012, 2),
  bar(1.106, 1.104, 1.105, 3),
  bar(1.1, 1.098, 1.099, 4),
];

describe('averageTrueRange', () => {
  it('matches the hand-computed values, gaps included', () => {
    const atr3 = averageTrueRange(BARS, 3);
    const atr4 = averageTrueRange(BARS, 4);
    expect(atr3.ok && atr3.value).toBeCloseTo(0.0046, 12);
    expect(atr4.ok && atr4.value).toBeCloseTo(0.00395, 12);
  });

  it('needs period + 1 bars and a sane period', () => {
    expect(averageTrueRange(BARS, 5)).toMatchObject({ ok: false, error: { code: 'NOT_ENOUGH_BARS' } });
    expect(averageTrueRange(BARS, 0)).toMatchObject({ ok: false, error: { code: 'INVALID_ATR_PERIOD' } });
    expect(averageTrueRange(BARS, 2.5)).toMatchObject({ ok: false, error: { code: 'INVALID_ATR_PERIOD' } });
  });
});

describe('atrStopPrice', () => {
  it('puts the stop multiplier × ATR below a buy and above a sell', () => {
    expect(
      atrStopPrice({ side: 'buy', entry: 1.1, atr: 0.0046, multiplier: 1.5, tickSize: 0.00001 }),
    ).toEqual({
      ok: true,
      value: 1.0931,
    });
    expect(
      atrStopPrice({ side: 'sell', entry: 1.099, atr: 0.00395, multiplier: 2, tickSize: 0.00001 }),
    ).toEqual({ ok: true, value: 1.1069 });
  });

  it('rounds to the tick away from the entry, never tighter than asked', () => {
    // 1.10003 − 0.0069 = 1.09313 → 1.0931 on a 0.0001 grid; 1.10003 + 0.0069 = 1.10693 → 1.1070.
    expect(
      atrStopPrice({ side: 'buy', entry: 1.10003, atr: 0.0046, multiplier: 1.5, tickSize: 0.0001 }),
    ).toEqual({
      ok: true,
      value: 1.0931,
    });
    expect(
      atrStopPrice({ side: 'sell', entry: 1.10003, atr: 0.0046, multiplier: 1.5, tickSize: 0.0001 }),
    ).toEqual({ ok: true, value: 1.107 });
  });

  it('refuses a bad multiplier and a stop at or below zero', () => {
    const base = { side: 'buy', entry: 1.1, atr: 0.0046, tickSize: 0.00001 } as const;
    expect(atrStopPrice({ ...base, multiplier: 0 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ATR_MULTIPLIER' },
    });
    expect(atrStopPrice({ ...base, multiplier: 500 })).toMatchObject({ ok: false });
    expect(atrStopPrice({ ...base, atr: 1, multiplier: 2 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STOP_LOSS' },
    });
  });
});
