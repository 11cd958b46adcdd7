import { describe, expect, it } from 'vitest';
import { findCatalogSymbol } from './catalog';
import { stopDistanceIssues } from './stop-distance';
import type { SymbolSpec } from './symbol-spec';

const spec = (name: string, stopsLevel?: number): SymbolSpec => {
  const s = findCatalogSymbol(name);
  if (s === undefined) throw new Error(`no ${name} in the catalog`);
  return stopsLevel === undefined ? s : { ...s, stopsLevel };
};

describe('stopDistanceIssues: stops the ticket would refuse', () => {
  it('flags the XAUUSD case: a 0.20 stop under a 26-point spread is inside the spread', () => {
    // Buy at the ask 2650.26, stop 0.20 below = 2650.06: 20 points from the entry, the spread is 26 points,
    // so the bid (2650.00) is already under the stop.
    expect(
      stopDistanceIssues({
        spec: spec('XAUUSD'),
        side: 'buy',
        entry: 2650.26,
        stopLoss: 2650.06,
        quote: { bid: 2650, ask: 2650.26 },
        isMarket: true,
      }),
    ).toEqual([{ code: 'STOP_INSIDE_SPREAD', distancePoints: 20, spreadPoints: 26 }]);
    // 0.40 (40 points) clears the spread, and XAUUSD has no stops level.
    expect(
      stopDistanceIssues({
        spec: spec('XAUUSD'),
        side: 'buy',
        entry: 2650.26,
        stopLoss: 2649.86,
        quote: { bid: 2650, ask: 2650.26 },
        isMarket: true,
      }),
    ).toEqual([]);
  });

  it('measures a market stop from the close side against the stops level (EURUSD, level 15)', () => {
    const quote = { bid: 1.085, ask: 1.0851 }; // 10 points of spread
    const eurusd = spec('EURUSD', 15);
    // Buy at 1.08510, stop 1.08490: 20 points from the entry, 10 from the bid < 15.
    expect(
      stopDistanceIssues({
        spec: eurusd,
        side: 'buy',
        entry: 1.0851,
        stopLoss: 1.0849,
        quote,
        isMarket: true,
      }),
    ).toEqual([{ code: 'STOP_INSIDE_STOPS_LEVEL', distancePoints: 10, stopsLevel: 15 }]);
    // Stop 1.08480: 20 points from the bid, clear.
    expect(
      stopDistanceIssues({
        spec: eurusd,
        side: 'buy',
        entry: 1.0851,
        stopLoss: 1.0848,
        quote,
        isMarket: true,
      }),
    ).toEqual([]);
    // Sell at the bid 1.08500, stop 1.08520: 20 from the entry, 10 above the ask < 15.
    expect(
      stopDistanceIssues({
        spec: eurusd,
        side: 'sell',
        entry: 1.085,
        stopLoss: 1.0852,
        quote,
        isMarket: true,
      }),
    ).toEqual([{ code: 'STOP_INSIDE_STOPS_LEVEL', distancePoints: 10, stopsLevel: 15 }]);
  });

  it('measures a pending order’s stop from its own price', () => {
    const quote = { bid: 1.085, ask: 1.0851 };
    const eurusd = spec('EURUSD', 15);
    const at = (stopLoss: number) =>
      stopDistanceIssues({ spec: eurusd, side: 'buy', entry: 1.08, stopLoss, quote, isMarket: false });
    expect(at(1.0799)).toEqual([{ code: 'STOP_INSIDE_SPREAD', distancePoints: 10, spreadPoints: 10 }]);
    expect(at(1.07988)).toEqual([{ code: 'STOP_INSIDE_STOPS_LEVEL', distancePoints: 12, stopsLevel: 15 }]);
    expect(at(1.07985)).toEqual([]);
  });

  it('works in JPY points (3 digits) and ignores a stop on the wrong side', () => {
    const quote = { bid: 150, ask: 150.02 }; // 20 points
    expect(
      stopDistanceIssues({
        spec: spec('USDJPY'),
        side: 'sell',
        entry: 150,
        stopLoss: 150.015,
        quote,
        isMarket: true,
      }),
    ).toEqual([{ code: 'STOP_INSIDE_SPREAD', distancePoints: 15, spreadPoints: 20 }]);
    expect(
      stopDistanceIssues({
        spec: spec('USDJPY'),
        side: 'sell',
        entry: 150,
        stopLoss: 149.9,
        quote,
        isMarket: true,
      }),
    ).toEqual([]);
    expect(
      stopDistanceIssues({
        spec: spec('USDJPY'),
        side: 'sell',
        entry: 150,
        stopLoss: 150.5,
        quote,
        isMarket: true,
      }),
    ).toEqual([]);
  });
});
