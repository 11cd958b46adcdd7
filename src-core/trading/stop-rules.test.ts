import { describe, expect, it } from 'vitest';
import { BreakEvenSpec, StopRule, decideStop, type StopDecision, type StopDecisionInput } from './stop-rules';

const EURUSD = { digits: 5, point: 0.00001, tickSize: 0.00001, stopsLevel: 0, freezeLevel: 0 };
const USDJPY = { digits: 3, point: 0.001, tickSize: 0.001, stopsLevel: 0, freezeLevel: 0 };
const GBPJPY = { digits: 3, point: 0.001, tickSize: 0.001, stopsLevel: 20, freezeLevel: 5 };
/** An index quoted in 0.1 with a 0.25 tick: rounding to the tick is not rounding to the point. */
const INDEX = { digits: 1, point: 0.1, tickSize: 0.25, stopsLevel: 0, freezeLevel: 0 };

const trail = (distance: number, step: number): StopRule => ({
  unit: 'pips',
  trailing: { distance, step },
  breakEven: null,
});
const be = (trigger: number, offset: number): StopRule => ({
  unit: 'pips',
  trailing: null,
  breakEven: { trigger, offset },
});

type Row = [string, StopDecisionInput, StopDecision];

const base = { sl: null, tp: null, spec: EURUSD } as const;

