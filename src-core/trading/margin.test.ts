import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calculateMargin, marginInMarginCurrency, type MarginInput } from './margin';
import { roundMoney } from './numbers';
import { findCatalogSymbol, SYMBOL_CATALOG, CATALOG_MID_PRICES } from './catalog';
import type { SymbolSpec } from './symbol-spec';
import { convert, ratesFromSymbols, withSymbolPrice, type Rates } from './conversion';

const spec = (name: string): SymbolSpec => {
  const s = findCatalogSymbol(name);
  if (s === undefined) throw new Error(`no ${name} in the catalog`);
  return s;
};
const rates: Rates = { EURUSD: 1.085, GBPUSD: 1.27, USDJPY: 150 };
const base = { side: 'buy', leverage: 100, accountCurrency: 'USD', rates } as const;
const margin = (input: Partial<MarginInput> & Pick<MarginInput, 'spec' | 'volume' | 'price'>) =>
  calculateMargin({ ...base, ...input });

describe('calculateMargin: worked examples per calc mode', () => {
  it('FOREX EURUSD, USD account: 1 lot × 100,000 / 100 = 1,000 EUR × 1.0850 (order price) = 1,085.00 USD', () => {
    expect(margin({ spec: spec('EURUSD'), volume: 1, price: 1.085 })).toEqual({ ok: true, value: 1085 });
  });
  it('FOREX USDJPY, USD account: 0.5 × 100,000 / 100 = 500 USD, no conversion', () => {
    expect(margin({ spec: spec('USDJPY'), volume: 0.5, price: 150 })).toEqual({ ok: true, value: 500 });
  });
  it('FOREX GBPJPY, USD account: 1,000 GBP × GBPUSD 1.27 = 1,270.00 USD', () => {
    expect(margin({ spec: spec('GBPJPY'), volume: 1, price: 190.5 })).toEqual({ ok: true, value: 1270 });
  });
  it('FOREX EURJPY, EUR account at 1:30: 100,000 / 30 = 3,333.333… → 3,333.33 EUR', () => {
    const r = margin({
      spec: spec('EURJPY'),
      volume: 1,
      price: 162.75,
      leverage: 30,
      accountCurrency: 'EUR',
    });
    expect(r).toEqual({ ok: true, value: 3333.33 });
  });
  it('FOREX EURGBP, GBP account: 1,000 EUR × 0.8543 (order price) = 854.30 GBP', () => {
    const r = margin({ spec: spec('EURGBP'), volume: 1, price: 0.8543, accountCurrency: 'GBP' });
    expect(r).toEqual({ ok: true, value: 854.3 });
  });
  it('FOREX USDJPY on a JPY account with 0 decimals: 1,000 USD × 150 = 150,000 JPY', () => {
    const r = margin({
      spec: spec('USDJPY'),
      volume: 1,
      price: 150,
      accountCurrency: 'JPY',
      currencyDigits: 0,
    });
    expect(r).toEqual({ ok: true, value: 150000 });
  });
  it('FOREX XAUUSD (margin in XAU): 1 lot × 100 oz / 100 = 1 XAU × 2,650.00 = 2,650.00 USD', () => {
    expect(margin({ spec: spec('XAUUSD'), volume: 1, price: 2650 })).toEqual({ ok: true, value: 2650 });
  });
  it('FOREX_NO_LEVERAGE USDTRY: 0.1 × 100,000 × 0.2 = 2,000 USD, leverage ignored', () => {
    expect(margin({ spec: spec('USDTRY'), volume: 0.1, price: 34.2, leverage: 0 })).toEqual({
      ok: true,
      value: 2000,
    });
  });
  it('CFDLEVERAGE XAGUSD: 1 × 5,000 × 31.000 / 100 = 1,550.00 USD', () => {
    expect(margin({ spec: spec('XAGUSD'), volume: 1, price: 31 })).toEqual({ ok: true, value: 1550 });
  });
  it('CFDINDEX US30: 1 × 1 × 39,000 × (0.1 × 1)/0.1 × 0.01 = 390.00 USD', () => {
    expect(margin({ spec: spec('US30'), volume: 1, price: 39000 })).toEqual({ ok: true, value: 390 });
  });
  it('CFD US500: 2 × 1 × 5,200 × 0.05 = 520.00 USD, leverage ignored', () => {
    expect(margin({ spec: spec('US500'), volume: 2, price: 5200, leverage: 0 })).toEqual({
      ok: true,
      value: 520,
    });
  });
  it('CFD GER40 on a USD account: 1 × 18,500 × 0.05 = 925 EUR × 1.085 = 1,003.625 → 1,003.63 USD (half-up)', () => {
    expect(margin({ spec: spec('GER40'), volume: 1, price: 18500 })).toEqual({ ok: true, value: 1003.63 });
  });
  it('CFD JP225 on a USD account: 1 × 100 × 38,500 × 0.05 = 192,500 JPY / 150 = 1,283.33 USD', () => {
    expect(margin({ spec: spec('JP225'), volume: 1, price: 38500 })).toEqual({ ok: true, value: 1283.33 });
  });
  it('CFD BTCUSD: 0.1 × 1 × 65,000 × 0.5 = 3,250.00 USD', () => {
    expect(margin({ spec: spec('BTCUSD'), volume: 0.1, price: 65000 })).toEqual({ ok: true, value: 3250 });
  });
  it('CFDLEVERAGE ETHUSD: 1 × 1 × 3,400 / 100 = 34.00 USD', () => {
    expect(margin({ spec: spec('ETHUSD'), volume: 1, price: 3400 })).toEqual({ ok: true, value: 34 });
  });
  it('EXCH_STOCKS AAPL: 10 shares × 1 × 190.00 × 1 = 1,900.00 USD', () => {
    expect(margin({ spec: spec('AAPL'), volume: 10, price: 190 })).toEqual({ ok: true, value: 1900 });
  });
  it('FUTURES CLF27: 2 lots × 6,000 initial margin × 1 = 12,000.00 USD, whatever the price', () => {
    expect(margin({ spec: spec('CLF27'), volume: 2, price: 72.5 })).toEqual({ ok: true, value: 12000 });
    expect(margin({ spec: spec('CLF27'), volume: 2, price: 90 })).toEqual({ ok: true, value: 12000 });
  });
});

