import { describe, expect, it } from 'vitest';
import { findCatalogSymbol } from './catalog';
import { maxVolumeByMargin, type MarginCapacityInput } from './margin-capacity';
import type { SymbolSpec } from './symbol-spec';

const spec = (name: string): SymbolSpec => {
  const s = findCatalogSymbol(name);
  if (s === undefined) throw new Error(`no ${name} in the catalog`);
  return s;
};
const usd = { side: 'buy', leverage: 100, accountCurrency: 'USD', rates: {} } as const;
const capacity = (
  input: Partial<MarginCapacityInput> & Pick<MarginCapacityInput, 'spec' | 'price' | 'freeMargin'>,
) => maxVolumeByMargin({ ...usd, ...input });

// Every expected value is worked by hand in its title: margin of one lot, then free / per lot rounded down.
describe('maxVolumeByMargin: the lots the free margin carries', () => {
  it('EURUSD on USD 1:100: 1 lot = 1,000 EUR × 1.0850 = 1,085 USD; 9,000 / 1,085 = 8.29…', () => {
    expect(capacity({ spec: spec('EURUSD'), price: 1.085, freeMargin: 9_000 })).toEqual({
      ok: true,
      value: { maxLots: 8.29, marginPerLot: 1085 },
    });
  });
  it('USDJPY on USD (JPY pair, margin in USD): 1 lot = 1,000 USD; 5,000 / 1,000 = 5.00 exactly', () => {
    expect(capacity({ spec: spec('USDJPY'), side: 'sell', price: 150, freeMargin: 5_000 })).toEqual({
      ok: true,
      value: { maxLots: 5, marginPerLot: 1000 },
    });
  });
  it('XAUUSD on USD: 1 lot = 100 oz × 2,650 / 100 = 2,650 USD; 9,000 / 2,650 = 3.396 → 3.39', () => {
    const r = capacity({ spec: spec('XAUUSD'), price: 2650, freeMargin: 9_000 });
    expect(r).toEqual({ ok: true, value: { maxLots: 3.39, marginPerLot: 2650 } });
  });
  it('GBPJPY on USD through GBPUSD 1.27: 1 lot = 1,270 USD; 1,000 / 1,270 = 0.787 → 0.78', () => {
    const r = capacity({ spec: spec('GBPJPY'), price: 190.5, freeMargin: 1_000, rates: { GBPUSD: 1.27 } });
    expect(r).toEqual({ ok: true, value: { maxLots: 0.78, marginPerLot: 1270 } });
  });
  it('EURUSD on a JPY account (cross through USD): 1,000 EUR × 1.085 × 150 = 162,750 JPY; 1,000,000 → 6.14', () => {
    const r = capacity({
      spec: spec('EURUSD'),
      price: 1.085,
      freeMargin: 1_000_000,
      accountCurrency: 'JPY',
      rates: { USDJPY: 150 },
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.maxLots).toBe(6.14);
    expect(r.value.marginPerLot).toBeCloseTo(162_750, 6);
  });
  it('is 0 below the minimum volume and capped at the symbol maximum', () => {
    // 5 / 1,085 = 0.0046 lots < 0.01; 10,000,000 / 1,085 = 9,216 lots > 100.
    expect(capacity({ spec: spec('EURUSD'), price: 1.085, freeMargin: 5 })).toMatchObject({
      ok: true,
      value: { maxLots: 0 },
    });
    expect(capacity({ spec: spec('EURUSD'), price: 1.085, freeMargin: 10_000_000 })).toMatchObject({
      ok: true,
      value: { maxLots: 100 },
    });
  });
  it('treats a negative or non-finite free margin as none, and says when a rate is missing', () => {
    for (const freeMargin of [-500, Number.NaN, Number.NEGATIVE_INFINITY]) {
      expect(capacity({ spec: spec('EURUSD'), price: 1.085, freeMargin })).toMatchObject({
        ok: true,
        value: { maxLots: 0 },
      });
    }
    expect(capacity({ spec: spec('GBPJPY'), price: 190.5, freeMargin: 1_000 })).toMatchObject({
      ok: false,
      error: { code: 'MISSING_CONVERSION_RATE' },
    });
    expect(capacity({ spec: spec('EURUSD'), price: 0, freeMargin: 1_000 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PRICE' },
    });
    expect(capacity({ spec: spec('EURUSD'), price: 1e308, freeMargin: 1e308 })).toMatchObject({ ok: true });
  });
});
