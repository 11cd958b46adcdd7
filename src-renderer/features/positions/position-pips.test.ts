import { describe, expect, it } from 'vitest';
import type { Position } from '../../../src-core/contracts/ipc';
import { floatingTotal, positionPips } from './position-math';

const base: Position = {
  ticket: '1',
  symbol: 'EURUSD',
  side: 'buy',
  volume: 0.5,
  priceOpen: 1.1,
  priceCurrent: 1.101,
  sl: null,
  tp: null,
  profit: 50,
  swap: -1.25,
  commission: -3.5,
  openTimeMs: 0,
  magic: '0',
  comment: '',
  clientOrderId: null,
};

describe('positionPips', () => {
  it.each([
    { side: 'buy' as const, current: 1.1012, pips: 12 },
    { side: 'sell' as const, current: 1.1012, pips: -12 },
    { side: 'sell' as const, current: 1.09875, pips: 12.5 },
  ])('$side from 1.10000 at $current = $pips', ({ side, current, pips }) => {
    expect(positionPips({ side, priceOpen: 1.1 }, current, 0.0001)).toBe(pips);
  });
  it('is 0 without a pip size rather than Infinity', () => {
    expect(positionPips(base, 1.2, 0)).toBe(0);
  });
});

describe('floatingTotal', () => {
  const spec = { contractSize: 100_000, currencyProfit: 'USD' };
  it('adds live profit, swap and commission of every position at the latest quotes', () => {
    const sell: Position = { ...base, ticket: '2', side: 'sell', profit: -50, swap: 0, commission: 0 };
    const total = floatingTotal(
      [base, sell],
      () => ({ bid: 1.102, ask: 1.1021 }),
      () => spec,
      'USD',
    );
    // buy: +100 (0.002 × 0.5 × 100,000) − 4.75; sell: −105 at the ask 1.1021.
    expect(total).toBe(-9.75);
  });
  it('keeps main figures for a symbol without a quote and is 0 for no positions', () => {
    expect(
      floatingTotal(
        [base],
        () => undefined,
        () => undefined,
        'USD',
      ),
    ).toBe(45.25);
    expect(
      floatingTotal(
        [],
        () => undefined,
        () => undefined,
        'USD',
      ),
    ).toBe(0);
  });
});
