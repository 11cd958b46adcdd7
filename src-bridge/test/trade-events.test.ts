/**
 * trade_events over real Unix sockets (docs/bridge-protocol.md, "trade_events" and "trade"): the server asks each
 * EA for coalesced `trade` events, the simulator sends them, an EA that predates the request keeps working with
 * `txn` events, and bad `trade` frames or forms are refused at the boundary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src-core/logger';
import { MAX_TRADE_EVENT_DEALS, type TxnEvent } from '../protocol/messages';
import { startBridgeServer } from '../server/bridge-server';
import { generateToken } from '../server/endpoint';
import type { BridgeSession } from '../server/session';
import type { TradeChange } from '../server/trade-change';
import { startSimulator } from '../simulator/simulator';
import { next, socketPath, startHarness, type Harness } from './harness';
import { pairRaw, rawApp, rawClient, type RawClient } from './raw-peers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
const track = (cleanup: () => Promise<void>): void => {
  cleanups.push(cleanup);
};

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

let seq = 0;
function marketOrder(session: BridgeSession, orderType: 'BUY' | 'SELL') {
  seq += 1;
  return session.request('order_send', {
    action: 'DEAL',
    symbol: 'EURUSD',
    orderType,
    volume: 0.01,
    clOrdId: `pd-te-${String(seq)}`,
    magic: '7',
  });
}

/** Every trade change and txn event of a session from now on. */
function record(session: BridgeSession): { changes: TradeChange[]; txns: TxnEvent[] } {
  const seen = { changes: [] as TradeChange[], txns: [] as TxnEvent[] };
  session.onTradeChange((change) => seen.changes.push(change));
  session.onTransaction((txn) => seen.txns.push(txn));
  return seen;
}

describe('the server and the simulator', () => {
  it('switch to trade events as the session opens: one event for an order, none of its six txn frames', async () => {
    const h = await harness({ sim: { account: { marginMode: 'netting' } } });
    expect(await h.session.useTradeChanges()).toBe('changes');
    expect(h.session.tradeEventForm).toBe('changes');
    const seen = record(h.session);
    const change = next(h.session.onTradeChange, (c) => c.deals.length > 0);
    const sent = await marketOrder(h.session, 'BUY');
    if (!sent.ok) throw new Error(sent.error.message);
    expect(await change).toEqual({ txns: 6, deals: [sent.value.deal] });
    // A quote answered after the event proves nothing else was on its way.
    expect((await h.session.request('quote', { symbol: 'EURUSD' })).ok).toBe(true);
    expect(seen.txns).toEqual([]);
    expect(seen.changes).toHaveLength(1);
  });

  it('name every deal of a pipelined burst, in fewer events than orders', async () => {
    const h = await harness({ sim: { account: { marginMode: 'netting', balance: 1_000_000 } } });
    await h.session.useTradeChanges();
    const seen = record(h.session);
    const allNamed = next(h.session.onTradeChange, () => seen.changes.flatMap((c) => c.deals).length >= 40);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => marketOrder(h.session, i % 2 === 0 ? 'BUY' : 'SELL')),
    );
    const deals = results.map((r) => (r.ok ? r.value.deal : 'failed'));
    await allNamed;
    expect(seen.changes.flatMap((c) => c.deals)).toEqual(deals);
    expect(seen.changes.length).toBeLessThan(40);
  });

  it('report a change without a deal (a pending order placed) and go back to txn events when asked', async () => {
    const h = await harness();
    await h.session.useTradeChanges();
    const placedChange = next(h.session.onTradeChange);
    const placed = await h.session.request('order_send', {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: 1.0,
      clOrdId: 'pd-te-limit',
      magic: '7',
    });
    expect(placed).toMatchObject({ ok: true, value: { retcode: 10008 } });
    expect(await placedChange).toMatchObject({ deals: [] });

    expect(await h.session.request('trade_events', { form: 'txn' })).toEqual({
      ok: true,
      value: { form: 'txn' },
    });
    const dealAdd = next(h.session.onTransaction, (t) => t.txnType === 6);
    const change = next(h.session.onTradeChange, (c) => c.deals.length > 0);
    const sent = await marketOrder(h.session, 'BUY');
    if (!sent.ok) throw new Error(sent.error.message);
    expect((await dealAdd).deal).toBe(sent.value.deal);
    expect(await change).toEqual({ txns: 1, deals: [sent.value.deal] });
  });

  it('with tradeEvents txn, ask nothing: every transaction is a txn event, and each DEAL_ADD a change', async () => {
    const h = await harness({ server: { tradeEvents: 'txn' } });
    const seen = record(h.session);
    const request = next(h.session.onTransaction, (t) => t.txnType === 10);
    const sent = await marketOrder(h.session, 'BUY');
    if (!sent.ok) throw new Error(sent.error.message);
    expect(await request).toMatchObject({ retcode: 10009, comment: `pd-te-${String(seq)}` });
    expect(h.session.tradeEventForm).toBe('txn');
    expect(seen.txns.length).toBeGreaterThanOrEqual(5);
    expect(seen.changes).toHaveLength(seen.txns.length);
    expect(seen.changes.flatMap((c) => c.deals)).toEqual([sent.value.deal]);
  });

  it('start every new connection of the simulator at txn and ask again', async () => {
    const h = await harness();
    await h.session.useTradeChanges();
    const reopened = next(h.server.onSession, (e) => e.kind === 'opened');
    h.sim.restart();
    const event = await reopened;
    if (event.kind !== 'opened') throw new Error('expected opened');
    expect(event.session.tradeEventForm).toBe('txn');
    expect(await event.session.useTradeChanges()).toBe('changes');
  });
});

