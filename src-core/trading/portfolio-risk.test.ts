import { describe, expect, it } from 'vitest';
import { findCatalogSymbol } from './catalog';
import { portfolioRisk, type RiskPosition } from './portfolio-risk';
import type { SymbolSpec } from './symbol-spec';

const spec = (name: string): SymbolSpec => {
  const s = findCatalogSymbol(name);
  if (s === undefined) throw new Error(`no ${name} in the catalog`);
  return s;
};
const specs = { EURUSD: spec('EURUSD'), USDJPY: spec('USDJPY'), XAUUSD: spec('XAUUSD') };
const pos = (p: Partial<RiskPosition> & Pick<RiskPosition, 'symbol' | 'priceOpen' | 'sl'>): RiskPosition => ({
  ticket: `${p.symbol}-${p.priceOpen}`,
  side: 'buy',
  volume: 1,
  ...p,
});

describe('portfolioRisk: money lost if every stop is hit', () => {
  it('adds the loss to each stop from the open price (USD account)', () => {
    const r = portfolioRisk({
      positions: [
        // 20 pips = 200 ticks × 1 USD × 0.5 lots = 100.00
        pos({ symbol: 'EURUSD', volume: 0.5, priceOpen: 1.085, sl: 1.083 }),
        // 500 ticks × (100 JPY / 150.5) × 0.3 lots = 99.67 (the JPY loss converted at the stop)
        pos({ symbol: 'USDJPY', side: 'sell', volume: 0.3, priceOpen: 150, sl: 150.5 }),
        // 1,000 ticks × 1 USD × 0.1 lots = 100.00
        pos({ symbol: 'XAUUSD', volume: 0.1, priceOpen: 2650, sl: 2640 }),
      ],
      specs,
      accountCurrency: 'USD',
      rates: {},
      currencyDigits: 2,
    });
    expect(r).toEqual({ atRisk: 299.67, counted: 3, unbounded: [], unknown: [] });
  });

  it('lists positions without a stop as unbounded and counts a stop in profit as 0', () => {
    const r = portfolioRisk({
      positions: [
        pos({ ticket: '7', symbol: 'EURUSD', priceOpen: 1.085, sl: null }),
        pos({ ticket: '8', symbol: 'EURUSD', priceOpen: 1.085, sl: 1.086 }),
        pos({ ticket: '9', symbol: 'GER40', priceOpen: 18_500, sl: 18_400 }),
      ],
      specs,
      accountCurrency: 'USD',
      rates: {},
      currencyDigits: 2,
    });
    expect(r).toEqual({ atRisk: 0, counted: 1, unbounded: ['7'], unknown: ['9'] });
  });

  it('converts to a EUR account at the stop price: 1,000 USD / 1.09 = 917.43 EUR', () => {
    const r = portfolioRisk({
      positions: [pos({ symbol: 'EURUSD', priceOpen: 1.1, sl: 1.09 })],
      specs,
      accountCurrency: 'EUR',
      rates: {},
      currencyDigits: 2,
    });
    expect(r.atRisk).toBe(917.43);
  });

  it('marks a position unknown when no rate converts its loss', () => {
    const r = portfolioRisk({
      positions: [pos({ ticket: '3', symbol: 'USDJPY', priceOpen: 150, sl: 149 })],
      specs,
      accountCurrency: 'GBP',
      rates: {},
      currencyDigits: 2,
    });
    expect(r).toEqual({ atRisk: 0, counted: 0, unbounded: [], unknown: ['3'] });
  });
});
