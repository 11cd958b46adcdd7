import { afterEach, describe, expect, it } from 'vitest';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import { DEAL_ENTRY, DEAL_REASON } from '../protocol/enums';
import type { ParamsOf, TradeResult } from '../protocol/messages';
import { next, startHarness, type Harness } from './harness';

/**
 * Every retcode path the simulator produces and MT5's trade semantics, through the real protocol: the app's
 * server client sends order_send/order_check over a Unix socket to the simulated terminal.
 */

const harnesses: Harness[] = [];
afterEach(async () => {
  while (harnesses.length > 0) await harnesses.pop()?.close();
});

async function start(sim: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(sim);
  harnesses.push(h);
  return h;
}

let counter = 0;
const id = (): string => `t-${(counter += 1)}`;

type Trade = ParamsOf<'order_send'>;
type WithoutIds<T> = T extends unknown ? Omit<T, 'clOrdId' | 'magic'> : never;

async function send(h: Harness, params: WithoutIds<Trade>): Promise<TradeResult> {
  const result = await h.session.request('order_send', { clOrdId: id(), magic: '77', ...params });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const buy = (symbol: string, volume: number, extra: Partial<Extract<Trade, { action: 'DEAL' }>> = {}) =>
  ({ action: 'DEAL', symbol, orderType: 'BUY', volume, ...extra }) as const;
const sell = (symbol: string, volume: number, extra: Partial<Extract<Trade, { action: 'DEAL' }>> = {}) =>
  ({ action: 'DEAL', symbol, orderType: 'SELL', volume, ...extra }) as const;

describe('retcodes', () => {
  it('10027 autotrading off, 10026 server disables algo trading, 10017 account or symbol disabled', async () => {
    const h = await start();
    h.sim.setAutotrading(false);
    expect(await send(h, buy('EURUSD', 0.1))).toMatchObject({ retcode: 10027, outcome: 'rejected' });
    h.sim.setAutotrading(true);
    h.sim.state.setTradeExpert(false);
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10026);
    h.sim.state.setTradeExpert(true);
    h.sim.state.setAccountTradeAllowed(false);
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10017);
    h.sim.state.setAccountTradeAllowed(true);
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10009);
    h.sim.setTradeMode('EURUSD', 'DISABLED');
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10017);
  });

  it('10042 long only, 10043 short only, 10044 close only (closing still allowed)', async () => {
    const h = await start();
    expect((await send(h, sell('AAPL', 1))).retcode).toBe(10042);
    expect((await send(h, buy('AAPL', 1))).retcode).toBe(10009);
    h.sim.setTradeMode('EURUSD', 'SHORTONLY');
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10043);
    h.sim.setTradeMode('EURUSD', 'FULL');
    const opened = await send(h, buy('EURUSD', 0.1));
    h.sim.setTradeMode('EURUSD', 'CLOSEONLY');
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10044);
    expect((await send(h, sell('EURUSD', 0.1, { position: opened.order }))).retcode).toBe(10009);
    expect((await send(h, buy('USDRUB', 0.1))).retcode).toBe(10044);
  });

  it('10018 market closed (forced and on the FX-week schedule) and 10021 no quotes', async () => {
    const h = await start();
    h.sim.setMarketOpen('EURUSD', false);
    expect(await send(h, buy('EURUSD', 0.1))).toMatchObject({ retcode: 10018, outcome: 'rejected' });
    h.sim.setMarketOpen('EURUSD', undefined);
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10009);

    const saturday = Date.UTC(2026, 10, 28, 12);
    const { fxWeekSchedule } = await import('../simulator/trade-server');
    const weekend = await start({ sim: { schedule: fxWeekSchedule, clock: { now: () => saturday } } });
    expect((await send(weekend, buy('EURUSD', 0.1))).retcode).toBe(10018);
    expect((await send(weekend, buy('BTCUSD', 0.01))).retcode).not.toBe(10018);

    const bare: SymbolSpec = { ...(findCatalogSymbol('EURUSD') as SymbolSpec), name: 'EURUSDX' };
    const noQuote = await start({ sim: { symbols: [bare, 'GBPUSD'], account: { login: '9' } } });
    expect(await send(noQuote, buy('EURUSDX', 0.1))).toMatchObject({ retcode: 10021, outcome: 'retryable' });
    const quote = await noQuote.session.request('quote', { symbol: 'EURUSDX' });
    expect(quote).toMatchObject({ ok: false, error: { eaCode: 'NO_QUOTE' } });
  });

  it('10035 order type not allowed, 10022 expiration not allowed or past', async () => {
    const h = await start();
    h.sim.setPrice('AAPL', 190, 190.02);
    const stopLimit = {
      action: 'PENDING',
      symbol: 'AAPL',
      orderType: 'BUY_STOP_LIMIT',
      volume: 1,
      price: 195,
      stopLimit: 194,
    } as const;
    expect((await send(h, stopLimit)).retcode).toBe(10035);
    const specified = {
      action: 'PENDING',
      symbol: 'AAPL',
      orderType: 'BUY_LIMIT',
      volume: 1,
      price: 180,
      typeTime: 'SPECIFIED',
      expiration: Date.now() + 3_600_000,
    } as const;
    expect((await send(h, specified)).retcode).toBe(10022);
    const past = {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: 1.08,
      typeTime: 'SPECIFIED',
      expiration: Date.now() - 1000,
    } as const;
    expect((await send(h, past)).retcode).toBe(10022);
  });

  it('10030 invalid filling, and the EA-side choice of a supported filling', async () => {
    const h = await start();
    // EURUSD is Market execution with FOK|IOC: RETURN for a market order is the classic 10030.
    expect(await send(h, buy('EURUSD', 0.1, { filling: 'RETURN' }))).toMatchObject({
      retcode: 10030,
      outcome: 'retryable',
    });
    // GBPUSD allows IOC only: asking for FOK fails, leaving it to the EA picks IOC.
    expect((await send(h, buy('GBPUSD', 0.1, { filling: 'FOK' }))).retcode).toBe(10030);
    expect(await send(h, buy('GBPUSD', 0.1))).toMatchObject({ retcode: 10009, filling: 'IOC' });
    // AUDUSD allows FOK only.
    expect(await send(h, buy('AUDUSD', 0.1))).toMatchObject({ retcode: 10009, filling: 'FOK' });
  });

  it('10014 invalid volume: below minimum, above maximum, off the step', async () => {
    const h = await start();
    for (const volume of [0.001, 0.015, 101]) {
      expect((await send(h, buy('EURUSD', volume))).retcode).toBe(10014);
    }
  });

  it('10033 pending-order limit and 10040 position limit', async () => {
    const h = await start({ sim: { account: { limitOrders: 1, limitPositions: 1 } } });
    const limit = {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: 1.08,
    } as const;
    expect((await send(h, limit)).retcode).toBe(10008);
    expect((await send(h, limit)).retcode).toBe(10033);
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10009);
    expect((await send(h, buy('EURUSD', 0.1))).retcode).toBe(10040);
  });

  it('10015 invalid price: wrong side, off the tick grid, inside the stops level, bad stop-limit', async () => {
    const h = await start();
    h.sim.setPrice('EURUSD', 1.085, 1.0851);
    const pending = (orderType: 'BUY_LIMIT' | 'SELL_LIMIT' | 'BUY_STOP' | 'SELL_STOP', price: number) =>
      ({ action: 'PENDING', symbol: 'EURUSD', orderType, volume: 0.1, price }) as const;
    expect((await send(h, pending('BUY_LIMIT', 1.09))).retcode).toBe(10015);
    expect((await send(h, pending('SELL_LIMIT', 1.08))).retcode).toBe(10015);
    expect((await send(h, pending('BUY_STOP', 1.08))).retcode).toBe(10015);
    expect((await send(h, pending('SELL_STOP', 1.09))).retcode).toBe(10015);
    expect((await send(h, pending('BUY_LIMIT', 1.080005))).retcode).toBe(10015);
    h.sim.setPrice('USDCAD', 1.36, 1.3601);
    // USDCAD has a stops level of 5 points: a buy limit 3 points under the ask is too close.
    const near = {
      action: 'PENDING',
      symbol: 'USDCAD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: 1.36007,
    } as const;
    expect((await send(h, near)).retcode).toBe(10015);
    const stopLimit = {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_STOP_LIMIT',
      volume: 0.1,
      price: 1.09,
      stopLimit: 1.095,
    } as const;
    expect((await send(h, stopLimit)).retcode).toBe(10015);
  });

  it('10004 requote on instant execution: price outside the deviation, or the dealer requotes', async () => {
    const h = await start({ sim: { requoteRate: 1 } });
    h.sim.setPrice('USDCHF', 0.88, 0.8802);
    expect(await send(h, buy('USDCHF', 0.1, { price: 0.879, deviation: 10 }))).toMatchObject({
      retcode: 10004,
      outcome: 'retryable',
      ask: 0.8802,
    });
    expect((await send(h, buy('USDCHF', 0.1, { price: 0.8802 }))).retcode).toBe(10004);
    h.sim.state.setRequoteRate(0);
    // Within the deviation: filled at the market price (slippage within deviation).
    expect(await send(h, buy('USDCHF', 0.1, { price: 0.88015, deviation: 10 }))).toMatchObject({
      retcode: 10009,
      price: 0.8802,
    });
    expect(await send(h, buy('USDCHF', 0.1, { price: 0.8801, deviation: 0 }))).toMatchObject({
      retcode: 10004,
    });
  });

  it('market execution slips within the configured bound', async () => {
    const h = await start({ sim: { slippagePoints: 5, seed: 7 } });
    h.sim.setPrice('EURUSD', 1.085, 1.0851);
    const prices = new Set<number>();
    for (let i = 0; i < 20; i += 1) {
      const r = await send(h, buy('EURUSD', 0.01));
      expect(r.retcode).toBe(10009);
      expect(Math.abs(r.price - 1.0851)).toBeLessThanOrEqual(0.00005 + 1e-12);
      prices.add(r.price);
    }
    expect(prices.size).toBeGreaterThan(1);
  });

  it('10016 invalid stops: wrong side, inside the stops level, and on pending orders', async () => {
    const h = await start();
    h.sim.setPrice('EURUSD', 1.085, 1.0851);
    expect(await send(h, buy('EURUSD', 0.1, { sl: 1.086 }))).toMatchObject({
      retcode: 10016,
      outcome: 'rejected',
    });
    expect((await send(h, buy('EURUSD', 0.1, { tp: 1.084 }))).retcode).toBe(10016);
    expect((await send(h, sell('EURUSD', 0.1, { sl: 1.0849 }))).retcode).toBe(10016);
    h.sim.setPrice('USDCHF', 0.88, 0.8802);
    // USDCHF: stops level 10 points.
    expect((await send(h, buy('USDCHF', 0.1, { price: 0.8802, deviation: 5, sl: 0.87995 }))).retcode).toBe(
      10016,
    );
    expect((await send(h, buy('USDCHF', 0.1, { price: 0.8802, deviation: 5, sl: 0.8799 }))).retcode).toBe(
      10009,
    );
    const pending = {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: 1.08,
      sl: 1.081,
    } as const;
    expect((await send(h, pending)).retcode).toBe(10016);
  });

  it('10025 no changes and 10029 frozen for SL/TP modification', async () => {
    const h = await start();
    h.sim.setPrice('GBPJPY', 190, 190.028);
    // GBPJPY: instant execution, stops level 20, freeze level 5 points.
    const opened = await send(h, buy('GBPJPY', 0.1, { price: 190.028, sl: 189.9, tp: 190.2 }));
    expect(opened.retcode).toBe(10009);
    const sltp = (sl: number, tp: number) =>
      ({ action: 'SLTP', position: opened.order, symbol: 'GBPJPY', sl, tp }) as const;
    expect(await send(h, sltp(189.9, 190.2))).toMatchObject({ retcode: 10025, outcome: 'done' });
    expect((await send(h, sltp(189.95, 190.2))).retcode).toBe(10009);
    expect(h.sim.state.positions()[0]?.sl).toBe(189.95);
    // Bid 3 points above the SL: inside the freeze level.
    h.sim.setPrice('GBPJPY', 189.953, 189.981);
    expect(await send(h, sltp(189.9, 190.2))).toMatchObject({ retcode: 10029, outcome: 'rejected' });
  });

  it('10036 position closed, 10038 close volume too large, 10013 unknown order', async () => {
    const h = await start();
    const opened = await send(h, buy('EURUSD', 0.1));
    expect((await send(h, sell('EURUSD', 0.2, { position: opened.order }))).retcode).toBe(10038);
    expect((await send(h, sell('EURUSD', 0.1, { position: opened.order }))).retcode).toBe(10009);
    expect(await send(h, sell('EURUSD', 0.1, { position: opened.order }))).toMatchObject({
      retcode: 10036,
      outcome: 'rejected',
    });
    expect((await send(h, { action: 'REMOVE', order: '123' })).retcode).toBe(10013);
    expect((await send(h, { action: 'SLTP', position: '999', symbol: 'EURUSD', sl: 0, tp: 0 })).retcode).toBe(
      10036,
    );
  });

  it('10045 FIFO close and 10046 hedge prohibited', async () => {
    const fifo = await start({ sim: { account: { fifoClose: true } } });
    const first = await send(fifo, buy('EURUSD', 0.1));
    const second = await send(fifo, buy('EURUSD', 0.1));
    expect((await send(fifo, sell('EURUSD', 0.1, { position: second.order }))).retcode).toBe(10045);
    expect((await send(fifo, sell('EURUSD', 0.1, { position: first.order }))).retcode).toBe(10009);
    const noHedge = await start({ sim: { account: { hedgeProhibited: true, login: '3' } } });
    expect((await send(noHedge, buy('EURUSD', 0.1))).retcode).toBe(10009);
    expect((await send(noHedge, sell('EURUSD', 0.1))).retcode).toBe(10046);
  });

  it('10019 not enough money, by order_check and order_send', async () => {
    const h = await start();
    const check = await h.session.request('order_check', {
      ...buy('EURUSD', 100),
      clOrdId: id(),
      magic: '1',
    });
    expect(check).toMatchObject({ ok: true, value: { retcode: 10019, outcome: 'rejected' } });
    expect(await send(h, buy('EURUSD', 100))).toMatchObject({ retcode: 10019, outcome: 'rejected' });
    expect(h.sim.state.positions()).toEqual([]);
  });
});

