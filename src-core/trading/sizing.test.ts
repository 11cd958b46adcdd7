import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calculatePositionSize, PositionSize, PositionSizeInput, type PositionSizeInputRaw } from './sizing';
import { CATALOG_MID_PRICES, SYMBOL_CATALOG, findCatalogSymbol } from './catalog';
import { isMultipleOfStep, normalizePrice } from './numbers';
import type { SymbolSpec } from './symbol-spec';
import type { Result } from '../result';

const spec = (name: string): SymbolSpec => {
  const s = findCatalogSymbol(name);
  if (s === undefined) throw new Error(`no ${name} in the catalog`);
  return s;
};
const rates = { EURUSD: 1.085, GBPUSD: 1.27, USDJPY: 150 };

const usd = (
  name: string,
  over: Partial<PositionSizeInputRaw> & Pick<PositionSizeInputRaw, 'entryPrice' | 'stopLoss'>,
): PositionSizeInputRaw => ({
  accountCurrency: 'USD',
  baseAmount: 10_000,
  risk: { mode: 'percent', value: 1 },
  side: 'buy',
  spec: spec(name),
  rates,
  ...over,
});

const value = (r: Result<PositionSize>): PositionSize => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};
const code = (r: Result<PositionSize>): string => (r.ok ? 'ok' : r.error.code);

