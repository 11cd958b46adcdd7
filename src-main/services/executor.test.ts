import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionResult } from '../../src-core/contracts/orders';
import type { Clock } from '../../src-core/clock';
import { systemClock } from '../../src-core/clock';
import type { Db } from './database';
import { openDatabase } from './database';
import type { ExecutorOptions, ExecutorTimers, OrderResultEvent } from './executor';
import { attemptClOrdId, Executor } from './executor';
import { FakeTradingBridge } from './testing/fake-trading-bridge';
import { Journal } from './journal';
import { createMemoryLogger } from '../../src-core/logger';
import { SettingsStore } from './settings';

let dir: string;
let db: Db;
let bridge: FakeTradingBridge;
let journal: Journal;
let settings: SettingsStore;
let executor: Executor;
let logger: ReturnType<typeof createMemoryLogger>;

const FAST: Partial<ExecutorOptions> = {
  sendDeadlineMs: 200,
  lookupDeadlineMs: 200,
  reconcileGraceMs: 0,
  reconcileAttempts: 1,
  retryBackoffMs: 1,
  dedupWindowMs: 300,
  specTtlMs: 0,
  sameSessionProofMarginMs: 20,
  otherSessionProofMarginMs: 50,
};

/** A clock running `aheadMs` ahead of the wall clock: an executor started that much later. */
const later = (aheadMs: number): Clock => ({ now: () => Date.now() + aheadMs });

function build(options: Partial<ExecutorOptions> = {}, clock: Clock = systemClock): Executor {
  return new Executor({
    bridge,
    journal,
    settings,
    logger,
    clock,
    options: { ...FAST, ...options },
  });
}

