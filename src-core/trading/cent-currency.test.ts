import { describe, expect, it } from 'vitest';
import { centCurrency, isCentCurrency } from './cent-currency';
import { convert, resolveConversion } from './conversion';
import { calculateMargin } from './margin';
import { findCatalogSymbol } from './catalog';

describe('cent currencies', () => {
  it('knows USC and EUC, and nothing else', () => {
    expect(centCurrency('USC')).toEqual({ parent: 'USD', perParent: 100 });
    expect(isCentCurrency('EUC')).toBe(true);
    expect(isCentCurrency('USD')).toBe(false);
    // An inherited property name must not pass for a currency.
    expect(isCentCurrency('constructor')).toBe(false);
  });

  it('converts USD to USC at 100 and back at 1/100, with no rate needed', () => {
    expect(resolveConversion('USD', 'USC', {})).toEqual({
      ok: true,
      value: { rate: 100, kind: 'cent', pairs: ['USC/USD'] },
    });
    expect(convert(12.5, 'USC', 'USD', {})).toEqual({ ok: true, value: 0.125 });
    expect(resolveConversion('USC', 'USC', {})).toEqual({
      ok: true,
      value: { rate: 1, kind: 'same', pairs: [] },
    });
  });

  it('converts through the parent currency: JPY profit on a USC account via USDJPY', () => {
    // 15,000 JPY at USDJPY 150 = 100 USD = 10,000 USC.
    const r = convert(15_000, 'JPY', 'USC', { USDJPY: 150 });
    expect(r.ok && r.value).toBeCloseTo(10_000, 9);
    const route = resolveConversion('EUC', 'USC', { EURUSD: 1.1 });
    expect(route.ok && route.value.kind).toBe('direct');
    expect(route.ok && route.value.rate).toBeCloseTo(1.1, 12);
    expect(route.ok && route.value.pairs).toEqual(['EUC/EUR', 'USC/USD', 'EURUSD']);
  });

  it('still refuses when the parent has no rate', () => {
    const r = resolveConversion('SEK', 'USC', {});
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('MISSING_CONVERSION_RATE');
  });

  it('prices margin in cents: 0.1 lot of a 1,000-unit EURUSD at 1:100 on a USC account', () => {
    // Hand-computed: 0.1 × 1,000 EUR / 100 = 1 EUR = 1.085 USD = 108.5 USC.
    const base = findCatalogSymbol('EURUSD');
    if (base === undefined) throw new Error('catalog lacks EURUSD');
    const margin = calculateMargin({
      spec: { ...base, name: 'EURUSDc', contractSize: 1_000 },
      side: 'buy',
      volume: 0.1,
      price: 1.085,
      leverage: 100,
      accountCurrency: 'USC',
      rates: {},
    });
    expect(margin).toEqual({ ok: true, value: 108.5 });
  });
});
