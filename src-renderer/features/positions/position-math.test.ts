import { describe, expect, it } from 'vitest';
import type { Position } from '../../../src-core/contracts/ipc';
import { closePrice, liveProfit } from './position-math';

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
  swap: 0,
  commission: 0,
  openTimeMs: 0,
  magic: '0',
  comment: '',
  clientOrderId: null,
};
const eurusd = { contractSize: 100_000, currencyProfit: 'USD' };

describe('live profit', () => {
  it('closes buys at the bid and sells at the ask', () => {
    expect(closePrice('buy', { bid: 1, ask: 2 })).toBe(1);
    expect(closePrice('sell', { bid: 1, ask: 2 })).toBe(2);
  });

  it("moves main's figure with the price, using the rate main's own figure implies", () => {
    // 50 USD for 10 pips on 0.5 lots → 5,000 USD per price unit; at 1.1020 the profit is 100 USD.
    expect(liveProfit(base, { bid: 1.102, ask: 1.1021 }, undefined, 'USD')).toBe(100);
    const sell = { ...base, side: 'sell' as const, priceCurrent: 1.099, profit: 50 };
    expect(liveProfit(sell, { bid: 1.0979, ask: 1.098 }, undefined, 'USD')).toBe(100);
  });

  it('uses the contract size when main has no move to learn from and the profit is in the account currency', () => {
    const fresh = { ...base, priceCurrent: 1.1, profit: 0 };
    expect(liveProfit(fresh, { bid: 1.0995, ask: 1.0996 }, eurusd, 'USD')).toBe(-25);
  });

  it("keeps main's figure when it cannot know the rate", () => {
    const fresh = { ...base, symbol: 'USDJPY', priceCurrent: 1.1, profit: 0 };
    expect(
      liveProfit(fresh, { bid: 1.2, ask: 1.3 }, { contractSize: 100_000, currencyProfit: 'JPY' }, 'USD'),
    ).toBe(0);
    expect(liveProfit(base, undefined, eurusd, 'USD')).toBe(50);
  });
});