/** The next result of entry `entryId` in a final state. */
function finalEvent(entryId: string): Promise<OrderResultEvent> {
  return new Promise((resolve) => {
    const off = executor.onOrderResult((ev) => {
      if (ev.entry.id !== entryId || ['unknown', 'pending', 'sent'].includes(ev.entry.state)) return;
      off();
      resolve(ev);
    });
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-exec-'));
  db = openDatabase(join(dir, 'pipdesk.db'));
  bridge = new FakeTradingBridge();
  logger = createMemoryLogger();
  journal = new Journal(db, systemClock);
  settings = new SettingsStore(db, systemClock, logger);
  executor = build();
});
afterEach(() => {
  executor.close();
  journal.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectContract(r: ExecutionResult): void {
  expect(ExecutionResult.parse(r)).toEqual(r);
}

describe('Executor: opening', () => {
  it('journals the intent as pending before sending, then records the fill', async () => {
    const statesAtSend: string[] = [];
    bridge.onSend = (p) => {
      const e = journal.getByClientOrderId(p.clOrdId);
      statesAtSend.push(e?.state ?? 'missing');
    };
    const r = await executor.openMarket({
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.1,
      sl: { pips: 20 },
      tp: { pips: 40 },
    });
    expectContract(r);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(statesAtSend).toEqual(['sent']);
    expect(r.message).toMatch(/^Bought 0\.10 EURUSD at 1\.08/);
    const e = journal.getByClientOrderId(r.clientOrderId);
    expect(e?.state).toBe('done');
    expect(e?.retcode).toBe(10009);
    expect(e?.retcodeName).toBe('TRADE_RETCODE_DONE');
    expect(e?.margin).toBe(100);
    expect(e?.latencyMs).not.toBeNull();
    expect(e?.sl).toBeCloseTo((e?.requestedPrice ?? 0) - 0.002, 8);
    expect(bridge.sent[0]?.clOrdId).toBe(r.clientOrderId);
    expect(r.clientOrderId.length).toBeLessThanOrEqual(26);
    expect(logger.records.some((l) => l.message === 'order margin' && l.fields?.['margin'] === 100)).toBe(
      true,
    );
  });

  it('refuses bad input without journalling or sending', async () => {
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'up', volume: -1 });
    expectContract(r);
    expect(r).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(journal.count()).toBe(0);
    expect(bridge.sent).toHaveLength(0);
  });

  it.each([
    [{ volume: 0.001 }, 'VOLUME_BELOW_MIN'],
    [{ volume: 0.015 }, 'VOLUME_NOT_STEP'],
    [{ volume: 12 }, 'MAX_LOT_SIZE_EXCEEDED'],
    [{ sl: { price: 1.2 } }, 'STOP_LOSS_WRONG_SIDE'],
    [{ tp: { price: 1.0 } }, 'TAKE_PROFIT_WRONG_SIDE'],
  ])('refuses %j with %s, journalled as rejected, nothing sent', async (extra, code) => {
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, ...extra });
    expectContract(r);
    expect(r).toMatchObject({ ok: false, code });
    expect(bridge.sent).toHaveLength(0);
    expect(journal.count('rejected')).toBe(1);
  });

  it('says which limit and by how much', async () => {
    const lots = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 12 });
    expect(lots).toMatchObject({
      ok: false,
      code: 'MAX_LOT_SIZE_EXCEEDED',
      details: { limit: 'maxLotSize', value: 12, max: 10, excess: 2 },
    });
    bridge.marginPerLot = 200_000;
    const margin = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(margin).toMatchObject({
      ok: false,
      code: 'INSUFFICIENT_MARGIN',
      details: { limit: 'requireMarginWithinFree', value: 20_000, max: 10_000, excess: 10_000 },
    });
  });

  it('limits the risk per trade to a percent of the equity, not the balance, while a position is losing', async () => {
    settings.set({ riskLimits: { maxRiskPercent: 1 } });
    const first = await executor.openMarket({
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.1,
      sl: { pips: 50 },
      requestKey: 'first',
    });
    expect(first.ok).toBe(true);
    // That position is now 2,000 USD down: the balance is still 10,000 but the equity is 8,000, so 1 % is 80 USD.
    Object.assign(bridge.accountInfo, { profit: -2_000, equity: 8_000, marginFree: 7_900 });
    // 0.1 lot with a 90-pip stop risks 90 USD: within 1 % of the balance (100), over 1 % of the equity (80).
    const refused = await executor.openMarket({
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.1,
      sl: { pips: 90 },
      requestKey: 'over',
    });
    expect(refused).toMatchObject({
      ok: false,
      code: 'MAX_RISK_PER_TRADE_EXCEEDED',
      details: { limit: 'maxRiskPerTrade', value: 90, max: 80, maxPercent: 1, excess: 10 },
    });
    expect(refused.ok ? '' : refused.message).toContain('1.13% of the equity');
    expect(bridge.sent).toHaveLength(1);
    const within = await executor.openMarket({
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.1,
      sl: { pips: 70 },
      requestKey: 'within',
    });
    expect(within.ok).toBe(true);
  });

  it('refuses a stop-loss order it cannot price in money (no tick value) as such, not as "stop loss required"', async () => {
    const spec = bridge.specs.get('XAUUSD');
    if (spec === undefined) throw new Error('no XAUUSD');
    // A wire tick value of 0 means the terminal did not say.
    bridge.specs.set('XAUUSD', { ...spec, tickValue: 0 });
    const order = { symbol: 'XAUUSD', side: 'buy', volume: 0.1, sl: { pips: 50 } } as const;
    // Without a risk limit nothing needs the money at risk: the order goes out.
    expect((await executor.openMarket({ ...order, requestKey: 'free' })).ok).toBe(true);
    settings.set({ riskLimits: { maxRiskPercent: 1 } });
    const refused = await executor.openMarket({ ...order, requestKey: 'limited' });
    expect(refused).toMatchObject({
      ok: false,
      code: 'RISK_NOT_COMPUTABLE',
      details: { limit: 'maxRiskPerTrade', symbol: 'XAUUSD', maxPercent: 1 },
    });
    expect(refused.ok ? '' : refused.message).toMatch(
      /^Cannot compute the risk: the terminal sent no tick value for XAUUSD/,
    );
    expect(bridge.sent).toHaveLength(1);
  });

  it('enforces the open-positions limit on hedging, but lets a netting order add to its position', async () => {
    settings.set({ riskLimits: { maxOpenPositions: 2 } });
    for (let i = 0; i < 2; i += 1) {
      expect(
        (await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: `k${i}` })).ok,
      ).toBe(true);
    }
    const third = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'k3' });
    expect(third).toMatchObject({
      ok: false,
      code: 'MAX_OPEN_POSITIONS_EXCEEDED',
      details: { limit: 'maxOpenPositions', value: 3, max: 2, excess: 1 },
    });
    bridge.accountInfo.marginMode = 'netting';
    const netted = await executor.openMarket({
      symbol: 'EURUSD',
      side: 'sell',
      volume: 0.1,
      requestKey: 'k4',
    });
    expect(netted.ok).toBe(true);
  });

  it('refuses when not connected, market closed, trade disabled or autotrading off', async () => {
    bridge.connected = false;
    expect(
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'a' }),
    ).toMatchObject({ ok: false, code: 'NOT_CONNECTED' });
    bridge.connected = true;
    const spec = bridge.specs.get('EURUSD');
    if (spec === undefined) throw new Error('no spec');
    bridge.specs.set('EURUSD', { ...spec, sessionOpen: false });
    expect(
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'b' }),
    ).toMatchObject({ ok: false, code: 'MARKET_CLOSED' });
    bridge.specs.set('EURUSD', { ...spec, tradeMode: 0 });
    expect(
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'c' }),
    ).toMatchObject({ ok: false, code: 'TRADE_DISABLED' });
    bridge.specs.set('EURUSD', spec);
    bridge.accountInfo.tradeAllowed = false;
    expect(
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'd' }),
    ).toMatchObject({ ok: false, code: 'TRADE_DISABLED' });
    expect(bridge.sent).toHaveLength(0);
    expect(journal.count('failed')).toBe(1);
    expect(journal.count('rejected')).toBe(3);
    bridge.accountInfo.tradeAllowed = true;
  });
});

