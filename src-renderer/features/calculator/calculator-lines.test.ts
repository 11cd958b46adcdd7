import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src-core/chart/bars';
import { DEFAULT_CALCULATOR, type CalculatorDraft } from '../../store/drafts-slice';
import {
  atrStopFromBars,
  calculatorChartLines,
  calculatorLevels,
  calculatorPatchFromDrag,
} from './calculator-lines';
import { catalogSpec } from '../../testing/fixtures';

const quote = { bid: 1.085, ask: 1.0851 };
const draft = (patch: Partial<CalculatorDraft>): CalculatorDraft => ({ ...DEFAULT_CALCULATOR, ...patch });

describe('calculator lines on the chart', () => {
  it('draws entry, stop and target from the draft (live buy at the ask, 20-pip stop, 40-pip target)', () => {
    const levels = calculatorLevels(draft({ sl: '20', tpPips: '40' }), catalogSpec('EURUSD'), quote);
    expect(levels).toEqual({ entry: 1.0851, sl: 1.0831, tp: 1.0891 });
    expect(calculatorChartLines(levels).map((l) => [l.id, l.price, l.target])).toEqual([
      ['calc-entry', 1.0851, { kind: 'calculator', field: 'entry' }],
      ['calc-sl', 1.0831, { kind: 'calculator', field: 'sl' }],
      ['calc-tp', 1.0891, { kind: 'calculator', field: 'tp' }],
    ]);
    // A sell on USDJPY with the stop as a price and no target.
    expect(
      calculatorLevels(draft({ side: 'sell', slUnit: 'price', sl: '150.5' }), catalogSpec('USDJPY'), {
        bid: 150,
        ask: 150.02,
      }),
    ).toEqual({ entry: 150, sl: 150.5, tp: null });
    expect(calculatorLevels(draft({ entryMode: 'typed', entry: 'x' }), catalogSpec('EURUSD'), quote)).toEqual(
      {
        entry: null,
        sl: null,
        tp: null,
      },
    );
  });

  it('turns a dragged line into the calculator’s fields, on the tick grid', () => {
    const d = draft({ sl: '20' });
    expect(calculatorPatchFromDrag('entry', 1.084004, d, catalogSpec('EURUSD'), quote)).toEqual({
      entryMode: 'typed',
      entry: '1.08400',
    });
    expect(calculatorPatchFromDrag('sl', 1.08312, d, catalogSpec('EURUSD'), quote)).toEqual({
      slUnit: 'price',
      sl: '1.08312',
    });
    // Target 1.08910 from the ask 1.08510 = 40.0 pips; a target under a buy's entry goes back.
    expect(calculatorPatchFromDrag('tp', 1.0891, d, catalogSpec('EURUSD'), quote)).toEqual({ tpPips: '40' });
    expect(calculatorPatchFromDrag('tp', 1.08, d, catalogSpec('EURUSD'), quote)).toBeNull();
    // Gold on 2 digits: 2,655.257 → 2,655.26
    expect(calculatorPatchFromDrag('sl', 2655.257, d, catalogSpec('XAUUSD'), quote)).toEqual({
      slUnit: 'price',
      sl: '2655.26',
    });
  });
});

describe('the ATR stop from the chart’s bars', () => {
  const bar = (high: number, low: number, close: number, i: number): Bar => ({
    timeMs: i * 3_600_000,
    open: close,
    high,
    low,
    close,
    tickVolume: 1,
    spread: 0,
  });
  // The same bars as src-core/chart/atr.test.ts plus a forming bar that must not count.
  const bars = [
    bar(1.101, 1.099, 1.1005, 0),
    bar(1.102, 1.1, 1.1015, 1),
    bar(1.103, 1.101, 1.1012, 2),
    bar(1.106, 1.104, 1.105, 3),
    bar(1.1, 1.098, 1.099, 4),
    bar(1.2, 1.0, 1.1, 5),
  ];
  it('uses the closed bars: Wilder ATR(2) = 0.0052, × 1.5 = 0.0078 under a buy at 1.10000', () => {
    const out = atrStopFromBars(
      draft({ atrPeriod: '2', atrMultiplier: '1.5' }),
      bars,
      1.1,
      catalogSpec('EURUSD'),
    );
    expect(out).toMatchObject({ ok: true, stop: 1.0922, bars: 5 });
    if (out.ok) expect(out.atr).toBeCloseTo(0.0052, 12);
  });
  it('uses MT5’s simple average when asked: ATR(3) = 0.0046, × 2 = 0.0092 over a sell at 1.09900', () => {
    const out = atrStopFromBars(
      draft({ side: 'sell', atrPeriod: '3', atrMultiplier: '2', atrSmoothing: 'simple' }),
      bars,
      1.099,
      catalogSpec('EURUSD'),
    );
    expect(out).toMatchObject({ ok: true, stop: 1.1082 });
  });
  it('explains what is missing', () => {
    expect(atrStopFromBars(draft({ atrPeriod: '' }), bars, 1.1, catalogSpec('EURUSD'))).toMatchObject({
      ok: false,
    });
    expect(atrStopFromBars(draft({ atrPeriod: '14' }), bars, 1.1, catalogSpec('EURUSD'))).toMatchObject({
      ok: false,
      message: 'ATR(14) needs 15 bars; the chart has 5.',
    });
    expect(atrStopFromBars(draft({ atrMultiplier: '0' }), bars, 1.1, catalogSpec('EURUSD'))).toMatchObject({
      ok: false,
    });
  });
});
