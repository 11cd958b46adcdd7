import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toSymbolSpec } from '../protocol/enums';
import { createMemoryLogger } from '../../src-core/logger';
import { REQUEST_TYPES, type RequestType } from '../protocol/messages';
import { startBridgeServer, type BridgeServer, type SessionEvent } from '../server/bridge-server';
import { generateToken, writeTokenFile } from '../server/endpoint';
import { isOutcomeUnknown } from '../server/session';
import { startSimulator, type SimulatorHandle } from '../simulator/simulator';
import { next, socketPath, startHarness, type Harness } from './harness';
import { pairRaw, rawApp, rawClient } from './raw-peers';
import { ManualClock } from '../../src-core/testing/manual-clock';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

async function server(options: Partial<Parameters<typeof startBridgeServer>[0]> = {}): Promise<{
  server: BridgeServer;
  path: string;
  token: string;
  log: ReturnType<typeof createMemoryLogger>;
}> {
  const path = socketPath();
  const token = generateToken();
  const log = createMemoryLogger();
  const s = await startBridgeServer({ path, token, logger: log, ...options });
  cleanups.push(() => s.close());
  return { server: s, path, token, log };
}

function sim(options: Parameters<typeof startSimulator>[0]): SimulatorHandle {
  const handle = startSimulator({ reconnect: { minMs: 20, maxMs: 200 }, refusedRetryMs: 50, ...options });
  cleanups.push(() => handle.stop());
  return handle;
}

const track = (cleanup: () => Promise<void>): void => {
  cleanups.push(cleanup);
};

/** The token the raw app and the simulator share in the tests of the simulated EA side. */
const RAW_TOKEN = generateToken();

const refusedWith = (reason: string) => (e: SessionEvent) => e.kind === 'refused' && e.reason === reason;

describe('handshake', () => {
  it('pairs a terminal presenting the token and reports its identity', async () => {
    const h = await harness({
      sim: { account: { login: '81234567', server: 'Broker-Demo', marginMode: 'netting' } },
    });
    expect(h.session.key).toBe('81234567@Broker-Demo');
    expect(h.session.hello.account.marginMode).toBe('netting');
    expect(h.session.hello.terminal.tradeAllowed).toBe(true);
    expect(h.server.sessions()).toEqual([h.session]);
    expect(h.server.session('81234567@Broker-Demo')).toBe(h.session);
  });

  it.each([
    ['bad-token', 'BAD_TOKEN'],
    ['bad-protocol', 'PROTOCOL_UNSUPPORTED'],
    ['bad-hello', 'BAD_HELLO'],
  ] as const)('refuses a %s handshake with %s and logs it', async (fault, reason) => {
    const s = await server();
    const refused = next(s.server.onSession, refusedWith(reason));
    const handle = sim({ path: s.path, token: s.token, faults: { handshake: fault } });
    const status = handle.waitForStatus('refused');
    await refused;
    expect(await status).toMatchObject({ kind: 'refused', reason });
    expect(s.server.sessions()).toEqual([]);
    expect(s.log.records.some((l) => l.level === 'warn' && l.message.includes('refused'))).toBe(true);
  });

  it('refuses a terminal that says nothing with HELLO_TIMEOUT', async () => {
    const s = await server({ helloTimeoutMs: 100 });
    const refused = next(s.server.onSession, refusedWith('HELLO_TIMEOUT'));
    sim({ path: s.path, token: s.token, faults: { handshake: 'silent' } });
    await refused;
  });

  it('refuses a first frame that is not a hello, and garbage before the hello', async () => {
    const s = await server();
    const a = await rawClient(s.path, track);
    a.send({ type: 'quote', id: 'r-1', symbol: 'EURUSD' });
    expect(await a.nextFrame()).toMatchObject({ type: 'refused', reason: 'BAD_HELLO' });
    await a.closed;
    const b = await rawClient(s.path, track);
    b.send('not json at all\n');
    expect(await b.nextFrame()).toMatchObject({ type: 'refused', reason: 'BAD_HELLO' });
    await b.closed;
  });

  it('reads the token file at every handshake, so rewriting it rotates the token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pd-tok-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const tokenFile = join(dir, 'Pipdesk', 'token.txt');
    await writeTokenFile(tokenFile, generateToken());
    const path = socketPath();
    const bridge = await startBridgeServer({ path, tokenFile });
    cleanups.push(() => bridge.close());
    const s = { server: bridge, path };
    const first = sim({ path: s.path, tokenFile });
    await first.waitForSession();
    const oldToken = randomBytes(32).toString('hex');
    await writeTokenFile(tokenFile, generateToken());
    // A terminal holding a stale token cannot verify the app's proof, so it leaves before proving anything;
    // one re-reading the file is accepted.
    const abandoned = next(s.server.onSession, (e) => e.kind === 'abandoned');
    const stale = sim({ path: s.path, token: oldToken, account: { login: '2' } });
    expect(await stale.waitForStatus('impostor')).toMatchObject({ kind: 'impostor' });
    expect(await abandoned).toMatchObject({ kind: 'abandoned', login: '2' });
    first.restart();
    await first.waitForSession();
    expect(s.server.session(first.key)?.isOpen).toBe(true);
  });

  it('holds several terminals at once', async () => {
    const s = await server();
    const a = sim({ path: s.path, token: s.token, account: { login: '1' } });
    const b = sim({ path: s.path, token: s.token, account: { login: '2', marginMode: 'netting' } });
    await Promise.all([a.waitForSession(), b.waitForSession()]);
    expect(
      s.server
        .sessions()
        .map((x) => x.key)
        .sort(),
    ).toEqual(['1@Pipdesk-Sim', '2@Pipdesk-Sim']);
    const [ra, rb] = await Promise.all([
      s.server.request(a.key, 'account', {}),
      s.server.request(b.key, 'account', {}),
    ]);
    expect(ra.ok && ra.value.marginMode).toBe('hedging');
    expect(rb.ok && rb.value.marginMode).toBe('netting');
  });
});

