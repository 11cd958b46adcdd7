import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionResult } from '../../src-core/contracts/orders';
import { startSimulator } from '../../src-bridge/simulator/simulator';
import type { SimSetup } from './testing/sim-setup';
import { startSimSetup } from './testing/sim-setup';
import { ManualClock } from '../../src-core/testing/manual-clock';

/**
 * The executor against the MT5 simulator over a real Unix socket: every operation on hedging and netting accounts,
 * every refusal, requotes. Time stands still (a ManualClock nobody moves): no request deadline can pass here, so
 * a slow machine cannot turn the terminal's answer into a timeout and a "no trace" verdict.
 */

let setup: SimSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

async function start(
  marginMode: 'hedging' | 'netting',
  sim: Parameters<typeof startSimSetup>[0] = {},
): Promise<SimSetup> {
  setup = await startSimSetup({
    clock: new ManualClock(Date.now()),
    ...sim,
    sim: { account: { marginMode }, ...sim.sim },
  });
  return setup;
}

function ok(r: ExecutionResult): asserts r is Extract<ExecutionResult, { ok: true }> {
  expect(ExecutionResult.parse(r)).toEqual(r);
  if (!r.ok) throw new Error(`expected success, got ${r.code}: ${r.message}`);
}

describe.each(['hedging', 'netting'] as const)('every operation on a %s account', (mode) => {
  it('opens, modifies, partly closes and closes a position', async () => {
    const { services, harness } = await start(mode);
    const ex = services.executor;
    const opened = await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.3, sl: { pips: 30 } });
    ok(opened);
    expect(opened.message).toMatch(/^Bought 0\.30 EURUSD at /);
    const positions = harness.sim.state.positions();
    expect(positions).toHaveLength(1);
    const ticket = positions[0]?.ticket ?? '';
    expect(opened.position).toBe(ticket);
    expect(positions[0]?.comment).toBe(opened.clientOrderId);

    ok(await ex.modifyPosition({ ticket, tp: { pips: 50 } }));
    const modified = harness.sim.state.positions()[0];
    expect(modified?.tp).toBeCloseTo((modified?.priceOpen ?? 0) + 0.005, 8);

    const partial = await ex.closePosition({ ticket, volume: 0.1 });
    ok(partial);
    expect(harness.sim.state.positions()[0]?.volume).toBeCloseTo(0.2, 8);

    ok(await ex.closePosition({ ticket }));
    expect(harness.sim.state.positions()).toHaveLength(0);
    expect(services.journal.count('done')).toBe(4);
  });

  it('places, modifies and cancels a pending order', async () => {
    const { services, harness } = await start(mode);
    const ex = services.executor;
    const q = harness.sim.state.quote('EURUSD');
    const price = Number(((q?.bid ?? 1) - 0.005).toFixed(5));
    const placed = await ex.placePending({
      symbol: 'EURUSD',
      kind: 'buy_limit',
      price,
      volume: 0.2,
      sl: { pips: 20 },
    });
    ok(placed);
    expect(placed.message).toMatch(/^Placed a buy limit order for 0\.20 EURUSD/);
    const ticket = placed.order ?? '';
    expect(harness.sim.state.orders().map((o) => o.ticket)).toEqual([ticket]);

    const stop = await ex.placePending({
      symbol: 'EURUSD',
      kind: 'sell_stop',
      price: Number(((q?.bid ?? 1) - 0.004).toFixed(5)),
      volume: 0.1,
      expiration: Date.now() + 3_600_000,
    });
    ok(stop);

    ok(await ex.modifyOrder({ ticket, price: Number((price - 0.001).toFixed(5)), tp: { pips: 40 } }));
    expect(harness.sim.state.orders().find((o) => o.ticket === ticket)?.priceOpen).toBeCloseTo(
      price - 0.001,
      8,
    );

    ok(await ex.cancelOrder({ ticket }));
    ok(await ex.cancelOrder({ ticket: stop.order ?? '' }));
    expect(harness.sim.state.orders()).toHaveLength(0);
  });

  it('closes all positions, or those of one symbol', async () => {
    const { services, harness } = await start(mode);
    const ex = services.executor;
    ok(await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'a' }));
    ok(await ex.openMarket({ symbol: 'USDJPY', side: 'sell', volume: 0.1, requestKey: 'b' }));
    ok(await ex.openMarket({ symbol: 'XAUUSD', side: 'buy', volume: 0.1, requestKey: 'c' }));
    const gold = await ex.closeAll({ symbol: 'XAUUSD' });
    ok(gold);
    expect(gold.items).toHaveLength(1);
    expect(harness.sim.state.positions()).toHaveLength(2);
    const all = await ex.closeAll({});
    ok(all);
    expect(all.message).toBe('Closed all 2 positions.');
    expect(harness.sim.state.positions()).toHaveLength(0);
  });
});

