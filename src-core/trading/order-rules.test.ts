import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkModification,
  checkOrder,
  chooseExpiration,
  type OrderCheckInput,
  type RuleViolation,
} from './order-rules';
import { CATALOG_MID_PRICES, SYMBOL_CATALOG, findCatalogSymbol } from './catalog';
import { normalizePrice, roundVolumeDown } from './numbers';
import { SYMBOL_ORDER_FLAG, type SymbolSpec } from './symbol-spec';

const spec = (name: string): SymbolSpec => {
  const s = findCatalogSymbol(name);
  if (s === undefined) throw new Error(`no ${name} in the catalog`);
  return s;
};
const codes = (v: readonly RuleViolation[]): string[] => v.map((x) => x.code);
const NOW = Date.UTC(2026, 10, 28, 8, 0, 0);

const eurusd = { bid: 1.085, ask: 1.0851 };
const order = (over: Partial<OrderCheckInput>): OrderCheckInput => ({
  spec: spec('EURUSD'),
  quote: eurusd,
  type: 'buy',
  volume: 0.1,
  nowMs: NOW,
  ...over,
});

describe('checkOrder: market orders', () => {
  it('accepts a valid buy with SL and TP', () => {
    expect(checkOrder(order({ sl: 1.083, tp: 1.087 }))).toEqual([]);
  });

  it('measures a buy from the bid: "at least 20 points below the bid"', () => {
    // GBPJPY stops level 20; bid 190.500; SL 190.490 is 10 points below it
    const v = checkOrder(order({ spec: spec('GBPJPY'), quote: { bid: 190.5, ask: 190.528 }, sl: 190.49 }));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ code: 'STOP_LOSS_TOO_CLOSE', field: 'sl' });
    expect(v[0]?.message).toBe(
      'Stop loss must be at least 20 points below the bid (190.500); it is 10 points away.',
    );
    // exactly 20 points is allowed
    expect(
      checkOrder(order({ spec: spec('GBPJPY'), quote: { bid: 190.5, ask: 190.528 }, sl: 190.48 })),
    ).toEqual([]);
  });

  it('measures a sell from the ask', () => {
    // USDCHF stops level 10; ask 0.88015: SL 0.88020 is 5 points above → too close; 0.88025 is 10 → fine
    const q = { bid: 0.88, ask: 0.88015 };
    expect(codes(checkOrder(order({ spec: spec('USDCHF'), quote: q, type: 'sell', sl: 0.8802 })))).toEqual([
      'STOP_LOSS_TOO_CLOSE',
    ]);
    expect(
      checkOrder(order({ spec: spec('USDCHF'), quote: q, type: 'sell', sl: 0.88025, tp: 0.87 })),
    ).toEqual([]);
    // TP 0.88010 is above the ask minus 10 points
    expect(codes(checkOrder(order({ spec: spec('USDCHF'), quote: q, type: 'sell', tp: 0.8801 })))).toEqual([
      'TAKE_PROFIT_TOO_CLOSE',
    ]);
  });

  it('rejects SL/TP on the wrong side, including a buy SL between bid and ask', () => {
    const v = checkOrder(order({ sl: 1.08505, tp: 1.0849 }));
    expect(codes(v)).toEqual(['STOP_LOSS_WRONG_SIDE', 'TAKE_PROFIT_WRONG_SIDE']);
    expect(v[0]?.message).toBe('Stop loss must be below the bid (1.08500); it is 1.08505.');
    expect(codes(checkOrder(order({ type: 'sell', sl: 1.084, tp: 1.086 })))).toEqual([
      'STOP_LOSS_WRONG_SIDE',
      'TAKE_PROFIT_WRONG_SIDE',
    ]);
  });

  it('checks volume: positive, min, max, step — all failures at once', () => {
    expect(codes(checkOrder(order({ volume: 0 })))).toEqual(['INVALID_VOLUME']);
    expect(codes(checkOrder(order({ volume: 0.001 })))).toEqual(['VOLUME_BELOW_MIN', 'VOLUME_NOT_STEP']);
    expect(codes(checkOrder(order({ volume: 150 })))).toEqual(['VOLUME_ABOVE_MAX']);
    expect(codes(checkOrder(order({ volume: 0.015 })))).toEqual(['VOLUME_NOT_STEP']);
    expect(checkOrder(order({ volume: 0.07 }))).toEqual([]); // 0.07/0.01 = 7.000000000000001
    expect(checkOrder(order({ volume: 100 }))).toEqual([]);
    expect(checkOrder(order({ volume: 0.15 })).length).toBe(0);
  });

  it('applies the trade mode', () => {
    expect(codes(checkOrder(order({ spec: spec('XPDUSD'), quote: { bid: 1000, ask: 1004 } })))).toEqual([
      'TRADE_DISABLED',
    ]);
    const aapl = { spec: spec('AAPL'), quote: { bid: 190, ask: 190.02 }, volume: 1 };
    expect(codes(checkOrder(order({ ...aapl, type: 'sell' })))).toEqual(['LONG_ONLY']);
    expect(checkOrder(order({ ...aapl, type: 'buy' }))).toEqual([]);
    expect(codes(checkOrder(order({ spec: spec('USDRUB'), quote: { bid: 92.5, ask: 92.52 } })))).toEqual([
      'CLOSE_ONLY',
    ]);
    const shortOnly = { ...spec('EURUSD'), tradeMode: 'SHORTONLY' as const };
    expect(codes(checkOrder(order({ spec: shortOnly })))).toEqual(['SHORT_ONLY']);
    expect(checkOrder(order({ spec: shortOnly, type: 'sell' }))).toEqual([]);
  });

  it('checks SYMBOL_ORDER_MODE for the type and for SL/TP', () => {
    const noMarket = { ...spec('EURUSD'), orderFlags: SYMBOL_ORDER_FLAG.LIMIT | SYMBOL_ORDER_FLAG.STOP };
    expect(codes(checkOrder(order({ spec: noMarket, sl: 1.08, tp: 1.09 })))).toEqual([
      'ORDER_TYPE_NOT_ALLOWED',
      'STOP_LOSS_NOT_ALLOWED',
      'TAKE_PROFIT_NOT_ALLOWED',
    ]);
  });

  it('reports a missing or crossed quote and skips the checks that need it', () => {
    expect(codes(checkOrder(order({ quote: { bid: 0, ask: 0 }, sl: 1.2 })))).toEqual(['NO_QUOTE']);
    expect(codes(checkOrder(order({ quote: { bid: 1.09, ask: 1.08 } })))).toEqual(['NO_QUOTE']);
  });

  it('rejects stops that are off the tick grid or not positive', () => {
    expect(codes(checkOrder(order({ sl: 1.083004 })))).toEqual(['PRICE_NOT_NORMALIZED']);
    expect(codes(checkOrder(order({ sl: -1 })))).toEqual(['INVALID_PRICE']);
  });
});