describe('calculatePositionSize: worked examples', () => {
  it('EURUSD on USD: 1% of 10,000 = 100; 20 pips; 1 USD per tick → 200/lot → 0.50 lots', () => {
    // distance 1.08500 - 1.08300 = 0.00200 = 200 points = 20 pips; tick value 0.00001 × 100,000 = 1 USD
    // loss/lot = 200 × 1 = 200; lots = 100 / 200 = 0.5; margin 0.5 × 100,000 / 100 = 500 EUR × 1.085 = 542.50
    const r = value(
      calculatePositionSize(usd('EURUSD', { entryPrice: 1.085, stopLoss: { mode: 'price', value: 1.083 } })),
    );
    expect(r).toEqual({
      lotSize: 0.5,
      riskAmount: 100,
      stopLossPrice: 1.083,
      stopLossPips: 20,
      stopLossPoints: 200,
      marginRequired: 542.5,
      actualRiskAmount: 100,
      pipValuePerLot: 10,
      lossPerLot: 200,
      flags: [],
    });
    expect(PositionSize.safeParse(r).success).toBe(true);
  });

  it('EURUSD: a stop in pips or points gives the same answer as the price', () => {
    const byPrice = value(
      calculatePositionSize(usd('EURUSD', { entryPrice: 1.085, stopLoss: { mode: 'price', value: 1.083 } })),
    );
    const byPips = value(
      calculatePositionSize(usd('EURUSD', { entryPrice: 1.085, stopLoss: { mode: 'pips', value: 20 } })),
    );
    const byPoints = value(
      calculatePositionSize(usd('EURUSD', { entryPrice: 1.085, stopLoss: { mode: 'points', value: 200 } })),
    );
    expect(byPips).toEqual(byPrice);
    expect(byPoints).toEqual(byPrice);
  });

  it('USDJPY on USD (sell): converts the JPY loss at the stop-loss price', () => {
    // sell 150.000, SL 150.500: 0.500 = 500 points = 50 pips; tick 0.001 × 100,000 = 100 JPY
    // 100 JPY at the SL rate 150.5 = 0.66445 USD; loss/lot = 500 × 100 / 150.5 = 332.2259 USD
    // lots = 100 / 332.2259 = 0.301 → 0.30; actual = 0.30 × 332.2259 = 99.668 → 99.67
    // pip value = 1,000 JPY / 150.5 = 6.645 → 6.64 (half-up of 6.6445); margin 0.30 × 100,000 / 100 = 300 USD
    const r = value(
      calculatePositionSize(
        usd('USDJPY', { side: 'sell', entryPrice: 150, stopLoss: { mode: 'price', value: 150.5 } }),
      ),
    );
    expect(r.lotSize).toBe(0.3);
    expect(r.stopLossPips).toBe(50);
    expect(r.stopLossPoints).toBe(500);
    expect(r.lossPerLot).toBeCloseTo(50_000 / 150.5, 9);
    expect(r.actualRiskAmount).toBe(99.67);
    expect(r.pipValuePerLot).toBe(6.64);
    expect(r.marginRequired).toBe(300);
  });

  it('GBPJPY on USD: JPY converted through USDJPY from the rates; exactly-on-the-step lots survive float noise', () => {
    // 2% of 5,000 = 100; buy 190.500, SL 189.500 = 1.000 = 1,000 points = 100 pips
    // 100 JPY per tick / 150 = 0.6667 USD; loss/lot = 1,000 × 0.6667 = 666.67; lots = 100 / 666.67 = 0.15 exactly
    // margin 0.15 × 100,000 / 100 = 150 GBP × 1.27 = 190.50 USD
    const r = value(
      calculatePositionSize(
        usd('GBPJPY', {
          baseAmount: 5000,
          risk: { mode: 'percent', value: 2 },
          entryPrice: 190.5,
          stopLoss: { mode: 'price', value: 189.5 },
        }),
      ),
    );
    expect(r).toMatchObject({
      lotSize: 0.15,
      stopLossPips: 100,
      actualRiskAmount: 100,
      pipValuePerLot: 6.67,
    });
    expect(r.marginRequired).toBe(190.5);
  });

  it('EURJPY on a EUR account: converts at the stop-loss price (account currency = base)', () => {
    // 0.5% of 20,000 EUR = 100; buy 162.750, SL 162.250 = 50 pips = 500 points
    // loss/lot = 500 × 100 JPY / 162.25 = 308.166 EUR; lots = 0.3245 → 0.32; actual = 0.32 × 308.166 = 98.61
    // pip value 1,000 / 162.25 = 6.163 → 6.16; margin at 1:30: 0.32 × 100,000 / 30 = 1,066.67 EUR
    const r = value(
      calculatePositionSize({
        accountCurrency: 'EUR',
        baseAmount: 20_000,
        risk: { mode: 'percent', value: 0.5 },
        side: 'buy',
        entryPrice: 162.75,
        stopLoss: { mode: 'price', value: 162.25 },
        leverage: 30,
        spec: spec('EURJPY'),
      }),
    );
    expect(r).toMatchObject({
      lotSize: 0.32,
      riskAmount: 100,
      actualRiskAmount: 98.61,
      pipValuePerLot: 6.16,
    });
    expect(r.marginRequired).toBe(1066.67);
  });

  it('EURGBP on USD (sell): GBP profit converted with GBPUSD; EUR margin with EURUSD', () => {
    // sell 0.85430, SL 0.85730 = 30 pips = 300 points; 1 GBP per tick = 1.27 USD; loss/lot = 381
    // lots = 100 / 381 = 0.2625 → 0.26; actual = 0.26 × 381 = 99.06; pip value 10 GBP = 12.70 USD
    // margin 0.26 × 100,000 / 100 = 260 EUR × 1.085 = 282.10 USD
    const r = value(
      calculatePositionSize(
        usd('EURGBP', { side: 'sell', entryPrice: 0.8543, stopLoss: { mode: 'pips', value: 30 } }),
      ),
    );
    expect(r).toMatchObject({
      lotSize: 0.26,
      stopLossPrice: 0.8573,
      actualRiskAmount: 99.06,
      pipValuePerLot: 12.7,
    });
    expect(r.marginRequired).toBe(282.1);
  });

  it('XAUUSD: 10.00 USD stop, 100 oz contract', () => {
    // buy 2650.00, SL 2640.00 = 1,000 points (= 1,000 pips: 2 digits, pip = point); tick 0.01 × 100 = 1 USD
    // loss/lot = 1,000; lots = 0.10; margin 0.1 × 100 / 100 = 0.1 XAU × 2,650 = 265.00 USD
    const r = value(
      calculatePositionSize(usd('XAUUSD', { entryPrice: 2650, stopLoss: { mode: 'price', value: 2640 } })),
    );
    expect(r).toMatchObject({
      lotSize: 0.1,
      stopLossPips: 1000,
      stopLossPoints: 1000,
      actualRiskAmount: 100,
    });
    expect(r).toMatchObject({ pipValuePerLot: 1, marginRequired: 265 });
  });

  it('US30 index (CFDINDEX) with commission: 3 USD per lot per side', () => {
    // buy 39,000.0, SL 38,900.0 = 100.0 = 1,000 points; tick 0.1 × 1 = 0.10 USD; loss/lot = 100 + 2 × 3 = 106
    // lots = 100 / 106 = 0.943 → 0.9 (step 0.1); actual = 0.9 × 106 = 95.40; margin 0.9 × 39,000 × 0.01 = 351.00
    const r = value(
      calculatePositionSize(
        usd('US30', { entryPrice: 39000, stopLoss: { mode: 'price', value: 38900 }, commissionPerLot: 3 }),
      ),
    );
    expect(r).toMatchObject({ lotSize: 0.9, lossPerLot: 106, actualRiskAmount: 95.4, marginRequired: 351 });
    expect(r.pipValuePerLot).toBe(0.1);
  });

  it('GER40 on a USD account: EUR profit converted with EURUSD', () => {
    // buy 18,500.0, SL 18,450.0 = 500 points; tick 0.1 EUR = 0.1085 USD; loss/lot = 54.25
    // lots = 100 / 54.25 = 1.843 → 1.8; actual = 1.8 × 54.25 = 97.65; margin 1.8 × 18,500 × 0.05 = 1,665 EUR = 1,806.53 USD
    const r = value(
      calculatePositionSize(usd('GER40', { entryPrice: 18500, stopLoss: { mode: 'price', value: 18450 } })),
    );
    expect(r).toMatchObject({ lotSize: 1.8, actualRiskAmount: 97.65, marginRequired: 1806.53 });
  });

  it('BTCUSD (sell) with a money risk', () => {
    // 250 USD; sell 65,000.00, SL 66,000.00 = 1,000.00 = 100,000 points; tick 0.01 × 1 = 0.01 USD; loss/lot = 1,000
    // lots = 0.25; margin 0.25 × 65,000 × 0.5 = 8,125.00
    const r = value(
      calculatePositionSize(
        usd('BTCUSD', {
          side: 'sell',
          risk: { mode: 'money', value: 250 },
          entryPrice: 65000,
          stopLoss: { mode: 'price', value: 66000 },
        }),
      ),
    );
    expect(r).toMatchObject({ lotSize: 0.25, riskAmount: 250, actualRiskAmount: 250, marginRequired: 8125 });
    expect(r.stopLossPoints).toBe(100000);
  });

  it('AAPL stock: whole shares; the default 10-lot cap applies to shares too', () => {
    // buy 190.00, SL 185.00 = 500 points × 0.01 USD = 5 USD per share; lots = 100 / 5 = 20; margin 20 × 190 = 3,800
    const input = usd('AAPL', { entryPrice: 190, stopLoss: { mode: 'price', value: 185 } });
    const r = value(calculatePositionSize({ ...input, maxLotSize: 1000 }));
    expect(r).toMatchObject({ lotSize: 20, actualRiskAmount: 100, marginRequired: 3800, flags: [] });
    // with the default cap of 10 lots (= 10 shares here): 10 shares, 50 USD at risk
    const capped = value(calculatePositionSize(input));
    expect(capped).toMatchObject({ lotSize: 10, actualRiskAmount: 50, flags: ['CAPPED_AT_MAX_LOT'] });
  });

  it('CLF27 futures: 10 USD per tick, margin per lot', () => {
    // 1% of 50,000 = 500; buy 72.50, SL 72.00 = 50 ticks × (0.01 × 1,000 = 10 USD) = 500/lot → 1 lot; margin 6,000
    const r = value(
      calculatePositionSize(
        usd('CLF27', { baseAmount: 50_000, entryPrice: 72.5, stopLoss: { mode: 'price', value: 72 } }),
      ),
    );
    expect(r).toMatchObject({ lotSize: 1, actualRiskAmount: 500, marginRequired: 6000 });
  });

  it("uses the terminal's tick value when the spec has one", () => {
    // 0.92 USD per tick (as a terminal might report on the loss side): loss/lot = 200 × 0.92 = 184 → 0.54 lots
    const r = value(
      calculatePositionSize(
        usd('EURUSD', {
          spec: { ...spec('EURUSD'), tickValue: 0.92 },
          entryPrice: 1.085,
          stopLoss: { mode: 'pips', value: 20 },
        }),
      ),
    );
    expect(r).toMatchObject({ lotSize: 0.54, lossPerLot: 184, actualRiskAmount: 99.36, pipValuePerLot: 9.2 });
  });

  it('rounds a percent risk down to cents: 1.5% of 12,345.67 = 185.18505 → 185.18', () => {
    const r = value(
      calculatePositionSize(
        usd('EURUSD', {
          baseAmount: 12_345.67,
          risk: { mode: 'percent', value: 1.5 },
          entryPrice: 1.085,
          stopLoss: { mode: 'pips', value: 20 },
        }),
      ),
    );
    expect(r.riskAmount).toBe(185.18);
    expect(r.lotSize).toBe(0.92); // 185.18 / 200 = 0.9259 → 0.92
  });
});