const rows: Row[] = [
  // Trailing, buy: measured from the bid.
  [
    'buy, not yet in profit by the distance',
    { ...base, side: 'buy', priceOpen: 1.1, bid: 1.1019, ask: 1.102, rule: trail(20, 5) },
    { kind: 'hold', reason: 'not_triggered' },
  ],
  [
    'buy, 20 pips up with no SL: SL at bid − 20 pips',
    { ...base, side: 'buy', priceOpen: 1.1, bid: 1.102, ask: 1.1021, rule: trail(20, 5) },
    { kind: 'move', sl: 1.1, reason: 'trailing' },
  ],
  [
    'buy, SL moves only by the step',
    { ...base, side: 'buy', priceOpen: 1.1, sl: 1.1, bid: 1.10249, ask: 1.1026, rule: trail(20, 5) },
    { kind: 'hold', reason: 'below_step' },
  ],
  [
    'buy, a full step up moves it',
    { ...base, side: 'buy', priceOpen: 1.1, sl: 1.1, bid: 1.1025, ask: 1.1026, rule: trail(20, 5) },
    { kind: 'move', sl: 1.1005, reason: 'trailing' },
  ],
  [
    'buy, price falls back: never backwards',
    { ...base, side: 'buy', priceOpen: 1.1, sl: 1.1005, bid: 1.1015, ask: 1.1016, rule: trail(20, 5) },
    { kind: 'hold', reason: 'not_triggered' },
  ],
  [
    'buy, a better SL already set by hand stays',
    { ...base, side: 'buy', priceOpen: 1.1, sl: 1.1012, bid: 1.103, ask: 1.1031, rule: trail(20, 5) },
    { kind: 'hold', reason: 'no_improvement' },
  ],
  [
    'buy, a refused level is not asked for again; a step beyond it is',
    {
      ...base,
      side: 'buy',
      priceOpen: 1.1,
      sl: 1.1,
      lastTriedSl: 1.1005,
      bid: 1.1029,
      ask: 1.103,
      rule: trail(20, 5),
    },
    { kind: 'hold', reason: 'below_step' },
  ],
  [
    'buy, a step beyond the refused level',
    {
      ...base,
      side: 'buy',
      priceOpen: 1.1,
      sl: 1.1,
      lastTriedSl: 1.1005,
      bid: 1.103,
      ask: 1.1031,
      rule: trail(20, 5),
    },
    { kind: 'move', sl: 1.101, reason: 'trailing' },
  ],
  // Trailing, sell: measured from the ask, so the spread counts.
  [
    'sell, the bid is 20 pips down but the ask only 18: not yet',
    { ...base, side: 'sell', priceOpen: 1.1, bid: 1.098, ask: 1.0982, rule: trail(20, 5) },
    { kind: 'hold', reason: 'not_triggered' },
  ],
  [
    'sell, the ask 20 pips down: SL at ask + 20 pips',
    { ...base, side: 'sell', priceOpen: 1.1, bid: 1.0978, ask: 1.098, rule: trail(20, 5) },
    { kind: 'move', sl: 1.1, reason: 'trailing' },
  ],
  [
    'sell, a step down moves the SL down',
    { ...base, side: 'sell', priceOpen: 1.1, sl: 1.1, bid: 1.0973, ask: 1.0975, rule: trail(20, 5) },
    { kind: 'move', sl: 1.0995, reason: 'trailing' },
  ],
  [
    'sell, price rises back: never backwards',
    { ...base, side: 'sell', priceOpen: 1.1, sl: 1.0995, bid: 1.0978, ask: 1.098, rule: trail(20, 5) },
    { kind: 'hold', reason: 'no_improvement' },
  ],
  // JPY: a pip is 0.01.
  [
    'USDJPY buy, 15 pips trail at 150.150',
    { ...base, spec: USDJPY, side: 'buy', priceOpen: 150, bid: 150.15, ask: 150.162, rule: trail(15, 2) },
    { kind: 'move', sl: 150, reason: 'trailing' },
  ],
  [
    'USDJPY sell, points as the unit',
    {
      ...base,
      spec: USDJPY,
      side: 'sell',
      priceOpen: 150,
      bid: 149.788,
      ask: 149.8,
      rule: { unit: 'points', trailing: { distance: 150, step: 20 }, breakEven: null },
    },
    { kind: 'move', sl: 149.95, reason: 'trailing' },
  ],
  // Break-even.
  [
    'break-even not triggered yet',
    { ...base, side: 'buy', priceOpen: 1.1, sl: 1.098, bid: 1.10149, ask: 1.1016, rule: be(15, 2) },
    { kind: 'hold', reason: 'not_triggered' },
  ],
  [
    'break-even with offset, buy',
    { ...base, side: 'buy', priceOpen: 1.1, sl: 1.098, bid: 1.1015, ask: 1.1016, rule: be(15, 2) },
    { kind: 'move', sl: 1.1002, reason: 'break_even' },
  ],
  [
    'break-even already done',
    { ...base, side: 'buy', priceOpen: 1.1, sl: 1.1002, bid: 1.103, ask: 1.1031, rule: be(15, 2) },
    { kind: 'hold', reason: 'no_improvement' },
  ],
  [
    'break-even with offset, sell',
    { ...base, side: 'sell', priceOpen: 1.1, sl: 1.102, bid: 1.0983, ask: 1.0985, rule: be(15, 2) },
    { kind: 'move', sl: 1.0998, reason: 'break_even' },
  ],
  [
    'break-even and trailing: the better of the two',
    {
      ...base,
      side: 'buy',
      priceOpen: 1.1,
      sl: 1.098,
      bid: 1.1035,
      ask: 1.1036,
      rule: { unit: 'pips', trailing: { distance: 20, step: 5 }, breakEven: { trigger: 15, offset: 2 } },
    },
    { kind: 'move', sl: 1.1015, reason: 'trailing' },
  ],
  [
    'break-even fires while trailing has not started',
    {
      ...base,
      side: 'buy',
      priceOpen: 1.1,
      sl: 1.098,
      bid: 1.1016,
      ask: 1.1017,
      rule: { unit: 'pips', trailing: { distance: 20, step: 5 }, breakEven: { trigger: 15, offset: 2 } },
    },
    { kind: 'move', sl: 1.1002, reason: 'break_even' },
  ],
  // Stops level and freeze level (GBPJPY: 20 and 5 points).
  [
    'a trail closer than the stops level is pulled back to it',
    {
      ...base,
      spec: GBPJPY,
      side: 'buy',
      priceOpen: 190,
      bid: 190.015,
      ask: 190.043,
      rule: { unit: 'points', trailing: { distance: 15, step: 5 }, breakEven: null },
    },
    { kind: 'move', sl: 189.995, reason: 'trailing' },
  ],
  [
    'SL inside the freeze level: hold',
    {
      ...base,
      spec: GBPJPY,
      side: 'buy',
      priceOpen: 190,
      sl: 190.2,
      bid: 190.205,
      ask: 190.233,
      rule: trail(10, 1),
    },
    { kind: 'hold', reason: 'frozen' },
  ],
  [
    'TP inside the freeze level: hold',
    {
      ...base,
      spec: GBPJPY,
      side: 'sell',
      priceOpen: 190,
      tp: 189.7,
      bid: 189.68,
      ask: 189.704,
      rule: trail(10, 1),
    },
    { kind: 'hold', reason: 'frozen' },
  ],
  [
    'just outside the freeze level: moves',
    {
      ...base,
      spec: GBPJPY,
      side: 'buy',
      priceOpen: 190,
      sl: 190.1,
      bid: 190.4,
      ask: 190.428,
      rule: trail(10, 1),
    },
    { kind: 'move', sl: 190.3, reason: 'trailing' },
  ],
  [
    'a break-even offset that would sit inside the stops level is pulled back',
    {
      ...base,
      spec: GBPJPY,
      side: 'buy',
      priceOpen: 190,
      sl: 189.5,
      bid: 190.03,
      ask: 190.058,
      rule: { unit: 'points', trailing: null, breakEven: { trigger: 30, offset: 25 } },
    },
    { kind: 'move', sl: 190.01, reason: 'break_even' },
  ],
  // Tick size larger than the point: rounded away from the market.
  [
    'index buy: SL rounded down to the 0.25 tick',
    {
      ...base,
      spec: INDEX,
      side: 'buy',
      priceOpen: 5000,
      bid: 5030.3,
      ask: 5030.8,
      rule: { unit: 'points', trailing: { distance: 200, step: 10 }, breakEven: null },
    },
    { kind: 'move', sl: 5010.25, reason: 'trailing' },
  ],
  [
    'index sell: SL rounded up to the 0.25 tick',
    {
      ...base,
      spec: INDEX,
      side: 'sell',
      priceOpen: 5000,
      bid: 4969.2,
      ask: 4969.7,
      rule: { unit: 'points', trailing: { distance: 200, step: 10 }, breakEven: null },
    },
    { kind: 'move', sl: 4989.75, reason: 'trailing' },
  ],
];