describe('checkOrder: pending orders', () => {
  const pending = (over: Partial<OrderCheckInput>): OrderCheckInput =>
    order({ type: 'buy_limit', price: 1.08, ...over });

  it('accepts valid limit and stop orders on both sides', () => {
    expect(checkOrder(pending({ sl: 1.078, tp: 1.083 }))).toEqual([]);
    expect(checkOrder(pending({ type: 'sell_limit', price: 1.09, sl: 1.092, tp: 1.087 }))).toEqual([]);
    expect(checkOrder(pending({ type: 'buy_stop', price: 1.09 }))).toEqual([]);
    expect(checkOrder(pending({ type: 'sell_stop', price: 1.08 }))).toEqual([]);
  });

  it('rejects prices on the wrong side of the market', () => {
    const v = checkOrder(pending({ price: 1.0852 }));
    expect(codes(v)).toEqual(['PENDING_PRICE_WRONG_SIDE']);
    expect(v[0]?.message).toBe(
      'A buy limit order must be placed below the ask (1.08510); its price is 1.08520.',
    );
    expect(codes(checkOrder(pending({ type: 'sell_stop', price: 1.0855 })))).toEqual([
      'PENDING_PRICE_WRONG_SIDE',
    ]);
    expect(codes(checkOrder(pending({ type: 'buy_stop', price: 1.08 })))).toEqual([
      'PENDING_PRICE_WRONG_SIDE',
    ]);
    expect(codes(checkOrder(pending({ type: 'sell_limit', price: 1.08 })))).toEqual([
      'PENDING_PRICE_WRONG_SIDE',
    ]);
  });

  it('keeps pending prices the stops level away from the market', () => {
    // USDCAD stops level 5: a buy stop 2 points above the ask is too close, 5 points is fine
    const q = { bid: 1.36, ask: 1.3601 };
    expect(
      codes(checkOrder(pending({ spec: spec('USDCAD'), quote: q, type: 'buy_stop', price: 1.36012 }))),
    ).toEqual(['PENDING_PRICE_TOO_CLOSE']);
    expect(checkOrder(pending({ spec: spec('USDCAD'), quote: q, type: 'buy_stop', price: 1.36015 }))).toEqual(
      [],
    );
  });

  it('measures SL/TP from the order price, not the market', () => {
    // buy limit at 1.08000: an SL at 1.08100 is below the bid but above the order price
    expect(codes(checkOrder(pending({ sl: 1.081 })))).toEqual(['STOP_LOSS_WRONG_SIDE']);
  });

  it('requires a normalised, positive price', () => {
    expect(codes(checkOrder(pending({ price: undefined as unknown as number })))).toEqual(['INVALID_PRICE']);
    const us500 = { spec: spec('US500'), quote: { bid: 5200, ask: 5200.5 } };
    expect(codes(checkOrder(pending({ ...us500, price: 5100.1 })))).toEqual(['PRICE_NOT_NORMALIZED']);
    expect(checkOrder(pending({ ...us500, price: 5100.25 }))).toEqual([]);
  });

  it('checks stop-limit orders: limit below the stop for a buy, SL/TP from the limit price', () => {
    const base = pending({ type: 'buy_stop_limit', price: 1.09 });
    expect(codes(checkOrder(base))).toEqual(['STOP_LIMIT_PRICE_INVALID']);
    expect(codes(checkOrder({ ...base, stopLimit: 1.091 }))).toEqual(['STOP_LIMIT_PRICE_INVALID']);
    expect(checkOrder({ ...base, stopLimit: 1.0895, sl: 1.0885 })).toEqual([]);
    // SL 1.08970 is below the stop price but above the limit price where the position opens
    expect(codes(checkOrder({ ...base, stopLimit: 1.0895, sl: 1.0897 }))).toEqual(['STOP_LOSS_WRONG_SIDE']);
    expect(codes(checkOrder(pending({ type: 'sell_stop_limit', price: 1.08, stopLimit: 1.079 })))).toEqual([
      'STOP_LIMIT_PRICE_INVALID',
    ]);
    expect(
      codes(
        checkOrder(
          order({
            spec: spec('AAPL'),
            quote: { bid: 190, ask: 190.02 },
            volume: 1,
            type: 'buy_stop_limit',
            price: 191,
            stopLimit: 190.9,
          }),
        ),
      ),
    ).toEqual(['ORDER_TYPE_NOT_ALLOWED']);
  });

  it('checks the expiration type and time', () => {
    const aapl = { spec: spec('AAPL'), quote: { bid: 190, ask: 190.02 }, volume: 1, price: 185 };
    expect(checkOrder(pending({ ...aapl, expiration: { type: 'DAY' } }))).toEqual([]);
    expect(
      codes(checkOrder(pending({ ...aapl, expiration: { type: 'SPECIFIED', timeMs: NOW + 3_600_000 } }))),
    ).toEqual(['EXPIRATION_NOT_SUPPORTED']);
    expect(codes(checkOrder(pending({ expiration: { type: 'SPECIFIED', timeMs: NOW - 1 } })))).toEqual([
      'EXPIRATION_IN_PAST',
    ]);
    expect(codes(checkOrder(pending({ expiration: { type: 'SPECIFIED_DAY' } })))).toEqual([
      'EXPIRATION_IN_PAST',
    ]);
    expect(checkOrder(pending({ expiration: { type: 'SPECIFIED', timeMs: NOW + 60_000 } }))).toEqual([]);
    // a market order's expiration is not its concern
    expect(
      checkOrder(
        order({ spec: spec('AAPL'), quote: aapl.quote, volume: 1, expiration: { type: 'SPECIFIED' } }),
      ),
    ).toEqual([]);
  });
});