describe('Executor: retries', () => {
  it('does not retry a requote when retries are off', async () => {
    bridge.script.push({ kind: 'retcode', retcode: 10004 });
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'TRADE_NOT_EXECUTED', retcode: 10004 });
    if (r.ok) return;
    expect(r.message).toMatch(/retries are off/);
    expect(bridge.sent).toHaveLength(1);
  });

  it('retries a requote with a fresh price and a new attempt id, bounded by settings', async () => {
    settings.set({ riskLimits: { isRetryAllowed: true, maxRetries: 2 } });
    bridge.script.push({ kind: 'retcode', retcode: 10004 }, { kind: 'retcode', retcode: 10020 });
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(bridge.sent.map((s) => s.clOrdId)).toEqual([
      r.clientOrderId,
      attemptClOrdId(r.clientOrderId, 2),
      attemptClOrdId(r.clientOrderId, 3),
    ]);
    expect(journal.getByClientOrderId(r.clientOrderId)?.attempts).toBe(3);

    bridge.script.push(
      { kind: 'retcode', retcode: 10004 },
      { kind: 'retcode', retcode: 10004 },
      { kind: 'retcode', retcode: 10004 },
    );
    const gaveUp = await executor.openMarket({ symbol: 'EURUSD', side: 'sell', volume: 0.1 });
    expect(gaveUp).toMatchObject({ ok: false, code: 'TRADE_NOT_EXECUTED', retcode: 10004 });
    expect(bridge.sent).toHaveLength(6);
  });

  it('never retries a final rejection', async () => {
    settings.set({ riskLimits: { isRetryAllowed: true, maxRetries: 3 } });
    bridge.script.push({ kind: 'retcode', retcode: 10019 });
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'TRADE_REJECTED', retcode: 10019 });
    expect(bridge.sent).toHaveLength(1);
  });
});