describe('calculatePositionSize: caps and minimums', () => {
  it('caps at the max lot size (default 10) with CAPPED_AT_MAX_LOT', () => {
    // 1% of 1,000,000 = 10,000 / 200 per lot = 50 lots → 10
    const r = value(
      calculatePositionSize(
        usd('EURUSD', { baseAmount: 1_000_000, entryPrice: 1.085, stopLoss: { mode: 'pips', value: 20 } }),
      ),
    );
    expect(r).toMatchObject({ lotSize: 10, flags: ['CAPPED_AT_MAX_LOT'], actualRiskAmount: 2000 });
  });
  it("caps at the symbol's maximum when that is lower than the max lot size", () => {
    // CHFJPY volume max 50, max lot 100; 10% of 10,000,000 = 1,000,000 → far above 50 lots
    const r = value(
      calculatePositionSize({
        ...usd('CHFJPY', { entryPrice: 170.455, stopLoss: { mode: 'pips', value: 10 } }),
        baseAmount: 10_000_000,
        risk: { mode: 'percent', value: 10 },
        maxLotSize: 100,
        rates: { ...rates, USDCHF: 0.88 },
      }),
    );
    expect(r).toMatchObject({ lotSize: 50, flags: ['CAPPED_AT_MAX_LOT'] });
  });
  it('gives 0 lots with BELOW_MIN_LOT rather than rounding up to the minimum', () => {
    // 1% of 100 = 1.00 / 200 per lot = 0.005 lots < 0.01
    const r = value(
      calculatePositionSize(
        usd('EURUSD', { baseAmount: 100, entryPrice: 1.085, stopLoss: { mode: 'pips', value: 20 } }),
      ),
    );
    expect(r).toMatchObject({ lotSize: 0, flags: ['BELOW_MIN_LOT'], actualRiskAmount: 0, marginRequired: 0 });
  });
  it('gives 0 lots on an index when the stepped volume is below its minimum', () => {
    // US30 min 0.1, step 0.1; risk 5 USD with 100/lot → 0.05 → 0 lots
    const r = value(
      calculatePositionSize(
        usd('US30', {
          risk: { mode: 'money', value: 5 },
          entryPrice: 39000,
          stopLoss: { mode: 'points', value: 1000 },
        }),
      ),
    );
    expect(r).toMatchObject({ lotSize: 0, flags: ['BELOW_MIN_LOT'] });
  });
});