describe('chooseExpiration (as CTrade::OrderOpen)', () => {
  it('GTC without a time, falling back to DAY; SPECIFIED with one, falling back to SPECIFIED_DAY', () => {
    expect(chooseExpiration(spec('EURUSD'), undefined)).toEqual({ ok: true, value: { type: 'GTC' } });
    expect(chooseExpiration(spec('EURUSD'), NOW)).toEqual({
      ok: true,
      value: { type: 'SPECIFIED', timeMs: NOW },
    });
    expect(chooseExpiration({ name: 'X', expirationFlags: 2 }, undefined)).toEqual({
      ok: true,
      value: { type: 'DAY' },
    });
    expect(chooseExpiration({ name: 'X', expirationFlags: 8 }, NOW)).toEqual({
      ok: true,
      value: { type: 'SPECIFIED_DAY', timeMs: NOW },
    });
    const r = chooseExpiration(spec('AAPL'), NOW);
    expect(r.ok ? 'ok' : r.error.code).toBe('EXPIRATION_NOT_SUPPORTED');
  });
});

describe('checkModification: positions', () => {
  const gbpjpy = spec('GBPJPY'); // stops 20, freeze 5
  const q = { bid: 190.5, ask: 190.528 };

  it('accepts a valid change and reports no changes when nothing changes', () => {
    const base = { kind: 'position', spec: gbpjpy, quote: q, side: 'buy', currentSl: 190.3 } as const;
    expect(checkModification({ ...base, sl: 190.45, tp: 191 })).toEqual([]);
    expect(codes(checkModification({ ...base, sl: 190.3 }))).toEqual(['NO_CHANGES']);
  });

  it('applies the stops level from the bid for buys and the ask for sells', () => {
    expect(
      codes(checkModification({ kind: 'position', spec: gbpjpy, quote: q, side: 'buy', sl: 190.49 })),
    ).toEqual(['STOP_LOSS_TOO_CLOSE']);
    // sell: SL 190.540 is 12 points above the ask
    const v = checkModification({ kind: 'position', spec: gbpjpy, quote: q, side: 'sell', sl: 190.54 });
    expect(v[0]?.message).toBe(
      'Stop loss must be at least 20 points above the ask (190.528); it is 12 points away.',
    );
  });

  it('refuses changes while the current SL or TP is inside the freeze level', () => {
    // current SL 190.497 is 3 points below the bid (freeze level 5)
    const v = checkModification({
      kind: 'position',
      spec: gbpjpy,
      quote: q,
      side: 'buy',
      currentSl: 190.497,
      sl: 190.3,
    });
    expect(codes(v)).toEqual(['FROZEN']);
    expect(v[0]?.message).toBe(
      'The current stop loss (190.497) is within the freeze level of 5 points of the bid (190.500), so it cannot be changed right now.',
    );
    // sell position: current TP 190.525 is 3 points below the ask
    expect(
      codes(
        checkModification({
          kind: 'position',
          spec: gbpjpy,
          quote: q,
          side: 'sell',
          currentTp: 190.525,
          tp: 190,
        }),
      ),
    ).toEqual(['FROZEN']);
    // 6 points away: not frozen
    expect(
      checkModification({
        kind: 'position',
        spec: gbpjpy,
        quote: q,
        side: 'buy',
        currentSl: 190.494,
        sl: 190.3,
      }),
    ).toEqual([]);
  });

  it('blocks a disabled symbol but allows SL/TP changes on close-only symbols', () => {
    const disabled = { ...gbpjpy, tradeMode: 'DISABLED' as const };
    expect(
      codes(checkModification({ kind: 'position', spec: disabled, quote: q, side: 'buy', sl: 190 })),
    ).toEqual(['TRADE_DISABLED']);
    const closeOnly = { ...gbpjpy, tradeMode: 'CLOSEONLY' as const };
    expect(checkModification({ kind: 'position', spec: closeOnly, quote: q, side: 'buy', sl: 190 })).toEqual(
      [],
    );
  });
});