describe('Executor: unknown outcomes', () => {
  it.each([
    [
      'timeout after execution',
      { kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: true } as const,
      'done',
    ],
    [
      'link dropped after execution',
      { kind: 'fail', failure: { kind: 'disconnected', message: 'd' }, execute: true } as const,
      'done',
    ],
    [
      'link dropped before execution',
      { kind: 'fail', failure: { kind: 'disconnected', message: 'd' }, execute: false } as const,
      'failed',
    ],
    ['10012 timeout retcode, nothing in the account', { kind: 'retcode', retcode: 10012 } as const, 'failed'],
  ])('%s: reconciles by lookup and never resends', async (_name, step, state) => {
    settings.set({ riskLimits: { isRetryAllowed: true, maxRetries: 3 } });
    bridge.script.push(step);
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expectContract(r);
    expect(bridge.sent).toHaveLength(1);
    expect(bridge.lookups).toBeGreaterThanOrEqual(1);
    if (state === 'done') {
      expect(r).toMatchObject({ ok: true, reconciled: true });
      expect(journal.get(r.entryId ?? '')?.state).toBe('done');
      expect(bridge.positionList).toHaveLength(1);
    } else {
      // "No trace" right after the send proves nothing: unknown until past expiresAt plus the margin, then
      // settled by the reconciliation timer.
      expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
      const ev = await finalEvent(r.entryId ?? '');
      expect(ev.entry.state).toBe(state);
      expect(ev.entry.completedAt ?? 0).toBeGreaterThan((ev.entry.sentAt ?? 0) + (FAST.sendDeadlineMs ?? 0));
      expect(bridge.positionList).toHaveLength(0);
      expect(bridge.sent).toHaveLength(1);
    }
  });

  it('keeps an unconfirmable outcome unknown, then settles it when the terminal reconnects', async () => {
    bridge.script.push({ kind: 'fail', failure: { kind: 'disconnected', message: 'gone' }, execute: true });
    bridge.lookupFailure = { kind: 'timeout', message: 'no answer' };
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const id = r.clientOrderId ?? '';
    expect(journal.getByClientOrderId(id)?.state).toBe('unknown');

    const settled = new Promise<OrderResultEvent>((resolve) => {
      executor.onOrderResult((ev) => {
        if (ev.entry.clientOrderId === id) resolve(ev);
      });
    });
    bridge.lookupFailure = null;
    bridge.restartEa();
    bridge.fireSessionReady();
    const ev = await settled;
    expect(ev.result).toMatchObject({ ok: true, reconciled: true });
    expect(journal.getByClientOrderId(id)?.state).toBe('done');
    expect(bridge.sent).toHaveLength(1);
  });

  it('reconciles rows left pending or sent by a crash at start-up', async () => {
    // Simulate a crash: the pending row is written and the order executed, but the process died before the answer.
    bridge.script.push({ kind: 'fail', failure: { kind: 'disconnected', message: 'crash' }, execute: true });
    bridge.lookupFailure = { kind: 'not_connected', message: 'down' };
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    const lost = journal.insert(
      {
        clientOrderId: 'Pcrashnotsent01',
        parentId: null,
        origin: 'local',
        operation: 'open_market',
        requestKey: null,
        symbol: 'EURUSD',
        side: 'buy',
        volume: 0.1,
        intent: {},
        state: 'pending',
      },
      { durable: true },
    );
    bridge.lookupFailure = null;
    // Restarted at once, "no trace" proves nothing yet (the killed app's session may still be in OrderSend)...
    const early = build();
    expect(await early.reconcileOpen()).toEqual({ checked: 2, done: 1, notExecuted: 0, stillUnknown: 1 });
    early.close();
    // ...a restart after the row's expiresAt plus the margin settles it.
    const fresh = build({}, later(1_000));
    const summary = await fresh.reconcileOpen();
    fresh.close();
    expect(summary).toEqual({ checked: 1, done: 0, notExecuted: 1, stillUnknown: 0 });
    expect(journal.getByClientOrderId(r.clientOrderId ?? '')?.state).toBe('done');
    expect(journal.get(lost.id)?.state).toBe('failed');
    expect(journal.listOpen()).toEqual([]);
  });
});

describe('Executor: double clicks', () => {
  it('one order for concurrent requests with the same key, and for the same content without a key', async () => {
    const same = await Promise.all([
      executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'click-1' }),
      executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'click-1' }),
    ]);
    expect(bridge.sent).toHaveLength(1);
    expect(same[1]).toMatchObject({ ok: true, duplicate: true, clientOrderId: same[0].clientOrderId });
    // Later, the same key still answers with the journalled result.
    const replay = await executor.openMarket({
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.1,
      requestKey: 'click-1',
    });
    expect(replay).toMatchObject({ ok: true, duplicate: true, clientOrderId: same[0].clientOrderId });

    const noKey = await Promise.all([
      executor.openMarket({ symbol: 'EURUSD', side: 'sell', volume: 0.2 }),
      executor.openMarket({ symbol: 'EURUSD', side: 'sell', volume: 0.2 }),
    ]);
    expect(bridge.sent).toHaveLength(2);
    expect(noKey[1]).toMatchObject({ duplicate: true });
    const withinWindow = await executor.openMarket({ symbol: 'EURUSD', side: 'sell', volume: 0.2 });
    expect(withinWindow).toMatchObject({ duplicate: true });
    expect(bridge.sent).toHaveLength(2);
  });

  it('two distinct keys are two orders', async () => {
    await Promise.all([
      executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'a' }),
      executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'b' }),
    ]);
    expect(bridge.sent).toHaveLength(2);
  });
});