describe('calculatePositionSize: errors', () => {
  const base = usd('EURUSD', { entryPrice: 1.085, stopLoss: { mode: 'price', value: 1.083 } });
  it('INVALID_BALANCE for zero, negative or non-finite base amounts', () => {
    expect(code(calculatePositionSize({ ...base, baseAmount: 0 }))).toBe('INVALID_BALANCE');
    expect(code(calculatePositionSize({ ...base, baseAmount: -5 }))).toBe('INVALID_BALANCE');
  });
  it('INVALID_RISK_PERCENT for ≤ 0 or > 100; 100 is allowed', () => {
    for (const v of [0, -1, 100.01]) {
      expect(code(calculatePositionSize({ ...base, risk: { mode: 'percent', value: v } }))).toBe(
        'INVALID_RISK_PERCENT',
      );
    }
    expect(code(calculatePositionSize({ ...base, risk: { mode: 'percent', value: 100 } }))).toBe('ok');
  });
  it('INVALID_RISK_AMOUNT for a money risk ≤ 0', () => {
    expect(code(calculatePositionSize({ ...base, risk: { mode: 'money', value: 0 } }))).toBe(
      'INVALID_RISK_AMOUNT',
    );
  });
  it('INVALID_PRICE for an entry ≤ 0', () => {
    expect(code(calculatePositionSize({ ...base, entryPrice: 0 }))).toBe('INVALID_PRICE');
  });
  it('INVALID_STOP_LOSS for a stop equal to the entry, a zero distance, or a stop below zero', () => {
    expect(code(calculatePositionSize({ ...base, stopLoss: { mode: 'price', value: 1.085 } }))).toBe(
      'INVALID_STOP_LOSS',
    );
    expect(code(calculatePositionSize({ ...base, stopLoss: { mode: 'pips', value: 0 } }))).toBe(
      'INVALID_STOP_LOSS',
    );
    expect(code(calculatePositionSize({ ...base, stopLoss: { mode: 'points', value: -3 } }))).toBe(
      'INVALID_STOP_LOSS',
    );
    expect(code(calculatePositionSize({ ...base, stopLoss: { mode: 'pips', value: 20_000 } }))).toBe(
      'INVALID_STOP_LOSS',
    );
    expect(code(calculatePositionSize({ ...base, stopLoss: { mode: 'price', value: -1 } }))).toBe(
      'INVALID_STOP_LOSS',
    );
  });
  it('STOP_LOSS_WRONG_SIDE above a buy or below a sell, with the numbers in the message', () => {
    const buy = calculatePositionSize({ ...base, stopLoss: { mode: 'price', value: 1.087 } });
    expect(code(buy)).toBe('STOP_LOSS_WRONG_SIDE');
    expect(buy.ok ? '' : buy.error.message).toBe(
      'For a buy the stop loss must be below the entry price (1.085); it is 1.087.',
    );
    expect(code(calculatePositionSize({ ...base, side: 'sell' }))).toBe('STOP_LOSS_WRONG_SIDE');
  });
  it('MISSING_CONVERSION_RATE when the profit currency cannot reach the account currency', () => {
    // USDJPY on a EUR account without EURUSD: JPY → USD is known (the symbol at the SL), USD → EUR is not
    const r = calculatePositionSize({
      ...base,
      accountCurrency: 'EUR',
      spec: spec('USDJPY'),
      entryPrice: 150,
      stopLoss: { mode: 'pips', value: 50 },
      rates: {},
    });
    expect(code(r)).toBe('MISSING_CONVERSION_RATE');
  });
  it('INVALID_COMMISSION for a negative commission', () => {
    expect(code(calculatePositionSize({ ...base, commissionPerLot: -1 }))).toBe('INVALID_COMMISSION');
  });
  it('VALIDATION_FAILED for input that does not match the schema', () => {
    const bad = { ...base, side: 'long' } as unknown as PositionSizeInputRaw;
    expect(code(calculatePositionSize(bad))).toBe('VALIDATION_FAILED');
    expect(PositionSizeInput.safeParse({ ...base, baseAmount: '1000' }).success).toBe(false);
    expect(PositionSizeInput.safeParse({ ...base, stopLoss: { mode: 'ticks', value: 3 } }).success).toBe(
      false,
    );
  });
});