describe('calculateMargin: errors', () => {
  const code = (r: ReturnType<typeof calculateMargin>): string | undefined =>
    r.ok ? undefined : r.error.code;
  it('rejects bad volume, price and leverage', () => {
    expect(code(margin({ spec: spec('EURUSD'), volume: 0, price: 1.085 }))).toBe('INVALID_VOLUME');
    expect(code(margin({ spec: spec('EURUSD'), volume: NaN, price: 1.085 }))).toBe('INVALID_VOLUME');
    expect(code(margin({ spec: spec('EURUSD'), volume: 1, price: -1 }))).toBe('INVALID_PRICE');
    expect(code(margin({ spec: spec('EURUSD'), volume: 1, price: 1.085, leverage: 0 }))).toBe(
      'INVALID_LEVERAGE',
    );
    expect(code(margin({ spec: spec('NAS100'), volume: 1, price: 18000, leverage: -5 }))).toBe(
      'INVALID_LEVERAGE',
    );
  });
  it('fails on a futures spec without an initial margin', () => {
    const { marginInitial: _omit, ...noInitial } = spec('CLF27');
    expect(code(margin({ spec: noInitial, volume: 1, price: 72.5 }))).toBe('INVALID_SYMBOL_SPEC');
  });
  it('fails with MISSING_CONVERSION_RATE when the margin currency cannot reach the account currency', () => {
    // GBPJPY on a USD account with no rate at all: the symbol price gives GBP↔JPY only
    expect(code(margin({ spec: spec('GBPJPY'), volume: 1, price: 190.5, rates: {} }))).toBe(
      'MISSING_CONVERSION_RATE',
    );
  });
  it('reaches the account currency through the symbol itself: GBP → JPY (190.5) → USD (USDJPY 150)', () => {
    const r = margin({ spec: spec('GBPJPY'), volume: 1, price: 190.5, rates: { USDJPY: 150 } });
    expect(r.ok && r.value).toBeCloseTo((100_000 / 100) * (190.5 / 150), 2);
  });
});

describe('calculateMargin: properties', () => {
  it('is proportional to volume (within rounding) for every catalog symbol', () => {
    const catalogRates = { ...CATALOG_MID_PRICES };
    fc.assert(
      fc.property(fc.constantFrom(...SYMBOL_CATALOG), fc.integer({ min: 1, max: 1000 }), (s, steps) => {
        const price = CATALOG_MID_PRICES[s.name] ?? 1;
        const one = calculateMargin({ ...base, rates: catalogRates, spec: s, volume: s.volumeStep, price });
        const many = calculateMargin({
          ...base,
          rates: catalogRates,
          spec: s,
          volume: s.volumeStep * steps,
          price,
        });
        expect(one.ok && many.ok).toBe(true);
        if (one.ok && many.ok)
          expect(Math.abs(many.value - one.value * steps)).toBeLessThanOrEqual(0.005 * steps + 0.005);
      }),
    );
  });
});

describe('calculateMargin: converts at the order price without copying the rates', () => {
  it('equals converting through withSymbolPrice for every catalog symbol, account currency and price', () => {
    const catalogRates = ratesFromSymbols(
      SYMBOL_CATALOG.map((s) => ({ spec: s, mid: CATALOG_MID_PRICES[s.name] ?? 0 })),
    );
    const currencies = ['USD', 'EUR', 'JPY', 'GBP', 'CHF', 'AUD', 'XAU', 'BTC', 'USC', 'EUC'];
    fc.assert(
      fc.property(
        fc.constantFrom(...SYMBOL_CATALOG),
        fc.constantFrom(...currencies),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (s, accountCurrency, factor) => {
          const price = (CATALOG_MID_PRICES[s.name] ?? 1) * factor;
          const input = { ...base, accountCurrency, rates: catalogRates, spec: s, volume: 1, price };
          const inMargin = marginInMarginCurrency(input);
          const converted = inMargin.ok
            ? convert(
                inMargin.value,
                s.currencyMargin,
                accountCurrency,
                withSymbolPrice(catalogRates, s, price),
              )
            : inMargin;
          const expected = converted.ok ? { ok: true, value: roundMoney(converted.value, 2) } : converted;
          expect(calculateMargin(input)).toEqual(expected);
        },
      ),
    );
  });

  it('takes a cent account through the parent currency as convert does, not through a symbol quoted in cents', () => {
    // EURUSC (a broker quoting EURUSD in US cents) on a USC account: the fast path must not take the symbol's own
    // price as the EUR → USC rate where convert goes through USD (cent-currency.ts).
    const centQuoted = { ...spec('EURUSD'), name: 'EURUSC', currencyProfit: 'USC' };
    const input = { ...base, accountCurrency: 'USC', spec: centQuoted, volume: 1, price: 110 };
    const viaConvert = convert(1000, 'EUR', 'USC', withSymbolPrice(rates, centQuoted, 110));
    expect(viaConvert.ok && viaConvert.value).toBeCloseTo(108_500, 6);
    expect(calculateMargin(input)).toEqual({ ok: true, value: 108_500 });
  });
});