describe('Executor: other operations', () => {
  it('pending order: place, modify, cancel', async () => {
    const placed = await executor.placePending({
      symbol: 'EURUSD',
      kind: 'buy_limit',
      price: 1.08,
      volume: 0.2,
      sl: { pips: 30 },
    });
    expectContract(placed);
    expect(placed.ok).toBe(true);
    if (!placed.ok) return;
    expect(placed.message).toMatch(/Placed a buy limit order for 0\.20 EURUSD at 1\.08000/);
    const ticket = placed.order ?? '';
    expect(bridge.orderList[0]?.sl).toBeCloseTo(1.077, 8);

    const wrongSide = await executor.placePending({
      symbol: 'EURUSD',
      kind: 'buy_limit',
      price: 1.2,
      volume: 0.2,
    });
    expect(wrongSide).toMatchObject({ ok: false, code: 'PENDING_PRICE_WRONG_SIDE' });

    const modified = await executor.modifyOrder({ ticket, price: 1.079, tp: { price: 1.09 } });
    expect(modified.ok).toBe(true);
    expect(bridge.orderList[0]).toMatchObject({ priceOpen: 1.079, tp: 1.09 });

    const cancelled = await executor.cancelOrder({ ticket });
    expect(cancelled).toMatchObject({ ok: true });
    expect(bridge.orderList).toHaveLength(0);
    expect(await executor.cancelOrder({ ticket: '1' })).toMatchObject({
      ok: false,
      code: 'TICKET_NOT_FOUND',
    });
  });

  it('checks a modified expiration against the trade server clock, as placing does (UTC+3 and UTC-5)', async () => {
    const hour = 3_600_000;
    const place = async () => {
      const placed = await executor.placePending({
        symbol: 'EURUSD',
        kind: 'buy_limit',
        price: 1.08,
        volume: 0.1,
      });
      expect(placed.ok).toBe(true);
      return placed.ok ? (placed.order ?? '') : '';
    };
    // A UTC+3 server: 30 minutes before the server's now is already past there, though 2.5 h after UTC now.
    Object.assign(bridge.accountInfo, { timeOffsetSec: 10_800 });
    const plus3 = await place();
    const serverNowPlus3 = Date.now() + 3 * hour;
    expect(
      await executor.modifyOrder({ ticket: plus3, expiration: serverNowPlus3 - hour / 2 }),
    ).toMatchObject({
      ok: false,
      code: 'EXPIRATION_IN_PAST',
    });
    expect(
      await executor.modifyOrder({ ticket: plus3, expiration: serverNowPlus3 + 2 * hour }),
    ).toMatchObject({
      ok: true,
    });
    // A UTC-5 server: 2 h ahead on the server's clock is 3 h before UTC now, and must still be accepted.
    Object.assign(bridge.accountInfo, { timeOffsetSec: -18_000 });
    const minus5 = await place();
    const serverNowMinus5 = Date.now() - 5 * hour;
    expect(
      await executor.modifyOrder({ ticket: minus5, expiration: serverNowMinus5 + 2 * hour }),
    ).toMatchObject({
      ok: true,
    });
    expect(await executor.modifyOrder({ ticket: minus5, expiration: serverNowMinus5 - hour })).toMatchObject({
      ok: false,
      code: 'EXPIRATION_IN_PAST',
    });
  });

  it('a position closed between the check and the send (retcode 10036) is TICKET_NOT_FOUND, as the check says', async () => {
    const opened = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    if (!opened.ok) throw new Error(opened.message);
    const ticket = opened.position ?? '';
    // The trade server closes it (an SL hit) after the executor found it open.
    bridge.onSend = () => {
      bridge.positionList = [];
    };
    expect(await executor.modifyPosition({ ticket, tp: { price: 1.1 } })).toMatchObject({
      ok: false,
      code: 'TICKET_NOT_FOUND',
      retcode: 10036,
    });
  });

  it('position: modify SL/TP, partial close, close, close all', async () => {
    const opened = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.3 });
    if (!opened.ok) throw new Error(opened.message);
    const ticket = opened.position ?? '';
    const mod = await executor.modifyPosition({ ticket, sl: { pips: 25 }, tp: { price: 1.1 } });
    expect(mod.ok).toBe(true);
    expect(bridge.positionList[0]?.tp).toBe(1.1);
    expect(await executor.modifyPosition({ ticket, tp: { price: 1.1 }, requestKey: 'same' })).toMatchObject({
      ok: false,
      code: 'NO_CHANGES',
    });

    const partial = await executor.closePosition({ ticket, volume: 0.1 });
    expect(partial.ok).toBe(true);
    if (partial.ok) expect(partial.message).toMatch(/^Closed 0\.10 of position/);
    expect(bridge.positionList[0]?.volume).toBeCloseTo(0.2, 8);
    expect(await executor.closePosition({ ticket, volume: 1 })).toMatchObject({
      ok: false,
      code: 'INVALID_CLOSE_VOLUME',
    });

    await executor.openMarket({ symbol: 'XAUUSD', side: 'sell', volume: 0.1, requestKey: 'x' });
    await executor.openMarket({ symbol: 'USDJPY', side: 'buy', volume: 0.1, requestKey: 'y' });
    const onlyGold = await executor.closeAll({ symbol: 'XAUUSD' });
    expect(onlyGold).toMatchObject({ ok: true, items: [{ symbol: 'XAUUSD', ok: true }] });
    const all = await executor.closeAll({});
    expectContract(all);
    expect(all).toMatchObject({ ok: true, message: 'Closed all 2 positions.' });
    expect(bridge.positionList).toHaveLength(0);
    expect(await executor.closeAll({ symbol: 'GBPUSD' })).toMatchObject({
      ok: true,
      message: 'There were no open positions to close.',
    });
  });

  it('close all reports the positions it could not close, in the order it planned them', async () => {
    // A stopped clock: every close is journalled in the same millisecond, the tie a loaded machine produces, so
    // only the plan can order the items (the journal's own order would then follow its random row ids).
    const frozen = { now: () => 1_800_000_000_000 };
    const tiedJournal = new Journal(db, frozen);
    executor.close();
    executor = new Executor({ bridge, journal: tiedJournal, settings, logger, clock: frozen, options: FAST });
    for (let i = 1; i <= 6; i += 1) {
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: i / 10, requestKey: `p${i}` });
    }
    const planned = bridge.positionList.map((p) => p.ticket);
    bridge.script.push({ kind: 'retcode', retcode: 10018 });
    const r = await executor.closeAll({});
    tiedJournal.close();
    expect(r).toMatchObject({ ok: false, code: 'TRADE_REJECTED' });
    const items = r.items ?? [];
    expect(items.map((i) => i.ticket)).toEqual(planned);
    expect(items.map((i) => i.ok)).toEqual([false, true, true, true, true, true]);
    expect(items[0]?.retcode).toBe(10018);
    expect(bridge.positionList.map((p) => p.ticket)).toEqual([planned[0]]);
  });

  it('close all counts a position the trade server closed meanwhile as flat, not as a failure, and names it', async () => {
    for (let i = 1; i <= 3; i += 1) {
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: i / 10, requestKey: `g${i}` });
    }
    const [first, second, third] = bridge.positionList.map((p) => p.ticket);
    // While the first close is on its way, the second position's SL is hit (the close all finds it gone before
    // sending), and the third is stopped out just as its own close reaches the trade server (retcode 10036).
    bridge.onSend = (params) => {
      const position = 'position' in params ? params.position : undefined;
      if (position === first) bridge.positionList = bridge.positionList.filter((p) => p.ticket !== second);
      if (position === third) bridge.positionList = bridge.positionList.filter((p) => p.ticket !== third);
    };
    const r = await executor.closeAll({});
    expect(r).toMatchObject({ ok: true });
    expect(r.message).toBe(
      `Closed 1 of 3 positions; #${second}, #${third} were already closed by the trade server.`,
    );
    expect(bridge.positionList).toEqual([]);
  });

  it('close all still fails when a position stays open, and names the one already closed apart', async () => {
    for (let i = 1; i <= 2; i += 1) {
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: i / 10, requestKey: `h${i}` });
    }
    const [first, second] = bridge.positionList.map((p) => p.ticket);
    bridge.script.push({ kind: 'retcode', retcode: 10018 });
    bridge.onSend = (params) => {
      const position = 'position' in params ? params.position : undefined;
      if (position === first) bridge.positionList = bridge.positionList.filter((p) => p.ticket !== second);
    };
    const r = await executor.closeAll({});
    expect(r).toMatchObject({ ok: false, code: 'TRADE_REJECTED' });
    expect(r.message).toContain(`Not closed: #${first}`);
    expect(r.message).toContain(`#${second} was already closed by the trade server.`);
  });

  it('a throwing listener does not break order handling', async () => {
    executor.onOrderResult(() => {
      throw new Error('ui bug');
    });
    expect((await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 })).ok).toBe(true);
    expect(logger.records.some((l) => l.level === 'error')).toBe(true);
  });
});