describe('requests', () => {
  it('answers every request type with a valid typed result', async () => {
    const h = await harness();
    const s = h.session;
    const seen = new Set<RequestType>();
    const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    // The server asked for coalesced trade events as the session opened; back to a txn per transaction here, so
    // the order below can be followed to its REQUEST transaction.
    expect(must(await s.request('trade_events', { form: 'txn' }))).toEqual({ form: 'txn' });
    seen.add('trade_events');
    const account = must(await s.request('account', {}));
    seen.add('account');
    expect(account).toMatchObject({
      currency: 'USD',
      balance: 10_000,
      equity: 10_000,
      margin: 0,
      leverage: 100,
    });

    const symbols = must(await s.request('symbols', {}));
    seen.add('symbols');
    expect(symbols.symbols.map((x) => x.name)).toContain('EURUSD');

    const spec = must(await s.request('symbol_spec', { symbol: 'GBPUSD' }));
    seen.add('symbol_spec');
    expect(spec).toMatchObject({ name: 'GBPUSD', digits: 5, calcMode: 0, executionMode: 2, fillingFlags: 2 });
    const core = toSymbolSpec(spec);
    expect(core.ok && core.value.executionMode).toBe('MARKET');

    const quote = must(await s.request('quote', { symbol: 'EURUSD' }));
    seen.add('quote');
    expect(quote.ask).toBeGreaterThan(quote.bid);

    const tick = next(s.onTick, (t) => t.symbol === 'EURUSD');
    expect(must(await s.request('subscribe', { symbol: 'EURUSD' }))).toEqual({
      symbol: 'EURUSD',
      subscribed: true,
    });
    seen.add('subscribe');
    await tick;
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
    expect(await next(s.onTick, (t) => t.bid === 1.1)).toMatchObject({ ask: 1.1001 });
    expect(must(await s.request('subscribe', { symbol: 'GBPUSD' })).subscribed).toBe(true);
    expect(must(await s.request('unsubscribe', { symbol: 'EURUSD' }))).toEqual({
      symbol: 'EURUSD',
      subscribed: false,
    });
    seen.add('unsubscribe');
    // After unsubscribing, the next tick to arrive is GBPUSD's even though EURUSD moved first.
    const after = next(s.onTick, (t) => t.bid !== 1.1);
    h.sim.setPrice('EURUSD', 1.2, 1.2001);
    h.sim.setPrice('GBPUSD', 1.3, 1.3002);
    expect((await after).symbol).toBe('GBPUSD');

    const margin = must(
      await s.request('calc_margin', { symbol: 'EURUSD', orderType: 'BUY', volume: 1, price: 1.2 }),
    );
    seen.add('calc_margin');
    expect(margin.margin).toBeCloseTo(1200, 2);

    const check = must(
      await s.request('order_check', {
        action: 'DEAL',
        symbol: 'EURUSD',
        orderType: 'BUY',
        volume: 1,
        clOrdId: 'chk-1',
        magic: '9',
      }),
    );
    seen.add('order_check');
    expect(check).toMatchObject({ retcode: 0, outcome: 'done' });
    expect(check.margin).toBeCloseTo(1200.1, 2);
    expect(h.sim.state.positions()).toEqual([]);

    const txn = next(s.onTransaction, (t) => t.txnType === 10 && t.comment === 'pd-1');
    const sent = must(
      await s.request('order_send', {
        action: 'DEAL',
        symbol: 'EURUSD',
        orderType: 'BUY',
        volume: 0.5,
        clOrdId: 'pd-1',
        magic: '9',
        sl: 1.19,
        tp: 1.21,
      }),
    );
    seen.add('order_send');
    expect(sent).toMatchObject({
      retcode: 10009,
      outcome: 'done',
      volume: 0.5,
      price: 1.2001,
      filling: 'FOK',
      duplicate: false,
    });
    expect((await txn).retcode).toBe(10009);

    const positions = must(await s.request('positions', {}));
    seen.add('positions');
    expect(positions.positions).toMatchObject([
      {
        ticket: sent.order,
        symbol: 'EURUSD',
        type: 0,
        volume: 0.5,
        comment: 'pd-1',
        magic: '9',
        sl: 1.19,
        tp: 1.21,
      },
    ]);

    must(
      await s.request('order_send', {
        action: 'PENDING',
        symbol: 'EURUSD',
        orderType: 'BUY_LIMIT',
        volume: 0.1,
        price: 1.15,
        clOrdId: 'pd-2',
        magic: '9',
      }),
    );
    const orders = must(await s.request('orders', { symbol: 'EURUSD' }));
    seen.add('orders');
    expect(orders.orders).toMatchObject([
      { type: 2, state: 1, priceOpen: 1.15, volumeCurrent: 0.1, comment: 'pd-2' },
    ]);

    const deals = must(await s.request('history_deals', { fromMs: 0, toMs: Date.now() + 1000 }));
    seen.add('history_deals');
    expect(deals.deals.map((d) => d.type)).toEqual([2, 0]);

    const found = must(await s.request('lookup', { clOrdId: 'pd-1' }));
    seen.add('lookup');
    expect(found).toMatchObject({
      found: true,
      positions: [{ comment: 'pd-1' }],
      orders: [],
      lastResult: { retcode: 10009, outcome: 'done' },
    });
    expect(found.deals).toHaveLength(1);
    expect(must(await s.request('lookup', { clOrdId: 'nobody' }))).toMatchObject({
      found: false,
      positions: [],
      orders: [],
      deals: [],
    });

    const rates = must(await s.request('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 24 }));
    seen.add('rates');
    expect(rates.rates).toHaveLength(24); // more cases in rates.test.ts

    expect([...seen].sort()).toEqual([...REQUEST_TYPES].sort());
  });

  it('pushes account changes after a trade', async () => {
    const h = await harness();
    await next(h.session.onAccount);
    const changed = next(h.session.onAccount, (a) => a.margin > 0);
    await h.session.request('order_send', {
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'SELL',
      volume: 1,
      clOrdId: 'acc-1',
      magic: '1',
    });
    expect((await changed).marginFree).toBeLessThan(10_000);
  });

  it('a throwing event listener is logged and does not break the session or other listeners', async () => {
    const h = await harness();
    h.session.onTick(() => {
      throw new Error('listener bug');
    });
    const tick = next(h.session.onTick, (t) => t.symbol === 'EURUSD');
    await h.session.request('subscribe', { symbol: 'EURUSD' });
    await tick;
    expect(h.serverLog.records.some((l) => l.level === 'error' && l.message.includes('listener threw'))).toBe(
      true,
    );
    expect((await h.session.request('account', {})).ok).toBe(true);
  });

  it('reports EA errors, invalid parameters and timeouts as Results', async () => {
    const h = await harness();
    const unknown = await h.session.request('quote', { symbol: 'NOPE' });
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: 'EA_ERROR', eaCode: 'UNKNOWN_SYMBOL', delivered: true },
    });
    const invalid = await h.session.request('order_send', {
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: -1,
      clOrdId: 'x',
      magic: '1',
    });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', delivered: false } });
    const badId = await h.session.request('lookup', { clOrdId: 'has spaces' });
    expect(badId).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    const none = await h.server.request('nobody@nowhere', 'account', {});
    expect(none).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED', delivered: false } });
  });

  it("ends a request's wait on the injected clock: never while it stands still, at once when moved past", async () => {
    const clock = new ManualClock(Date.now());
    const h = await harness({ server: { clock, timers: clock }, sim: { terminalClock: clock } });
    h.sim.faults.delayMs = 100;
    // 100 ms of real time against a 30 ms deadline: the clock did not move, so the answer still counts.
    expect(await h.session.request('quote', { symbol: 'EURUSD' }, { deadlineMs: 30 })).toMatchObject({
      ok: true,
    });
    h.sim.faults.delayMs = 2_000;
    const held = h.session.request('quote', { symbol: 'EURUSD' }, { deadlineMs: 30 });
    expect(clock.pendingCount).toBe(1);
    clock.advance(30);
    expect(await held).toMatchObject({ ok: false, error: { code: 'TIMEOUT', delivered: true } });
  });

  it('times out a request past its deadline and drops the late answer with UNKNOWN_ID', async () => {
    const h = await harness();
    h.sim.faults.delayMs = 150;
    const late = await h.session.request('quote', { symbol: 'EURUSD' }, { deadlineMs: 30 });
    expect(late).toMatchObject({ ok: false, error: { code: 'TIMEOUT', delivered: true } });
    if (!late.ok) expect(isOutcomeUnknown(late.error)).toBe(true);
    await expect
      .poll(() => h.serverLog.records.some((l) => l.message.includes('unknown or expired')))
      .toBe(true);
    h.sim.faults.delayMs = 0;
    expect((await h.session.request('quote', { symbol: 'EURUSD' })).ok).toBe(true);
  });

  it('pipelines many requests on one link', async () => {
    const h = await harness();
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        h.session.request('quote', { symbol: i % 2 === 0 ? 'EURUSD' : 'USDJPY' }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
  });
});