describe('netting and hedging accounting', () => {
  it('netting: an opposite order reduces the one position; hedging: it opens a second one', async () => {
    const net = await start('netting');
    ok(
      await net.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.3, requestKey: '1' }),
    );
    ok(
      await net.services.executor.openMarket({
        symbol: 'EURUSD',
        side: 'sell',
        volume: 0.1,
        requestKey: '2',
      }),
    );
    expect(net.harness.sim.state.positions().map((p) => p.volume)).toEqual([0.2]);
    await net.close();

    const hedge = await start('hedging');
    ok(
      await hedge.services.executor.openMarket({
        symbol: 'EURUSD',
        side: 'buy',
        volume: 0.3,
        requestKey: '1',
      }),
    );
    ok(
      await hedge.services.executor.openMarket({
        symbol: 'EURUSD',
        side: 'sell',
        volume: 0.1,
        requestKey: '2',
      }),
    );
    expect(hedge.harness.sim.state.positions()).toHaveLength(2);
  });
});

describe('refusals', () => {
  it('volume, lot limit, margin and the positions limit are refused before sending', async () => {
    const { services, harness } = await start('hedging');
    const ex = services.executor;
    expect(await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.001 })).toMatchObject({
      ok: false,
      code: 'VOLUME_BELOW_MIN',
    });
    expect(await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.015 })).toMatchObject({
      ok: false,
      code: 'VOLUME_NOT_STEP',
    });
    expect(await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 11 })).toMatchObject({
      ok: false,
      code: 'MAX_LOT_SIZE_EXCEEDED',
      details: { max: 10, excess: 1 },
    });
    const margin = await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 9.5 });
    expect(margin).toMatchObject({ ok: false, code: 'INSUFFICIENT_MARGIN' });
    if (!margin.ok) expect(margin.message).toMatch(/short/);

    services.settings.set({ riskLimits: { maxOpenPositions: 2 } });
    ok(await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'p1' }));
    ok(await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'p2' }));
    expect(
      await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'p3' }),
    ).toMatchObject({
      ok: false,
      code: 'MAX_OPEN_POSITIONS_EXCEEDED',
      details: { max: 2, excess: 1 },
    });
    expect(harness.sim.state.positions()).toHaveLength(2);
    // Every refusal is journalled with its reason; nothing reached the trade server.
    expect(services.journal.count('rejected')).toBe(5);
    expect(harness.sim.state.deals().filter((d) => d.type <= 1)).toHaveLength(2);
  });

  it('stops and freeze levels', async () => {
    const { services, harness } = await start('hedging');
    const ex = services.executor;
    // USDCHF: stops level 10 points.
    expect(
      await ex.openMarket({ symbol: 'USDCHF', side: 'buy', volume: 0.1, sl: { pips: 2 } }),
    ).toMatchObject({
      ok: false,
      code: 'STOP_LOSS_TOO_CLOSE',
    });
    // GBPJPY: stops level 20, freeze level 5 points. Open with SL 25 points under the bid, then move the bid next to it.
    const q0 = harness.sim.state.quote('GBPJPY');
    const sl = Number(((q0?.bid ?? 0) - 0.025).toFixed(3));
    const opened = await ex.openMarket({ symbol: 'GBPJPY', side: 'buy', volume: 0.1, sl: { price: sl } });
    ok(opened);
    const pos = harness.sim.state.positions()[0];
    const q = harness.sim.state.quote('GBPJPY');
    if (pos === undefined || q === undefined) throw new Error('no position');
    const spread = q.ask - q.bid;
    const bid = Number((pos.sl + 0.004).toFixed(3));
    harness.sim.setPrice('GBPJPY', bid, Number((bid + spread).toFixed(3)));
    expect(await ex.modifyPosition({ ticket: pos.ticket, sl: null })).toMatchObject({
      ok: false,
      code: 'FROZEN',
    });
    expect(await ex.closePosition({ ticket: pos.ticket })).toMatchObject({ ok: false, code: 'FROZEN' });
    expect(harness.sim.state.positions()).toHaveLength(1);
  });

  it('market closed, trade disabled and autotrading off', async () => {
    const { services, harness } = await start('netting');
    const ex = services.executor;
    harness.sim.setMarketOpen('EURUSD', false);
    expect(
      await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: '1' }),
    ).toMatchObject({ ok: false, code: 'MARKET_CLOSED' });
    harness.sim.setMarketOpen('EURUSD', undefined);
    harness.sim.setTradeMode('EURUSD', 'DISABLED');
    expect(
      await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: '2' }),
    ).toMatchObject({ ok: false, code: 'TRADE_DISABLED' });
    harness.sim.setTradeMode('EURUSD', 'FULL');
    harness.sim.setAutotrading(false);
    const off = await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: '3' });
    expect(off).toMatchObject({ ok: false, code: 'TRADE_REJECTED', retcode: 10027 });
    if (!off.ok) expect(off.message).toMatch(/Algo Trading/);
    harness.sim.setAutotrading(true);
    ok(await ex.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: '4' }));
    expect(harness.sim.state.positions()).toHaveLength(1);
  });

  it('a symbol the terminal does not know', async () => {
    const { services } = await start('hedging');
    expect(await services.executor.openMarket({ symbol: 'NOPE', side: 'buy', volume: 0.1 })).toMatchObject({
      ok: false,
      code: 'SYMBOL_NOT_FOUND',
    });
  });
});