describe('the simulator refuses a form it does not know', () => {
  it('answers INVALID_PARAMS for an unknown name, a number or no form, and keeps sending txn events', async () => {
    const token = generateToken();
    const app = await rawApp(track, { token });
    const sim = startSimulator({ path: app.path, token, reconnect: false, refusedRetryMs: 10_000 });
    track(() => sim.stop());
    await sim.waitForSession();
    const base = { type: 'trade_events', deadlineMs: 5000, expiresAt: Date.now() + 60_000 };
    app.send({ ...base, id: 'f1', form: 'deals' });
    app.send({ ...base, id: 'f2', form: 1 });
    app.send({ ...base, id: 'f3' });
    app.send({ ...base, id: 'f4', form: ['changes'] });
    for (const id of ['f1', 'f2', 'f3', 'f4']) {
      const answer = await app.nextFrame((f) => f['id'] === id);
      expect(answer, id).toMatchObject({ type: 'response', ok: false, error: { code: 'INVALID_PARAMS' } });
    }
    app.send({
      type: 'order_send',
      id: 'o1',
      deadlineMs: 5000,
      expiresAt: Date.now() + 60_000,
      clOrdId: 'pd-te-raw',
      magic: '1',
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: 0.01,
    });
    expect(await app.nextFrame((f) => f['id'] === 'o1')).toMatchObject({ ok: true });
    expect(await app.nextFrame((f) => f['type'] === 'txn' && f['txnType'] === 6)).toMatchObject({
      deal: expect.stringMatching(/^[0-9]+$/) as unknown,
    });
    expect(app.frames.some((f) => f['type'] === 'trade')).toBe(false);
  });
});

describe('an EA written by hand', () => {
  async function pairedEa(): Promise<{
    ea: RawClient;
    session: BridgeSession;
    log: ReturnType<typeof createMemoryLogger>;
  }> {
    const path = socketPath();
    const token = generateToken();
    const log = createMemoryLogger();
    const server = await startBridgeServer({ path, token, logger: log, maxBadFramesPerMinute: 50 });
    track(() => server.close());
    const ea = await rawClient(path, track);
    const opened = next(server.onSession, (e) => e.kind === 'opened');
    expect(await pairRaw(ea, token, path)).toMatchObject({ type: 'welcome' });
    const event = await opened;
    if (event.kind !== 'opened') throw new Error('expected opened');
    return { ea, session: event.session, log };
  }

  it('that predates trade_events answers UNKNOWN_TYPE and keeps working on txn events', async () => {
    const { ea, session, log } = await pairedEa();
    const ask = await ea.nextFrame((f) => f['type'] === 'trade_events');
    expect(ask).toMatchObject({ form: 'changes' });
    ea.send({
      type: 'response',
      id: ask['id'],
      ok: false,
      error: { code: 'UNKNOWN_TYPE', message: "this EA does not implement 'trade_events'" },
    });
    const change = next(session.onTradeChange);
    ea.send({
      type: 'txn',
      txnType: 6,
      order: '11',
      deal: '22',
      position: '11',
      positionBy: '0',
      symbol: 'EURUSD',
      orderType: 0,
      orderState: 4,
      dealType: 0,
      price: 1.1,
      volume: 0.1,
      sl: 0,
      tp: 0,
    });
    expect(await change).toEqual({ txns: 1, deals: ['22'] });
    expect(session.tradeEventForm).toBe('txn');
    expect(session.isOpen).toBe(true);
    expect(log.records.some((r) => r.message.includes('predates trade_events'))).toBe(true);
    expect(ea.frames.filter((f) => f['type'] === 'error')).toEqual([]);
  });

  it('has bad trade events refused BAD_MESSAGE, reported to no one; unknown fields are ignored', async () => {
    const { ea, session } = await pairedEa();
    const seen = record(session);
    const bad = [
      { type: 'trade', txns: '6', deals: [] },
      { type: 'trade', txns: 0, deals: [] },
      { type: 'trade', txns: 1.5, deals: [] },
      { type: 'trade', txns: 1 },
      { type: 'trade', txns: 1, deals: '22' },
      { type: 'trade', txns: 1, deals: [22] },
      { type: 'trade', txns: 1, deals: ['-1'] },
      {
        type: 'trade',
        txns: 1,
        deals: Array.from({ length: MAX_TRADE_EVENT_DEALS + 1 }, (_, i) => String(i)),
      },
    ];
    for (const frame of bad) ea.send(frame);
    const good = next(session.onTradeChange);
    ea.send({ type: 'trade', txns: 2, deals: ['22', '23'], positions: ['5'] });
    expect(await good).toEqual({ txns: 2, deals: ['22', '23'] });
    const isError = (f: Record<string, unknown>): boolean => f['type'] === 'error';
    await ea.nextFrame(() => ea.frames.filter(isError).length >= bad.length);
    const errors = ea.frames.filter(isError);
    expect(errors).toHaveLength(bad.length);
    for (const e of errors)
      expect(e).toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringMatching(/^trade: /) as unknown });
    expect(seen.changes).toHaveLength(1);
    expect(session.isOpen).toBe(true);
  });
});
