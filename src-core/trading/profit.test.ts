import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calculateProfit, tickValueInAccountCurrency } from './profit';
import { calculatePositionSize } from './sizing';
import { findCatalogSymbol } from './catalog';
import type { SymbolSpec } from './symbol-spec';

const spec = (name: string): SymbolSpec => {
  const s = findCatalogSymbol(name);
  if (s === undefined) throw new Error(`no ${name} in the catalog`);
  return s;
};
const rates = { EURUSD: 1.085, GBPUSD: 1.27, USDJPY: 150 };

describe('tickValueInAccountCurrency', () => {
  it('derives from the contract and converts at the given price; a terminal tick value wins', () => {
    expect(tickValueInAccountCurrency(spec('EURUSD'), 'USD', rates, 1.085)).toEqual({ ok: true, value: 1 });
    const jpy = tickValueInAccountCurrency(spec('USDJPY'), 'USD', rates, 125);
    expect(jpy.ok && jpy.value).toBeCloseTo(100 / 125, 12);
    expect(tickValueInAccountCurrency({ ...spec('USDJPY'), tickValue: 0.7 }, 'USD', {}, 125)).toEqual({
      ok: true,
      value: 0.7,
    });
    expect(tickValueInAccountCurrency(spec('GBPJPY'), 'ZAR', rates, 190).ok).toBe(false);
  });
});

describe('calculateProfit', () => {
  it('EURUSD buy 0.5 lots 1.08500 → 1.08700: 0.002 × 100,000 × 0.5 = 100.00 USD', () => {
    const r = calculateProfit({
      spec: spec('EURUSD'),
      side: 'buy',
      volume: 0.5,
      openPrice: 1.085,
      closePrice: 1.087,
      accountCurrency: 'USD',
      rates,
    });
    expect(r).toEqual({ ok: true, value: 100 });
  });
  it('USDJPY sell 1 lot 150.000 → 150.500: −50,000 JPY at 150.5 = −332.23 USD', () => {
    const r = calculateProfit({
      spec: spec('USDJPY'),
      side: 'sell',
      volume: 1,
      openPrice: 150,
      closePrice: 150.5,
      accountCurrency: 'USD',
      rates,
    });
    expect(r).toEqual({ ok: true, value: -332.23 });
  });
  it('GER40 buy 1 lot 18,500 → 18,550 on a USD account: 50 EUR × 1.085 = 54.25 USD', () => {
    const r = calculateProfit({
      spec: spec('GER40'),
      side: 'buy',
      volume: 1,
      openPrice: 18500,
      closePrice: 18550,
      accountCurrency: 'USD',
      rates,
    });
    expect(r).toEqual({ ok: true, value: 54.25 });
  });
  it('rejects non-positive inputs', () => {
    const r = calculateProfit({
      spec: spec('EURUSD'),
      side: 'buy',
      volume: 0,
      openPrice: 1,
      closePrice: 1,
      accountCurrency: 'USD',
      rates,
    });
    expect(r.ok ? '' : r.error.code).toBe('INVALID_PRICE');
  });
  it('property: the loss at the stop equals the sizing actual risk (no commission), for JPY and USD pairs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('EURUSD', 'USDJPY', 'GBPJPY', 'XAUUSD', 'US30'),
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.integer({ min: 10, max: 5000 }),
        (name, side, ticks) => {
          const s = spec(name);
          const entry =
            name === 'USDJPY'
              ? 150
              : name === 'GBPJPY'
                ? 190.5
                : name === 'XAUUSD'
                  ? 2650
                  : name === 'US30'
                    ? 39000
                    : 1.085;
          const sl = Number(
            (side === 'buy' ? entry - ticks * s.tickSize : entry + ticks * s.tickSize).toFixed(s.digits),
          );
          const size = calculatePositionSize({
            accountCurrency: 'USD',
            baseAmount: 50_000,
            risk: { mode: 'percent', value: 1 },
            side,
            entryPrice: entry,
            stopLoss: { mode: 'price', value: sl },
            spec: s,
            rates,
          });
          if (!size.ok || size.value.lotSize === 0) return;
          const p = calculateProfit({
            spec: s,
            side,
            volume: size.value.lotSize,
            openPrice: entry,
            closePrice: sl,
            accountCurrency: 'USD',
            rates,
          });
          expect(p.ok && p.value).toBeCloseTo(-size.value.actualRiskAmount, 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