describe('sessions', () => {
  it('a restarted terminal is a new session that replaces the old one', async () => {
    const h = await harness();
    const closed = next(h.server.onSession, (e) => e.kind === 'closed');
    const opened = next(h.server.onSession, (e) => e.kind === 'opened');
    h.sim.restart();
    const [c, o] = await Promise.all([closed, opened]);
    expect(c).toMatchObject({ kind: 'closed', reason: 'disconnected' });
    if (o.kind !== 'opened') throw new Error('expected opened');
    expect(o.session.key).toBe(h.session.key);
    expect(o.session).not.toBe(h.session);
    expect(h.session.isOpen).toBe(false);
    expect((await h.server.request(h.sim.key, 'account', {})).ok).toBe(true);
    expect((await h.session.request('account', {})).ok).toBe(false);
  });

  it('a second connection for the same login+server replaces the first cleanly', async () => {
    const s = await server();
    const first = sim({ path: s.path, token: s.token, reconnect: false });
    await first.waitForSession();
    const old = s.server.session(first.key);
    if (old === undefined) throw new Error('no session');
    first.faults.delayMs = 10_000;
    const pending = old.request('account', {});
    const replaced = next(s.server.onSession, (e) => e.kind === 'closed' && e.reason === 'replaced');
    const dropped = first.waitForStatus('disconnected');
    const second = sim({ path: s.path, token: s.token, reconnect: false });
    await second.waitForSession();
    await replaced;
    await dropped;
    expect(await pending).toMatchObject({ ok: false, error: { code: 'DISCONNECTED', delivered: true } });
    expect(s.server.sessions()).toHaveLength(1);
    expect(s.server.session(first.key)).not.toBe(old);
  });

  it('drops a silent terminal after the silence timeout', async () => {
    const h = await harness({ server: { heartbeatMs: 30, silenceMs: 150 } });
    // Heartbeats keep an idle link alive well past the silence timeout…
    await new Promise((r) => setTimeout(r, 400));
    expect(h.session.isOpen).toBe(true);
    // …and a terminal that stops sending is dropped.
    h.sim.faults.noHeartbeat = true;
    const closed = next(h.server.onSession, (e) => e.kind === 'closed');
    h.sim.restart();
    await next(h.server.onSession, (e) => e.kind === 'opened');
    expect(await next(h.server.onSession, (e) => e.kind === 'closed')).toMatchObject({ reason: 'silence' });
    await closed;
  });

  it('closes every session with bye SHUTDOWN when the server stops', async () => {
    const s = await server();
    const handle = sim({ path: s.path, token: s.token, reconnect: false });
    await handle.waitForSession();
    const closed = next(s.server.onSession, (e) => e.kind === 'closed');
    const dropped = handle.waitForStatus('disconnected');
    await s.server.close();
    expect(await closed).toMatchObject({ reason: 'shutdown' });
    await dropped;
  });
});