describe('Executor: reconciliation stays with the account the order went to', () => {
  const A = '1001@Fake';
  const B = '2002@Other';

  it('records the account on the row and sends to it', async () => {
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r.ok).toBe(true);
    expect(journal.accountOf(r.entryId ?? '')).toBe(A);
    expect(bridge.sentTo).toEqual([A]);
  });

  it('never settles a row of account A from account B, and settles it when A is back', async () => {
    bridge.script.push({ kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: true });
    bridge.lookupFailure = { kind: 'timeout', message: 'busy' };
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const id = r.entryId ?? '';
    bridge.lookupFailure = null;
    bridge.lookupCalls.length = 0;

    // The trader switches MT5 to account B; A is gone. B's session opening must not settle A's row.
    bridge.activeAccountKey = B;
    bridge.fireSessionReady(B);
    const summary = await executor.reconcileOpen();
    expect(summary.stillUnknown).toBe(1);
    expect(journal.get(id)?.state).toBe('unknown');
    expect(bridge.lookupCalls.filter((c) => c.account !== A)).toEqual([]);

    // A comes back (not active): the row is settled with A's answer.
    bridge.otherSessions.add(A);
    bridge.fireSessionReady(A);
    await executor.reconcileOpen();
    expect(journal.get(id)?.state).toBe('done');
    expect(bridge.lookupCalls.length).toBeGreaterThan(0);
    expect(bridge.lookupCalls.every((c) => c.account === A)).toBe(true);
    expect(bridge.positionList).toHaveLength(1);
  });

  it('does not reconcile a row whose order_send is still in flight in this process', async () => {
    let release = (): void => undefined;
    bridge.sendGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sent = new Promise<void>((resolve) => {
      bridge.onSend = () => {
        resolve();
      };
    });
    const pending = executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    await sent;
    const results: string[] = [];
    executor.onOrderResult((ev) => results.push(ev.entry.state));
    const summary = await executor.reconcileOpen();
    expect(summary.checked).toBe(0);
    expect(bridge.lookups).toBe(0);
    release();
    const r = await pending;
    expect(r.ok).toBe(true);
    expect(results).toEqual(['done']);
    expect(journal.getByClientOrderId(r.clientOrderId ?? '')?.state).toBe('done');
  });
});

