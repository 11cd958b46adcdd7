import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Rates,
  conversionRate,
  convert,
  ratesFromSymbols,
  resolveConversion,
  withSymbolPrice,
} from './conversion';
import { CATALOG_MID_PRICES, SYMBOL_CATALOG } from './catalog';

const rates: Rates = {
  EURUSD: 1.085,
  GBPUSD: 1.27,
  USDJPY: 150,
  USDCHF: 0.88,
  EURSEK: 11.45,
  EURGBP: 0.85433,
};

describe('conversionRate', () => {
  it('is 1 for the same currency', () => {
    expect(resolveConversion('USD', 'USD', {})).toEqual({
      ok: true,
      value: { rate: 1, kind: 'same', pairs: [] },
    });
  });
  it('uses the direct pair: 1 EUR = 1.085 USD', () => {
    expect(resolveConversion('EUR', 'USD', rates)).toEqual({
      ok: true,
      value: { rate: 1.085, kind: 'direct', pairs: ['EURUSD'] },
    });
  });
  it('uses the inverse pair: 1 JPY = 1/150 USD', () => {
    const r = resolveConversion('JPY', 'USD', rates);
    expect(r.ok && r.value.kind).toBe('inverse');
    expect(r.ok && r.value.rate).toBeCloseTo(1 / 150, 15);
  });
  it('crosses through USD: 1 GBP = 1.27 × 150 = 190.5 JPY', () => {
    const r = resolveConversion('GBP', 'JPY', rates);
    expect(r.ok && r.value).toEqual({ rate: 1.27 * 150, kind: 'cross', pairs: ['GBPUSD', 'USDJPY'] });
  });
  it('crosses through USD with an inverse leg: 1 JPY = (1/150) × 0.88 CHF', () => {
    const r = conversionRate('JPY', 'CHF', rates);
    expect(r.ok && r.value).toBeCloseTo(0.88 / 150, 15);
  });
  it('crosses through EUR when USD has no path: 1 SEK = (1/11.45) × 0.85433 GBP', () => {
    const r = resolveConversion('SEK', 'GBP', rates);
    expect(r.ok && r.value.pairs).toEqual(['EURSEK', 'EURGBP']);
    expect(r.ok && r.value.rate).toBeCloseTo(0.85433 / 11.45, 12);
  });
  it('fails with MISSING_CONVERSION_RATE, never a silent 1', () => {
    const r = conversionRate('ZAR', 'JPY', rates);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('MISSING_CONVERSION_RATE');
      expect(r.error.message).toContain('ZAR');
      expect(r.error.details).toEqual({ from: 'ZAR', to: 'JPY' });
    }
  });
  it('ignores zero, negative and NaN rates', () => {
    expect(conversionRate('EUR', 'USD', { EURUSD: 0 }).ok).toBe(false);
    expect(conversionRate('EUR', 'USD', { EURUSD: -1 }).ok).toBe(false);
    expect(conversionRate('EUR', 'USD', { EURUSD: NaN, USDEUR: 0.5 })).toEqual({ ok: true, value: 2 });
  });
  it('does not chain more than two legs', () => {
    // SEK → EUR → USD → JPY would need three legs: not found
    expect(conversionRate('SEK', 'JPY', { EURSEK: 11.45, EURUSD: 1.085, USDJPY: 150 }).ok).toBe(false);
  });
});

describe('convert', () => {
  it('converts money and passes errors through', () => {
    expect(convert(100, 'EUR', 'USD', rates)).toEqual({ ok: true, value: 108.5 });
    expect(convert(100, 'EUR', 'ZAR', rates).ok).toBe(false);
  });
  it('finds a path between any two of the main currencies in the catalog', () => {
    const all = ratesFromSymbols(
      SYMBOL_CATALOG.map((spec) => ({ spec, mid: CATALOG_MID_PRICES[spec.name] ?? 0 })),
    );
    const main = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'AUD', 'CAD', 'NZD', 'XAU', 'XAG', 'BTC'];
    for (const a of main) for (const b of main) expect(conversionRate(a, b, all).ok, `${a}->${b}`).toBe(true);
  });
  it('property: converting there and back returns the amount (catalog rates, every currency pair)', () => {
    const all = ratesFromSymbols(
      SYMBOL_CATALOG.map((spec) => ({ spec, mid: CATALOG_MID_PRICES[spec.name] ?? 0 })),
    );
    const currencies = [...new Set(SYMBOL_CATALOG.flatMap((s) => [s.currencyBase, s.currencyProfit]))];
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1e9, noNaN: true }),
        fc.constantFrom(...currencies),
        fc.constantFrom(...currencies),
        (amount, a, b) => {
          const there = convert(amount, a, b, all);
          const back = convert(there.ok ? there.value : 1, b, a, all);
          // a path exists both ways or neither way (XAU → SEK needs three legs: XAUUSD, EURUSD, EURSEK)
          expect(back.ok, `${a}<->${b}`).toBe(there.ok);
          if (!there.ok) return;
          if (back.ok) expect(Math.abs(back.value / amount - 1)).toBeLessThan(1e-12);
        },
      ),
    );
  });
});

describe('ratesFromSymbols and the Rates schema', () => {
  it('keys by base and profit currency, skipping same-currency CFDs', () => {
    const r = ratesFromSymbols([
      { spec: { currencyBase: 'EUR', currencyProfit: 'USD' }, mid: 1.1 },
      { spec: { currencyBase: 'USD', currencyProfit: 'USD' }, mid: 39000 },
      { spec: { currencyBase: 'GBP', currencyProfit: 'USD' }, mid: 0 },
    ]);
    expect(r).toEqual({ EURUSD: 1.1 });
  });
  it('validates rates at a boundary', () => {
    expect(Rates.safeParse({ EURUSD: 1.1 }).success).toBe(true);
    expect(Rates.safeParse({ EURUSD: -1 }).success).toBe(false);
    expect(Rates.safeParse({ EURUSD: '1.1' }).success).toBe(false);
  });
});

describe('withSymbolPrice', () => {
  it('adds the symbol price as its base/profit rate, replacing mids and inverse entries', () => {
    const spec = { currencyBase: 'USD', currencyProfit: 'JPY' };
    expect(withSymbolPrice({ USDJPY: 150, JPYUSD: 0.0066 }, spec, 148.5)).toEqual({ USDJPY: 148.5 });
    expect(withSymbolPrice({ A: 1 }, { currencyBase: 'USD', currencyProfit: 'USD' }, 39000)).toEqual({
      A: 1,
    });
    expect(conversionRate('JPY', 'USD', withSymbolPrice({}, spec, 148.5))).toEqual({
      ok: true,
      value: 1 / 148.5,
    });
  });
});

describe('conversionRate through a third currency', () => {
  it('converts EUR to USD from EURJPY and USDJPY alone (through JPY)', () => {
    const r = conversionRate('EUR', 'USD', { EURJPY: 162, USDJPY: 150 });
    expect(r.ok && r.value).toBeCloseTo(162 / 150, 12);
  });

  it('prefers USD over another currency when both give a path', () => {
    const route = resolveConversion('GBP', 'JPY', { GBPUSD: 1.27, USDJPY: 150, GBPCHF: 1.1, CHFJPY: 170 });
    expect(route.ok && route.value.pairs).toEqual(['GBPUSD', 'USDJPY']);
  });
});