describe('bad input from the EA', () => {
  it('answers garbage with protocol errors, ignores an unknown event type, and keeps the link', async () => {
    const h = await harness();
    h.sim.sendGarbage(4);
    await expect
      .poll(() => h.serverLog.records.filter((l) => l.message === 'bridge: bad frame from EA').length)
      .toBe(3);
    const codes = h.serverLog.records
      .filter((l) => l.message === 'bridge: bad frame from EA')
      .map((l) => l.fields?.['code']);
    expect(codes.sort()).toEqual(['BAD_JSON', 'BAD_JSON', 'BAD_JSON']);
    // A frame of an unknown type without an id is an event from a newer EA: compatible, not an error.
    expect(h.serverLog.records.filter((l) => l.message.includes('ignoring an event type'))).toHaveLength(1);
    expect((await h.session.request('account', {})).ok).toBe(true);
  });

  it('drops a link that keeps sending garbage', async () => {
    const h = await harness({ server: { maxBadFramesPerMinute: 5 } });
    const closed = next(h.server.onSession, (e) => e.kind === 'closed');
    h.sim.sendGarbage(6);
    expect(await closed).toMatchObject({ reason: 'protocol_error' });
  });

  it('drops a link sending an oversized or never-ending frame', async () => {
    const h = await harness({ server: { maxFrameBytes: 64 * 1024 } });
    const closed = next(h.server.onSession, (e) => e.kind === 'closed');
    h.sim.sendRaw(Buffer.alloc(200 * 1024, 0x61));
    expect(await closed).toMatchObject({ reason: 'protocol_error' });
  });

  it('fails a request whose result has wrong field types (BAD_RESPONSE) and rejects wrong-typed events', async () => {
    const s = await server();
    const ea = await rawClient(s.path, track);
    const opened = next(s.server.onSession, (e) => e.kind === 'opened');
    expect(await pairRaw(ea, s.token, s.path)).toMatchObject({ type: 'welcome' });
    const event = await opened;
    if (event.kind !== 'opened') throw new Error('expected opened');
    const pending = event.session.request('quote', { symbol: 'EURUSD' });
    const request = await ea.nextFrame((f) => f['type'] === 'quote');
    ea.send({
      type: 'response',
      id: request['id'],
      ok: true,
      result: { symbol: 'EURUSD', bid: '1.1', ask: 1.2, timeMsc: 1 },
    });
    const result = await pending;
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_RESPONSE', delivered: true } });
    expect(await ea.nextFrame((f) => f['type'] === 'error')).toMatchObject({
      code: 'BAD_MESSAGE',
      id: request['id'],
    });
    ea.send({ type: 'tick', symbol: 'EURUSD', bid: 'x' });
    ea.send({ type: 'response', id: 'r-999', ok: true, result: {} });
    ea.send({ type: 'response', id: 'r-998', ok: 'yes' });
    await expect.poll(() => ea.frames.filter((f) => f['type'] === 'error').length).toBe(4);
    expect(ea.frames.filter((f) => f['type'] === 'error').map((f) => f['code'])).toEqual([
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'UNKNOWN_ID',
      'BAD_MESSAGE',
    ]);
    expect(event.session.isOpen).toBe(true);
  });

  it('a bye from the EA ends the session', async () => {
    const s = await server();
    const ea = await rawClient(s.path, track);
    expect(await pairRaw(ea, s.token, s.path)).toMatchObject({ type: 'welcome' });
    const closed = next(s.server.onSession, (e) => e.kind === 'closed');
    ea.send({ type: 'bye', reason: 'SHUTDOWN', message: 'EA removed from chart' });
    expect(await closed).toMatchObject({ reason: 'bye' });
  });
});

