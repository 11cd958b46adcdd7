import { describe, expect, it } from 'vitest';
import { downsampleEquity, sessionReport, type ClosedTrade } from './report';
import { closedTradesFromDeals, type DealForTrades } from '../backtest/trades-from-deals';

const trade = (netProfit: number, initialRisk: number | null): ClosedTrade => ({
  positionId: '1',
  symbol: 'EURUSD',
  side: 'buy',
  volume: 1,
  openTimeMs: 0,
  closeTimeMs: 1,
  openPrice: 1,
  closePrice: 1,
  netProfit,
  initialRisk,
});

describe('sessionReport', () => {
  it('computes the figures by hand: 3 wins, 2 losses, one trade without a stop', () => {
    const r = sessionReport({
      trades: [trade(100, 50), trade(-50, 50), trade(200, 100), trade(-25, null), trade(75, 25)],
      // 10,000 → 10,100 → 10,050 → 10,250 (peak) → 10,225 → 10,300, with a dip to 10,150 inside a trade.
      equity: [10_100, 10_050, 10_250, 10_150, 10_225, 10_300].map((equity, timeMs) => ({ timeMs, equity })),
      startBalance: 10_000,
    });
    expect(r).toMatchObject({
      trades: 5,
      wins: 3,
      losses: 2,
      winRate: 0.6,
      grossProfit: 375,
      grossLoss: -75,
      netProfit: 300,
      maxDrawdown: 100,
      startBalance: 10_000,
      endEquity: 10_300,
    });
    expect(r.profitFactor).toBeCloseTo(5, 12);
    expect(r.expectancy).toBeCloseTo(60, 12);
    // R: 2, -1, 2, 3 over the four trades with a stop → 1.5.
    expect(r.averageR).toBeCloseTo(1.5, 12);
    expect(r.maxDrawdownPercent).toBeCloseTo((100 / 10_250) * 100, 2);
  });

  it('answers null where a ratio has no meaning', () => {
    const r = sessionReport({ trades: [], equity: [], startBalance: 500 });
    expect(r).toMatchObject({ winRate: null, profitFactor: null, expectancy: null, averageR: null });
    expect(sessionReport({ trades: [trade(10, null)], equity: [], startBalance: 1 }).profitFactor).toBeNull();
  });
});

describe('closedTradesFromDeals', () => {
  const deal = (d: Partial<DealForTrades>): DealForTrades => ({
    positionId: '7',
    symbol: 'EURUSD',
    type: 0,
    entry: 0,
    volume: 1,
    price: 1.1,
    profit: 0,
    swap: 0,
    commission: 0,
    timeMsc: 0,
    ...d,
  });

  it('pairs a partial and a final close with the entry, sharing the entry commission', () => {
    const trades = closedTradesFromDeals(
      [
        deal({ commission: -7, timeMsc: 1 }),
        deal({ type: 1, entry: 1, volume: 0.4, price: 1.102, profit: 80, commission: -2.8, timeMsc: 2 }),
        deal({ type: 1, entry: 1, volume: 0.6, price: 1.099, profit: -60, commission: -4.2, timeMsc: 3 }),
      ],
      new Map([['7', 100]]),
    );
    expect(trades).toHaveLength(2);
    expect(trades[0]).toMatchObject({ side: 'buy', volume: 0.4, openPrice: 1.1, closePrice: 1.102 });
    expect(trades[0]?.netProfit).toBeCloseTo(80 - 2.8 - 2.8, 9);
    expect(trades[0]?.initialRisk).toBeCloseTo(40, 9);
    expect(trades[1]?.netProfit).toBeCloseTo(-60 - 4.2 - 4.2, 9);
  });

  it('splits a netting reversal into a close and a new leg', () => {
    const trades = closedTradesFromDeals([
      deal({ volume: 1, price: 1.1, timeMsc: 1 }),
      deal({ type: 1, entry: 2, volume: 3, price: 1.105, profit: 500, timeMsc: 2 }),
      deal({ type: 0, entry: 1, volume: 2, price: 1.1, profit: 1000, timeMsc: 3 }),
    ]);
    expect(trades.map((t) => [t.side, t.volume, t.openPrice, t.netProfit])).toEqual([
      ['buy', 1, 1.1, 500],
      ['sell', 2, 1.105, 1000],
    ]);
  });

  it('skips balance deals', () => {
    expect(closedTradesFromDeals([deal({ type: 2 })])).toEqual([]);
  });
});

describe('downsampleEquity', () => {
  it('keeps the ends and every bucket’s extremes', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ timeMs: i, equity: i === 5_000 ? -1 : i }));
    const small = downsampleEquity(points, 100);
    expect(small.length).toBeLessThanOrEqual(100);
    expect(small[0]).toEqual(points[0]);
    expect(small.at(-1)).toEqual(points.at(-1));
    expect(small.some((p) => p.equity === -1)).toBe(true);
  });
});