describe('requotes (instant execution)', () => {
  it('are not retried when settings say so, and are retried with a fresh price when allowed', async () => {
    const { services, harness } = await start('hedging', { sim: { requoteRate: 1 } });
    const ex = services.executor;
    const first = await ex.openMarket({ symbol: 'USDCHF', side: 'buy', volume: 0.1, requestKey: 'r1' });
    expect(first).toMatchObject({ ok: false, code: 'TRADE_NOT_EXECUTED', retcode: 10004 });
    expect(harness.sim.state.positions()).toHaveLength(0);

    services.settings.set({ riskLimits: { isRetryAllowed: true, maxRetries: 2 } });
    // The dealer requotes the first attempt only.
    const off = services.onJournalChanged((e) => {
      if (e.retcode === 10004) harness.sim.state.setRequoteRate(0);
    });
    const second = await ex.openMarket({ symbol: 'USDCHF', side: 'buy', volume: 0.1, requestKey: 'r2' });
    off();
    ok(second);
    const entry = services.journal.getByClientOrderId(second.clientOrderId);
    expect(entry?.attempts).toBe(2);
    expect(harness.sim.state.positions()).toHaveLength(1);
    expect(
      harness.sim.state.executions(second.clientOrderId) +
        harness.sim.state.executions(`${second.clientOrderId}.2`),
    ).toBe(1);
  });
});

describe('reconciliation while the terminal is off the trade server', () => {
  it('keeps the row unknown while lookup answers TERMINAL_ERROR, and settles it once the terminal is back', async () => {
    const { services, harness } = await start('hedging');
    harness.sim.faults.dropAfterExecute = 1;
    // The internet goes with the pipe: the terminal is off the trade server when it reconnects to Pipdesk.
    const off = harness.sim.onStatus((st) => {
      if (st.kind === 'disconnected') harness.sim.setTradeServerConnected(false);
    });
    const r = await services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    off();
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    expect(harness.sim.state.positions()).toHaveLength(1);
    await harness.sim.waitForSession();
    await services.executor.reconcileOpen();
    expect(services.journal.get(r.entryId ?? '')?.state).toBe('unknown');

    harness.sim.setTradeServerConnected(true);
    await services.executor.reconcileOpen();
    const e = services.journal.get(r.entryId ?? '');
    expect(e?.state).toBe('done');
    expect(harness.sim.state.positions()).toHaveLength(1);
  });
});

describe('reconciliation over real sessions of two accounts', () => {
  it('a row of account A is not settled by account B, and is settled by A once A is back', async () => {
    const { services, harness } = await start('hedging', { executor: { reconnectWaitMs: 100 } });
    harness.sim.faults.dropAfterExecute = 1;
    // Terminal A executes the order and goes away before answering.
    const off = harness.sim.onStatus((st) => {
      if (st.kind === 'disconnected') void harness.sim.stop();
    });
    const r = await services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    off();
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const id = r.entryId ?? '';
    expect(services.journal.accountOf(id)).toBe(harness.sim.key);

    // Account B connects and becomes the active session: it has no trace of A's order.
    const b = startSimulator({
      path: harness.path,
      token: harness.token,
      account: { login: '6002' },
      reconnect: { minMs: 20, maxMs: 200 },
      refusedRetryMs: 50,
    });
    try {
      await b.waitForSession();
      await services.executor.reconcileOpen();
      expect(services.journal.get(id)?.state).toBe('unknown');

      harness.sim.connect();
      await harness.sim.waitForSession();
      await services.executor.reconcileOpen();
      expect(services.journal.get(id)?.state).toBe('done');
      expect(harness.sim.state.positions()).toHaveLength(1);
      expect(b.state.positions()).toHaveLength(0);
    } finally {
      await b.stop();
    }
  });
});