describe('bad input from the app (the simulated EA side)', () => {
  it('answers unknown types, wrong parameters, expired requests and garbage without crashing', async () => {
    const app = await rawApp(track, { token: RAW_TOKEN });
    const handle = sim({ path: app.path, token: RAW_TOKEN });
    await handle.waitForSession();
    const fresh = { deadlineMs: 5000, expiresAt: Date.now() + 5000 };
    app.send({ type: 'teleport', id: 'a1', ...fresh });
    app.send({ type: 'quote', id: 'a2', ...fresh, symbol: 42 });
    app.send({
      type: 'order_send',
      id: 'a3',
      deadlineMs: 5000,
      expiresAt: Date.now() - 1000,
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: 0.1,
      clOrdId: 'late-1',
      magic: '1',
    });
    app.send('{"type":"quote",\n');
    app.send({ type: 'no_id_here' });
    app.send({ type: 'quote', id: 'a4', ...fresh, symbol: 'EURUSD' });
    const byId = (id: string) => app.nextFrame((f) => f['type'] === 'response' && f['id'] === id);
    expect(await byId('a1')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    expect(await byId('a2')).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await byId('a3')).toMatchObject({ ok: false, error: { code: 'DEADLINE_EXCEEDED' } });
    expect(await app.nextFrame((f) => f['type'] === 'error' && f['code'] === 'BAD_JSON')).toBeDefined();
    expect(await app.nextFrame((f) => f['type'] === 'error' && f['code'] === 'UNKNOWN_TYPE')).toBeDefined();
    expect(await byId('a4')).toMatchObject({ ok: true, result: { symbol: 'EURUSD' } });
    expect(handle.state.executions('late-1')).toBe(0);
  });

  it("closes the link on the app's bye", async () => {
    const app = await rawApp(track, { token: RAW_TOKEN });
    const handle = sim({ path: app.path, token: RAW_TOKEN, reconnect: false });
    await handle.waitForSession();
    app.send({ type: 'bye', reason: 'SHUTDOWN', message: 'bye' });
    await handle.waitForStatus('disconnected');
    expect(handle.isConnected).toBe(false);
  });

  it("drops the link when the app stays silent past the welcome's silenceMs", async () => {
    const app = await rawApp(track, { token: RAW_TOKEN, silenceMs: 100 });
    const handle = sim({ path: app.path, token: RAW_TOKEN, reconnect: false });
    await handle.waitForSession();
    const started = Date.now();
    await handle.waitForStatus('disconnected');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});

describe('fault injection', () => {
  const buy = (clOrdId: string) =>
    ({ action: 'DEAL', symbol: 'EURUSD', orderType: 'BUY', volume: 0.1, clOrdId, magic: '42' }) as const;

  it('drop before execute: unknown outcome, lookup finds nothing, nothing executed', async () => {
    const h = await harness();
    h.sim.faults.dropBeforeExecute = 1;
    const result = await h.session.request('order_send', buy('dbe-1'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(isOutcomeUnknown(result.error)).toBe(true);
    await h.sim.waitForSession();
    const found = await h.server.request(h.sim.key, 'lookup', { clOrdId: 'dbe-1' });
    expect(found).toMatchObject({ ok: true, value: { found: false } });
    expect(h.sim.state.executions('dbe-1')).toBe(0);
    // Resending the same clOrdId after the negative lookup executes it once.
    expect(await h.server.request(h.sim.key, 'order_send', buy('dbe-1'))).toMatchObject({
      ok: true,
      value: { retcode: 10009 },
    });
    expect(h.sim.state.executions('dbe-1')).toBe(1);
  });

  it('drop after execute: unknown outcome, lookup finds the trade, a resend is deduplicated', async () => {
    const h = await harness();
    h.sim.faults.dropAfterExecute = 1;
    const result = await h.session.request('order_send', buy('dae-1'));
    expect(result).toMatchObject({ ok: false, error: { code: 'DISCONNECTED', delivered: true } });
    await h.sim.waitForSession();
    const found = await h.server.request(h.sim.key, 'lookup', { clOrdId: 'dae-1' });
    expect(found).toMatchObject({
      ok: true,
      value: { found: true, positions: [{ comment: 'dae-1' }], lastResult: { retcode: 10009 } },
    });
    const again = await h.server.request(h.sim.key, 'order_send', buy('dae-1'));
    expect(again).toMatchObject({ ok: true, value: { retcode: 10009, duplicate: true } });
    expect(h.sim.state.executions('dae-1')).toBe(1);
    expect(h.sim.state.positions()).toHaveLength(1);
  });

  it('restart forgets the dedup table but lookup still finds the trade by its comment', async () => {
    const h = await harness();
    expect((await h.session.request('order_send', buy('rs-1'))).ok).toBe(true);
    const opened = next(h.server.onSession, (e) => e.kind === 'opened');
    h.sim.restart();
    await opened;
    const found = await h.server.request(h.sim.key, 'lookup', { clOrdId: 'rs-1' });
    expect(found).toMatchObject({ ok: true, value: { found: true, positions: [{ comment: 'rs-1' }] } });
    if (found.ok) expect(found.value.lastResult).toBeUndefined();
  });

  it('keeps only done or unknown results for dedup, as the EA does', async () => {
    const h = await harness();
    h.sim.setAutotrading(false);
    expect(await h.session.request('order_send', buy('dd-1'))).toMatchObject({
      ok: true,
      value: { retcode: 10027 },
    });
    h.sim.setAutotrading(true);
    // The rejected attempt left no trace, so the same clOrdId executes now.
    expect(await h.session.request('order_send', buy('dd-1'))).toMatchObject({
      ok: true,
      value: { retcode: 10009, duplicate: false },
    });
    expect(await h.session.request('order_send', buy('dd-1'))).toMatchObject({
      ok: true,
      value: { retcode: 10009, duplicate: true },
    });
    expect(h.sim.state.executions('dd-1')).toBe(1);
  });

  it('while the terminal is off the trade server, order_send and lookup answer TERMINAL_ERROR', async () => {
    const h = await harness();
    h.sim.setTradeServerConnected(false);
    expect(await h.session.request('order_send', buy('off-1'))).toMatchObject({
      ok: false,
      error: { code: 'EA_ERROR', eaCode: 'TERMINAL_ERROR' },
    });
    expect(await h.session.request('lookup', { clOrdId: 'off-1' })).toMatchObject({
      ok: false,
      error: { eaCode: 'TERMINAL_ERROR' },
    });
    h.sim.setTradeServerConnected(true);
    expect(await h.session.request('lookup', { clOrdId: 'off-1' })).toMatchObject({
      ok: true,
      value: { found: false },
    });
    expect(h.sim.state.executions('off-1')).toBe(0);
  });

  it('order held inside "OrderSend": a replacing connection cannot prove absence while the first still executes', async () => {
    const h = await harness();
    h.sim.faults.orderSendHoldMs = 200;
    const pending = h.session.request('order_send', buy('hold-1'));
    // A second instance for the same account connects meanwhile and replaces the session (docs/bridge-protocol.md).
    const second = startSimulator({
      path: h.path,
      token: h.token,
      reconnect: false,
      sharedState: h.sim.state,
    });
    cleanups.push(() => second.stop());
    await second.waitForSession();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'DISCONNECTED', delivered: true } });
    // The newcomer reads the same broker books, where the order has not landed yet: "not found"…
    expect(await h.server.request(h.sim.key, 'lookup', { clOrdId: 'hold-1' })).toMatchObject({
      ok: true,
      value: { found: false },
    });
    // …while the first instance finishes the OrderSend it was in.
    await expect.poll(() => h.sim.state.executions('hold-1')).toBe(1);
  });

  it('restart after N requests', async () => {
    const h = await harness();
    h.sim.faults.restartAfterRequests = 2;
    const closed = next(h.server.onSession, (e) => e.kind === 'closed');
    await h.session.request('account', {});
    await h.session.request('account', {});
    await closed;
    await next(h.server.onSession, (e) => e.kind === 'opened');
    expect(h.sim.faults.restartAfterRequests).toBe(0);
  });

  it('a delayed answer within the deadline still arrives', async () => {
    const h = await harness();
    h.sim.faults.delayMs = 50;
    const started = Date.now();
    expect((await h.session.request('account', {})).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
