import { describe, expect, it } from 'vitest';
import type { Bar } from './bars';
import { atrBy, atrStopPrice, averageTrueRange, wilderAverageTrueRange } from './atr';

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

describe('wilderAverageTrueRange', () => {
  it('smooths the true ranges as Wilder did, worked by hand on the same bars', () => {
    // Period 2: first ATR = (0.0020 + 0.0020) / 2 = 0.0020; b3: (0.0020 × 1 + 0.0048) / 2 = 0.0034;
    // b4: (0.0034 × 1 + 0.0070) / 2 = 0.0052.
    const atr2 = wilderAverageTrueRange(BARS, 2);
    expect(atr2.ok && atr2.value).toBeCloseTo(0.0052, 12);
    // Period 3: first = (0.0020 + 0.0020 + 0.0048) / 3 = 0.0029333…; b4: (0.0029333… × 2 + 0.0070) / 3
    // = 0.0128667 / 3 = 0.00428889.
    const atr3 = wilderAverageTrueRange(BARS, 3);
    expect(atr3.ok && atr3.value).toBeCloseTo(0.0128666666666667 / 3, 12);
    // Period 4 uses every bar once: the simple average, 0.00395.
    const atr4 = atrBy(BARS, 4, 'wilder');
    expect(atr4.ok && atr4.value).toBeCloseTo(0.00395, 12);
    const simple3 = atrBy(BARS, 3, 'simple');
    expect(simple3.ok && simple3.value).toBeCloseTo(0.0046, 12);
  });

  it('needs period + 1 bars and a sane period', () => {
    expect(wilderAverageTrueRange(BARS, 5)).toMatchObject({ ok: false, error: { code: 'NOT_ENOUGH_BARS' } });
    expect(wilderAverageTrueRange(BARS, 0)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ATR_PERIOD' },
    });
    expect(wilderAverageTrueRange(BARS, 1e308)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ATR_PERIOD' },
    });
    expect(wilderAverageTrueRange([], 14)).toMatchObject({ ok: false, error: { code: 'NOT_ENOUGH_BARS' } });
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