describe('Executor: close all keeps its list of tickets', () => {
  it('after a crash mid-loop, reports the positions never closed instead of "Closed all"', async () => {
    for (const v of [0.1, 0.2, 0.3]) {
      await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: v, requestKey: `o${v}` });
    }
    const tickets = bridge.positionList.map((p) => p.ticket);
    const realPositions = bridge.positions.bind(bridge);
    // The process dies while planning the third close (after two closes are done).
    bridge.positions = (symbol?: string, account?: string) => {
      if (bridge.positionList.length === 1) throw new Error('power cut');
      return realPositions(symbol, account);
    };
    const r = await executor.closeAll({});
    expect(r).toMatchObject({ ok: false, code: 'INTERNAL' });
    bridge.positions = realPositions;
    const parent = journal.listOpen().find((e) => e.operation === 'close_all');
    expect(parent?.request).toMatchObject({ tickets });

    const fresh = build();
    await fresh.reconcileOpen();
    fresh.close();
    const settled = journal.get(parent?.id ?? '');
    expect(settled?.state).toBe('rejected');
    expect(settled?.message).toContain('Closed 2 of 3 positions');
    expect(settled?.message).toContain(`#${tickets[2] ?? ''}`);
    expect(bridge.positionList.map((p) => p.ticket)).toEqual([tickets[2]]);
  });

  it('a reconciliation pass during the loop does not settle the running close all', async () => {
    await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey: 'a' });
    await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.2, requestKey: 'b' });
    const passes: Promise<unknown>[] = [];
    const realPositions = bridge.positions.bind(bridge);
    // A terminal reconnect between the two closes starts a pass.
    bridge.positions = (symbol?: string, account?: string) => {
      if (bridge.positionList.length === 1) passes.push(executor.reconcileOpen());
      return realPositions(symbol, account);
    };
    const parents: string[] = [];
    executor.onOrderResult((ev) => {
      if (ev.entry.operation === 'close_all') parents.push(ev.entry.message ?? '');
    });
    const r = await executor.closeAll({});
    await Promise.all(passes);
    expect(passes.length).toBeGreaterThan(0);
    expect(r).toMatchObject({ ok: true, message: 'Closed all 2 positions.' });
    expect(parents).toEqual([]);
  });
});