describe('checkModification: pending orders', () => {
  const gbpjpy = spec('GBPJPY');
  const q = { bid: 190.5, ask: 190.528 };
  const base = {
    kind: 'order',
    spec: gbpjpy,
    quote: q,
    type: 'buy_limit',
    currentPrice: 190,
    nowMs: NOW,
  } as const;

  it('accepts a new price and SL, and reports no changes', () => {
    expect(checkModification({ ...base, price: 190.1, sl: 189.9 })).toEqual([]);
    expect(codes(checkModification({ ...base, price: 190 }))).toEqual(['NO_CHANGES']);
  });

  it('refuses an order whose price is inside the freeze level', () => {
    // buy limit at 190.525 is 3 points below the ask
    expect(codes(checkModification({ ...base, currentPrice: 190.525, price: 190.2 }))).toEqual(['FROZEN']);
  });

  it('checks the new price side and distance, and SL/TP from the new price', () => {
    expect(codes(checkModification({ ...base, price: 190.6 }))).toEqual(['PENDING_PRICE_WRONG_SIDE']);
    expect(codes(checkModification({ ...base, price: 190.52 }))).toEqual(['PENDING_PRICE_TOO_CLOSE']);
    expect(codes(checkModification({ ...base, price: 190.2, sl: 190.19 }))).toEqual(['STOP_LOSS_TOO_CLOSE']);
  });

  it('refuses changes on close-only symbols and unsupported expirations', () => {
    const closeOnly = { ...gbpjpy, tradeMode: 'CLOSEONLY' as const };
    expect(codes(checkModification({ ...base, spec: closeOnly, price: 190.1 }))).toEqual(['CLOSE_ONLY']);
    const aapl = spec('AAPL');
    expect(
      codes(
        checkModification({
          kind: 'order',
          spec: aapl,
          quote: { bid: 190, ask: 190.02 },
          type: 'buy_limit',
          currentPrice: 185,
          price: 185,
          expiration: { type: 'SPECIFIED', timeMs: NOW + 1000 },
          nowMs: NOW,
        }),
      ),
    ).toEqual(['EXPIRATION_NOT_SUPPORTED']);
  });
});