describe('decideStop', () => {
  it.each(rows)('%s', (_name, input, expected) => {
    expect(decideStop(input)).toEqual(expected);
  });

  it('walks a buy up a rising market in steps and never back down', () => {
    let sl: number | null = null;
    const moves: number[] = [];
    const path = [1.1, 1.101, 1.102, 1.1022, 1.1026, 1.1031, 1.1012, 1.104, 1.1];
    for (const bid of path) {
      const d = decideStop({
        ...base,
        side: 'buy',
        priceOpen: 1.1,
        sl,
        bid,
        ask: bid + 0.0001,
        rule: trail(20, 5),
      });
      if (d.kind === 'move') {
        moves.push(d.sl);
        sl = d.sl;
      }
    }
    expect(moves).toEqual([1.1, 1.1006, 1.1011, 1.102]);
  });
});

describe('StopRule schema', () => {
  it('needs trailing or break-even, positive distances, offset below trigger', () => {
    expect(StopRule.safeParse({ unit: 'pips', trailing: null, breakEven: null }).success).toBe(false);
    expect(StopRule.safeParse(trail(20, 5)).success).toBe(true);
    expect(StopRule.safeParse(trail(0, 5)).success).toBe(false);
    expect(StopRule.safeParse(trail(20, 0)).success).toBe(false);
    expect(BreakEvenSpec.safeParse({ trigger: 10, offset: 10 }).success).toBe(false);
    expect(BreakEvenSpec.safeParse({ trigger: 10, offset: -1 }).success).toBe(false);
  });

  it('refuses bad input: NUL, 1e308, wrong types, extra keys, deep nesting', () => {
    const bad: unknown[] = [
      { unit: 'pips\u0000', trailing: { distance: 20, step: 5 }, breakEven: null },
      { unit: 'pips', trailing: { distance: 1e308, step: 5 }, breakEven: null },
      { unit: 'pips', trailing: { distance: '20', step: 5 }, breakEven: null },
      { unit: 'pips', trailing: { distance: Infinity, step: 5 }, breakEven: null },
      { unit: 'pips', trailing: { distance: 20, step: 5, extra: 1 }, breakEven: null },
      {
        unit: 'pips',
        trailing: { distance: 20, step: 5 },
        breakEven: { trigger: { a: { b: { c: 1 } } }, offset: 0 },
      },
      null,
      'x'.repeat(100_000),
    ];
    for (const value of bad) expect(StopRule.safeParse(value).success).toBe(false);
  });
});