describe('calculatePositionSize: properties over the catalog', () => {
  const catalogRates = { ...CATALOG_MID_PRICES };
  const arbInput = fc
    .record({
      spec: fc.constantFrom(...SYMBOL_CATALOG),
      balance: fc.double({ min: 50, max: 5_000_000, noNaN: true }),
      percent: fc.double({ min: 0.01, max: 100, noNaN: true }),
      ticks: fc.integer({ min: 1, max: 20_000 }),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      commission: fc.constantFrom(0, 0, 3.5),
    })
    .map(({ spec: s, balance, percent, ticks, side, commission }) => {
      const entry = CATALOG_MID_PRICES[s.name] ?? 1;
      const distance = Math.min(ticks * s.tickSize, normalizePrice(entry / 2, s.tickSize));
      const sl = normalizePrice(side === 'buy' ? entry - distance : entry + distance, s.tickSize);
      const input: PositionSizeInputRaw = {
        accountCurrency: 'USD',
        baseAmount: balance,
        risk: { mode: 'percent', value: percent },
        side,
        entryPrice: entry,
        stopLoss: { mode: 'price', value: sl },
        commissionPerLot: commission,
        spec: s,
        rates: catalogRates,
      };
      return input;
    });

  it('lots is 0 or a multiple of the step within [min, min(max, max lot)]; actual risk ≤ requested risk', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const r = value(calculatePositionSize(input));
        const s = input.spec as SymbolSpec;
        expect(isMultipleOfStep(r.lotSize, s.volumeStep)).toBe(true);
        if (r.lotSize !== 0) {
          expect(r.lotSize).toBeGreaterThanOrEqual(s.volumeMin);
          expect(r.lotSize).toBeLessThanOrEqual(Math.min(s.volumeMax, 10));
        } else {
          expect(r.flags).toContain('BELOW_MIN_LOT');
        }
        expect(r.actualRiskAmount).toBeLessThanOrEqual(r.riskAmount);
      }),
      { numRuns: 500 },
    );
  });

  it('more risk never gives fewer lots', () => {
    fc.assert(
      fc.property(arbInput, fc.double({ min: 1, max: 5, noNaN: true }), (input, factor) => {
        const risk = input.risk.value;
        const more = Math.min(100, risk * factor);
        const a = value(calculatePositionSize(input));
        const b = value(calculatePositionSize({ ...input, risk: { mode: 'percent', value: more } }));
        expect(b.lotSize).toBeGreaterThanOrEqual(a.lotSize);
      }),
      { numRuns: 300 },
    );
  });
});