describe('checkOrder: properties over the catalog', () => {
  it('a normalised volume in range and stops well outside the stops level pass on every FULL symbol', () => {
    const full = SYMBOL_CATALOG.filter((s) => s.tradeMode === 'FULL');
    fc.assert(
      fc.property(
        fc.constantFrom(...full),
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        (s, side, t, extra) => {
          const mid = CATALOG_MID_PRICES[s.name] ?? 1;
          const spread = (s.spreadPoints ?? 0) * s.point;
          const bid = normalizePrice(mid, s.tickSize);
          const ask = normalizePrice(mid + spread, s.tickSize);
          const volume = Math.max(
            s.volumeMin,
            roundVolumeDown(s.volumeMin + t * (s.volumeMax - s.volumeMin), s.volumeStep),
          );
          const gap = (s.stopsLevel + extra) * s.point + s.tickSize;
          const ref = side === 'buy' ? bid : ask;
          const sl = normalizePrice(
            side === 'buy' ? ref - gap - s.tickSize : ref + gap + s.tickSize,
            s.tickSize,
          );
          const tp = normalizePrice(
            side === 'buy' ? ref + gap + s.tickSize : ref - gap - s.tickSize,
            s.tickSize,
          );
          expect(checkOrder({ spec: s, quote: { bid, ask }, type: side, volume, sl, tp })).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('MT5 zero levels', () => {
  it('reads an SL/TP of 0 as none, as the terminal writes it', () => {
    expect(checkOrder(order({ sl: 0, tp: 0 }))).toEqual([]);
    const q = { bid: 190.5, ask: 190.528 };
    const gbpjpy = spec('GBPJPY');
    expect(
      codes(
        checkModification({
          kind: 'position',
          spec: gbpjpy,
          quote: q,
          side: 'buy',
          currentSl: 0,
          currentTp: 0,
          sl: 0,
        }),
      ),
    ).toEqual(['NO_CHANGES']);
    expect(
      checkModification({
        kind: 'position',
        spec: gbpjpy,
        quote: q,
        side: 'buy',
        currentSl: 0,
        currentTp: 0,
        sl: 190.3,
      }),
    ).toEqual([]);
  });
});