describe('Executor: unknown entries are re-checked on a timer while the link stays up', () => {
  /** Timers the test fires by hand. */
  function manualTimers(): ExecutorTimers & { pending: { ms: number; fire: () => void }[] } {
    const pending: { ms: number; fire: () => void; handle: number }[] = [];
    let next = 0;
    return {
      pending,
      setTimeout: (callback, ms) => {
        next += 1;
        const handle = next;
        const slot = {
          ms,
          handle,
          fire: () => {
            pending.splice(pending.indexOf(slot), 1);
            callback();
          },
        };
        pending.push(slot);
        return handle;
      },
      clearTimeout: (handle) => {
        const i = pending.findIndex((p) => p.handle === handle);
        if (i >= 0) pending.splice(i, 1);
      },
    };
  }

  it('retries with backoff until the row settles, then stops', async () => {
    executor.close();
    const timers = manualTimers();
    executor = new Executor({
      bridge,
      journal,
      settings,
      logger,
      clock: systemClock,
      options: { ...FAST, reconcileRetryDelaysMs: [5_000, 15_000, 60_000] },
      timers,
    });
    bridge.script.push({ kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: true });
    bridge.lookupFailure = { kind: 'timeout', message: 'EA busy' };
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const seen: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const t = timers.pending[0];
      expect(timers.pending).toHaveLength(1);
      seen.push(t?.ms ?? -1);
      t?.fire();
      await executor.reconcileOpen();
    }
    expect(seen).toEqual([5_000, 15_000, 60_000, 60_000]);
    expect(journal.getByClientOrderId(r.clientOrderId ?? '')?.state).toBe('unknown');

    bridge.lookupFailure = null;
    timers.pending[0]?.fire();
    await executor.reconcileOpen();
    expect(journal.getByClientOrderId(r.clientOrderId ?? '')?.state).toBe('done');
    expect(timers.pending).toEqual([]);
    expect(bridge.sent).toHaveLength(1);
  });
});

describe('Executor: reconciliation asks every attempt id, with the history window', () => {
  it('finds a retry that filled although the row still names attempt 1 (power cut before the WAL synced)', async () => {
    settings.set({ riskLimits: { isRetryAllowed: true, maxRetries: 2 } });
    bridge.script.push(
      { kind: 'retcode', retcode: 10004 },
      { kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: true },
    );
    bridge.lookupFailure = { kind: 'timeout', message: 'busy' };
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const id = r.entryId ?? '';
    const coid = r.clientOrderId ?? '';
    expect(bridge.sent.map((p) => p.clOrdId)).toEqual([coid, attemptClOrdId(coid, 2)]);
    // What survives the power cut: the fsynced pending row, before the switch to attempt 2.
    journal.update(id, { state: 'pending', attempts: 1, request: { clOrdId: coid } });
    bridge.lookupFailure = null;
    bridge.lookupCalls.length = 0;

    const fresh = build();
    await fresh.reconcileOpen();
    fresh.close();
    const e = journal.get(id);
    expect(e?.state).toBe('done');
    expect(bridge.lookupCalls.map((c) => c.clOrdId)).toContain(attemptClOrdId(coid, 2));
    const created = e?.createdAt ?? 0;
    expect(bridge.lookupCalls.every((c) => c.sinceMs === created - 86_400_000)).toBe(true);
    expect(bridge.sent).toHaveLength(2);
  });

  it('a lookup answered with an error (terminal offline from the trade server) keeps the row unknown', async () => {
    bridge.script.push({ kind: 'fail', failure: { kind: 'disconnected', message: 'd' }, execute: false });
    bridge.lookupFailure = {
      kind: 'ea_error',
      eaCode: 'TERMINAL_ERROR',
      message: 'the terminal is not connected to the trade server',
    };
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    await executor.reconcileOpen();
    await executor.reconcileOpen();
    expect(journal.get(r.entryId ?? '')?.state).toBe('unknown');
    expect(bridge.lookups).toBeGreaterThanOrEqual(2);

    // Back on the trade server: now absence is an answer (once past expiresAt plus the margin).
    const settled = finalEvent(r.entryId ?? '');
    bridge.lookupFailure = null;
    await executor.reconcileOpen();
    expect((await settled).entry.state).toBe('failed');
  });
});

describe('Executor: reconciliation attributes only the deals of the request itself', () => {
  it('a partial close settled by lookup reports its own volume, not the earlier partial close', async () => {
    const opened = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.3 });
    const ticket = opened.ok ? (opened.position ?? '') : '';
    expect((await executor.closePosition({ ticket, volume: 0.1 })).ok).toBe(true);
    bridge.script.push({ kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: true });
    bridge.restartEa(); // no dedup answer: the deals decide
    const realSend = bridge.orderSend.bind(bridge);
    bridge.orderSend = async (params, deadline, account) => {
      const r = await realSend(params, deadline, account);
      bridge.restartEa();
      return r;
    };
    const r = await executor.closePosition({ ticket, volume: 0.2 });
    expect(r).toMatchObject({ ok: true, reconciled: true, volume: 0.2 });
    const e = journal.get(r.entryId ?? '');
    const ownDeal = bridge.deals.find((d) => d.comment === r.clientOrderId);
    expect(e?.deal).toBe(ownDeal?.ticket);
    expect(e?.filledVolume).toBeCloseTo(0.2, 8);
  });
});