describe('calculatePositionSize: hostile numbers never give Infinity or NaN', () => {
  const eurusd = (over: Partial<PositionSizeInputRaw>) =>
    calculatePositionSize(
      usd('EURUSD', { entryPrice: 1.1, stopLoss: { mode: 'price', value: 1.098 }, ...over }),
    );

  it('refuses an entry price of 1e308', () => {
    expect(code(eurusd({ entryPrice: 1e308, stopLoss: { mode: 'price', value: 1 } }))).toBe('INVALID_PRICE');
  });
  it('refuses a stop loss of 1e308 (sell side)', () => {
    expect(code(eurusd({ side: 'sell', stopLoss: { mode: 'price', value: 1e308 } }))).toBe(
      'INVALID_STOP_LOSS',
    );
  });
  it('refuses a commission of 1e308', () => {
    expect(code(eurusd({ commissionPerLot: 1e308 }))).toBe('INVALID_COMMISSION');
  });
  it('refuses a leverage of 1e-320 and of 0.5', () => {
    expect(code(eurusd({ leverage: 1e-320 }))).toBe('INVALID_LEVERAGE');
    expect(code(eurusd({ leverage: 0.5 }))).toBe('INVALID_LEVERAGE');
  });
  it('refuses a balance or money risk of 1e308', () => {
    expect(code(eurusd({ baseAmount: 1e308 }))).toBe('INVALID_BALANCE');
    expect(code(eurusd({ risk: { mode: 'money', value: 1e308 } }))).toBe('INVALID_RISK_AMOUNT');
  });
  it('refuses a spec whose tick size makes the loss overflow, naming the field', () => {
    const r = eurusd({ spec: { ...spec('EURUSD'), tickSize: 1e-320, point: 1e-320 } });
    expect(code(r)).toBe('INVALID_SYMBOL_SPEC');
  });
  it('property: any finite inputs give finite outputs or a coded refusal', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(finite, finite, finite, finite, (entry, stop, commission, leverage) => {
        const r = eurusd({
          entryPrice: entry,
          stopLoss: { mode: 'price', value: stop },
          commissionPerLot: commission,
          leverage,
        });
        if (!r.ok) return typeof r.error.code === 'string';
        return Object.values(r.value).every((v) => typeof v !== 'number' || Number.isFinite(v));
      }),
      { numRuns: 500 },
    );
  });
});

describe('calculatePositionSize: a stop under one point', () => {
  it('refuses 1.099999999 on EURUSD at 1.1 (0.0001 points): INVALID_STOP_LOSS, not 10 lots', () => {
    const r = calculatePositionSize(
      usd('EURUSD', { entryPrice: 1.1, stopLoss: { mode: 'price', value: 1.099999999 } }),
    );
    expect(code(r)).toBe('INVALID_STOP_LOSS');
    expect(r.ok ? '' : r.error.message).toMatch(/one point/);
  });
  it('refuses half a point given in points', () => {
    const r = calculatePositionSize(
      usd('EURUSD', { entryPrice: 1.1, stopLoss: { mode: 'points', value: 0.5 } }),
    );
    expect(code(r)).toBe('INVALID_STOP_LOSS');
  });
  it('accepts exactly one point (1.10000 → 1.09999)', () => {
    const r = value(
      calculatePositionSize(usd('EURUSD', { entryPrice: 1.1, stopLoss: { mode: 'price', value: 1.09999 } })),
    );
    expect(r.stopLossPoints).toBe(1);
  });
});

describe('calculatePositionSize: cross rates through the symbol itself', () => {
  it('EURJPY on USD with only USDJPY: margin converts EUR → JPY → USD', () => {
    const r = value(
      calculatePositionSize({
        accountCurrency: 'USD',
        baseAmount: 10_000,
        risk: { mode: 'percent', value: 1 },
        side: 'buy',
        spec: spec('EURJPY'),
        entryPrice: 162,
        stopLoss: { mode: 'price', value: 161.5 },
        rates: { USDJPY: 150, EURJPY: 162 },
      }),
    );
    expect(r.lotSize).toBeGreaterThan(0);
    // margin of 1 lot = 100,000 EUR / 100 = 1,000 EUR = 1,000 × 162 / 150 USD
    expect(r.marginRequired).toBeCloseTo((r.lotSize * 1000 * 162) / 150, 1);
  });
});