describe('accounting', () => {
  it('netting: adds, reduces, closes and reverses one position per symbol', async () => {
    const h = await start({ sim: { account: { marginMode: 'netting' } } });
    h.sim.setPrice('EURUSD', 1.1, 1.1);
    await send(h, buy('EURUSD', 0.1));
    h.sim.setPrice('EURUSD', 1.2, 1.2);
    await send(h, buy('EURUSD', 0.1));
    expect(h.sim.state.positions()).toMatchObject([{ type: 0, volume: 0.2, priceOpen: 1.15 }]);
    await send(h, sell('EURUSD', 0.05));
    expect(h.sim.state.positions()).toMatchObject([{ type: 0, volume: 0.15 }]);
    await send(h, sell('EURUSD', 0.25));
    expect(h.sim.state.positions()).toMatchObject([{ type: 1, volume: 0.1, priceOpen: 1.2 }]);
    const entries = h.sim.state.deals().map((d) => d.entry);
    expect(entries.slice(-2)).toEqual([DEAL_ENTRY.OUT, DEAL_ENTRY.INOUT]);
    await send(h, buy('EURUSD', 0.1));
    expect(h.sim.state.positions()).toEqual([]);
    // Closed at 1.2: +0.05 on the 0.05 reduced, +0.05 × 0.15 on the reversal leg.
    expect(h.sim.state.account().balance).toBeCloseTo(10_000 + 250 + 750, 2);
  });

  it('hedging: separate positions, partial close by ticket, close by', async () => {
    const h = await start();
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
    const a = await send(h, buy('EURUSD', 0.3));
    const b = await send(h, sell('EURUSD', 0.1));
    expect(h.sim.state.positions()).toHaveLength(2);
    expect((await send(h, sell('EURUSD', 0.1, { position: a.order }))).retcode).toBe(10009);
    expect(h.sim.state.positions().find((p) => p.ticket === a.order)?.volume).toBe(0.2);
    const closeBy = await send(h, { action: 'CLOSE_BY', position: a.order, positionBy: b.order });
    expect(closeBy).toMatchObject({ retcode: 10009, volume: 0.1, price: 1.1 });
    expect(h.sim.state.positions()).toMatchObject([{ ticket: a.order, volume: 0.1 }]);
    expect(h.sim.state.deals().filter((d) => d.entry === DEAL_ENTRY.OUT_BY)).toHaveLength(2);
    // Netting accounts have no close-by.
    const netting = await start({ sim: { account: { marginMode: 'netting', login: '4' } } });
    expect((await send(netting, { action: 'CLOSE_BY', position: '1', positionBy: '2' })).retcode).toBe(10013);
  });

  it('commission per lot per side: every deal carries its charge, booked into the balance at once', async () => {
    const h = await start({ sim: { commissionPerLotPerSide: 3.5 } });
    h.sim.setPrice('EURUSD', 1.1, 1.1);
    const a = await send(h, buy('EURUSD', 0.3));
    const b = await send(h, sell('EURUSD', 0.1));
    // By hand: 0.3 lot × 3.50 = 1.05 and 0.1 lot × 3.50 = 0.35, charged on entry with no price move.
    expect(h.sim.state.account().balance).toBe(9_998.6);
    await send(h, sell('EURUSD', 0.07, { position: a.order })); // 0.245 rounds to 0.25 (half away from zero)
    await send(h, { action: 'CLOSE_BY', position: a.order, positionBy: b.order }); // two exits of 0.1: 0.35 each
    await send(h, sell('EURUSD', 0.13, { position: a.order })); // 0.455 → 0.46
    expect(h.sim.state.positions()).toEqual([]);
    const trades = h.sim.state.deals().filter((d) => d.type === 0 || d.type === 1);
    expect(trades.map((d) => d.commission)).toEqual([-1.05, -0.35, -0.25, -0.35, -0.35, -0.46]);
    // No price moved, so the balance lost exactly the commissions: 2.81 in all.
    expect(h.sim.state.account().balance).toBe(9_997.19);
    expect(h.sim.state.account().equity).toBe(9_997.19);
    // The terminal reports the same figures to the app (history_deals, as HistoryDealGetDouble(DEAL_COMMISSION)).
    const wire = await h.session.request('history_deals', { fromMs: 0, toMs: h.sim.state.now() + 1000 });
    if (!wire.ok) throw new Error(wire.error.message);
    expect(wire.value.deals.reduce((sum, d) => sum + d.commission, 0)).toBeCloseTo(-2.81, 9);
  });

  it('no commission by default: deals carry 0', async () => {
    const h = await start();
    h.sim.setPrice('EURUSD', 1.1, 1.1);
    const a = await send(h, buy('EURUSD', 1));
    await send(h, sell('EURUSD', 1, { position: a.order }));
    expect(h.sim.state.deals().map((d) => d.commission)).toEqual([0, 0, 0]);
    expect(h.sim.state.account().balance).toBe(10_000);
  });

  it('pending orders: placed, modified, triggered into a position, removed; stop-limit becomes a limit', async () => {
    const h = await start();
    h.sim.setPrice('EURUSD', 1.085, 1.0851);
    const placed = await send(h, {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: 1.08,
      sl: 1.07,
      tp: 1.1,
    });
    expect(placed).toMatchObject({ retcode: 10008, outcome: 'done' });
    const modified = await send(h, {
      action: 'MODIFY',
      order: placed.order,
      price: 1.081,
      sl: 1.07,
      tp: 1.1,
    });
    expect(modified.retcode).toBe(10009);
    expect(
      (await send(h, { action: 'MODIFY', order: placed.order, price: 1.081, sl: 1.07, tp: 1.1 })).retcode,
    ).toBe(10025);
    // The app hears of the fill as a trade change naming the new deal (docs/bridge-protocol.md, trade_events).
    const change = next(h.session.onTradeChange, (c) => c.deals.length > 0);
    h.sim.setPrice('EURUSD', 1.0809, 1.081);
    const [deal] = (await change).deals;
    expect(h.sim.state.deals().find((d) => d.ticket === deal)?.order).toBe(placed.order);
    expect(h.sim.state.orders()).toEqual([]);
    expect(h.sim.state.positions()).toMatchObject([
      { identifier: placed.order, priceOpen: 1.081, sl: 1.07, tp: 1.1 },
    ]);

    const stop = await send(h, {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'SELL_STOP_LIMIT',
      volume: 0.1,
      price: 1.07,
      stopLimit: 1.075,
    });
    expect(stop.retcode).toBe(10008);
    h.sim.setPrice('EURUSD', 1.0699, 1.07);
    expect(h.sim.state.orders()).toMatchObject([{ ticket: stop.order, type: 3, priceOpen: 1.075 }]);
    expect((await send(h, { action: 'REMOVE', order: stop.order })).retcode).toBe(10009);
    expect(h.sim.state.orders()).toEqual([]);
    expect(h.sim.state.historyOrders().find((o) => o.ticket === stop.order)?.state).toBe(2);
  });

  it('pending orders expire', async () => {
    let now = Date.now();
    const h = await start({ sim: { clock: { now: () => now } } });
    const placed = await send(h, {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: 1.08,
      typeTime: 'SPECIFIED',
      expiration: now + 60_000,
    });
    expect(placed.retcode).toBe(10008);
    now += 61_000;
    h.sim.setPrice('EURUSD', 1.085, 1.0851);
    expect(h.sim.state.orders()).toEqual([]);
    expect(h.sim.state.historyOrders().find((o) => o.ticket === placed.order)?.state).toBe(6);
  });

  it('SL and TP close positions; the closing deal comment is rewritten but lookup still finds the trade', async () => {
    const h = await start();
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
    const tpTrade = await send(h, buy('EURUSD', 0.1, { tp: 1.105 }));
    const slTrade = await send(h, sell('EURUSD', 0.1, { sl: 1.104 }));
    h.sim.setPrice('EURUSD', 1.105, 1.1051);
    expect(h.sim.state.positions()).toEqual([]);
    const closing = h.sim.state.deals().filter((d) => d.entry === DEAL_ENTRY.OUT);
    expect(closing.map((d) => d.reason).sort()).toEqual([DEAL_REASON.SL, DEAL_REASON.TP].sort());
    expect(closing.map((d) => d.comment).sort()).toEqual(['[sl 1.10400]', '[tp 1.10500]']);
    const deals = h.sim.state.deals();
    const opening = deals.find((d) => d.order === tpTrade.order);
    const found = await h.session.request('lookup', { clOrdId: opening?.comment ?? '' });
    expect(found.ok && found.value.deals.map((d) => d.entry).sort()).toEqual([DEAL_ENTRY.IN, DEAL_ENTRY.OUT]);
    expect(slTrade.retcode).toBe(10009);
  });

  it('stop-out closes the biggest loser when the margin level falls to the stop-out level', async () => {
    const h = await start({ sim: { account: { balance: 1_000, leverage: 100 } } });
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
    expect((await send(h, buy('EURUSD', 0.8))).retcode).toBe(10009);
    // Margin ≈ 880; a 0.0100 drop loses 800 → equity ≈ 200, level ≈ 23% < 50%.
    h.sim.setPrice('EURUSD', 1.09, 1.0901);
    expect(h.sim.state.positions()).toEqual([]);
    expect(h.sim.state.deals().at(-1)).toMatchObject({ reason: DEAL_REASON.SO });
    expect(h.sim.state.account().balance).toBeLessThan(300);
  });

  it('equity, margin, free margin and margin level follow prices', async () => {
    const h = await start();
    h.sim.setPrice('EURUSD', 1.1, 1.1);
    await send(h, buy('EURUSD', 1));
    h.sim.setPrice('EURUSD', 1.101, 1.101);
    const a = h.sim.state.account();
    expect(a).toMatchObject({
      balance: 10_000,
      profit: 100,
      equity: 10_100,
      margin: 1_100,
      marginFree: 9_000,
    });
    expect(a.marginLevel).toBeCloseTo(918.18, 2);
  });
});
