import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcChannel, IpcEvent, IpcEventPayload, IpcValue } from '../../src-core/contracts/ipc';
import { createMemoryLogger } from '../../src-core/logger';
import { startInProcessSimulator } from './demo';
import { startDesktopApp, type DesktopApp } from './desktop-app';

const dir = mkdtempSync(join(tmpdir(), 'pipdesk-app-'));
let app: DesktopApp;

async function call<K extends IpcChannel>(channel: K, request: unknown = {}): Promise<IpcValue<K>> {
  const res = await app.dispatcher.invoke(channel, request, { via: 'test' });
  if (!res.ok) throw new Error(`${channel}: ${res.error.code} ${res.error.message}`);
  return res.value as IpcValue<K>;
}

/** Resolves with the first payload of `event` that satisfies `test`. */
function next<E extends IpcEvent>(
  event: E,
  test: (payload: IpcEventPayload<E>) => boolean = () => true,
): Promise<IpcEventPayload<E>> {
  return new Promise((resolve) => {
    const off = app.events.listen((e: IpcEvent, payload: unknown) => {
      if (e !== event) return;
      const p = payload as IpcEventPayload<E>;
      if (!test(p)) return;
      off();
      resolve(p);
    });
  });
}

beforeAll(async () => {
  app = await startDesktopApp({
    dataDir: join(dir, 'data'),
    version: '0.0.0-test',
    shell: 'web',
    eaSourceDir: join(import.meta.dirname, '..', '..', 'src-bridge', 'mql5'),
    pipePath: join(dir, 'bridge.sock'),
    tokenFile: join(dir, 'token.txt'),
    startSimulator: startInProcessSimulator,
    logger: createMemoryLogger(),
    // Nothing listens on port 9: cloud calls fail fast as unreachable (signed-in flows: e2e/desktop/cloud.test.ts).
    cloudUrl: 'http://127.0.0.1:9',
  });
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('desktop app (bridge server + executor + journal + settings + demo)', () => {
  it('starts disconnected, says why, and answers NOT_CONNECTED for market calls', async () => {
    const status = await call('bridge:get-status');
    expect(status).toMatchObject({ state: 'disconnected', sessions: [], isDemoRunning: false });
    expect(status.reason).toMatch(/EA|demo/);
    expect(status.pipePath).toBe(join(dir, 'bridge.sock'));
    const account = await app.dispatcher.invoke('account:get-info', {}, { via: 'test' });
    expect(!account.ok && account.error.code).toBe('NOT_CONNECTED');
    expect(readFileSync(join(dir, 'token.txt'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('runs demo mode on its own pipe and reports it', async () => {
    const changed = next('bridge:status-changed', (s) => s.state === 'demo');
    const status = await call('demo:start', { marginMode: 'netting', balance: 25_000 });
    expect(status.isDemoRunning).toBe(true);
    expect(status.state).toBe('demo');
    expect((await changed).sessions[0]).toMatchObject({ isSimulator: true, marginMode: 'netting' });
    const account = await call('account:get-info');
    expect(account).toMatchObject({
      balance: 25_000,
      currency: 'USD',
      marginMode: 'netting',
      marginLevel: null,
    });
  });

  it('lists symbols, reads specs and streams batched ticks for subscribed symbols only', async () => {
    const { symbols } = await call('symbols:list');
    expect(symbols.map((s) => s.name)).toContain('EURUSD');
    const spec = await call('symbols:get-spec', { symbol: 'EURUSD' });
    expect(spec).toMatchObject({ name: 'EURUSD', digits: 5 });
    const listed = await call('symbols:list');
    expect(listed.symbols.find((s) => s.name === 'EURUSD')?.digits).toBe(5);
    const missing = await app.dispatcher.invoke('symbols:get-spec', { symbol: 'NOPE' }, { via: 'test' });
    expect(!missing.ok && missing.error.code).toBe('SYMBOL_NOT_FOUND');

    const tick = next('quotes:tick', (p) => p.quotes.some((q) => q.symbol === 'EURUSD'));
    const subscribed = await call('quotes:subscribe', { symbols: ['EURUSD', 'USDJPY'] });
    expect(subscribed.symbols).toEqual(['EURUSD', 'USDJPY']);
    const batch = await tick;
    expect(batch.quotes.every((q) => ['EURUSD', 'USDJPY'].includes(q.symbol))).toBe(true);
    const { quotes } = await call('quotes:get-snapshot', { symbols: ['GBPUSD'] });
    expect(quotes[0]?.symbol).toBe('GBPUSD');
    expect(quotes[0]?.ask).toBeGreaterThan(quotes[0]?.bid ?? Infinity);
    const margin = await call('margin:calc', { symbol: 'EURUSD', side: 'buy', volume: 1 });
    expect(margin.currency).toBe('USD');
    expect(margin.margin).toBeGreaterThan(500);
  });

  it('trades through the executor, pushes positions and journal changes', async () => {
    const positions = next('positions:changed', (p) => p.positions.length === 1);
    const journal = next('journal:changed', (p) => p.entry.state === 'done');
    const opened = await call('orders:open-market', { symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(opened).toMatchObject({ operation: 'open_market', volume: 0.1 });
    expect(opened).not.toHaveProperty('ok');
    const [position] = (await positions).positions;
    expect(position).toMatchObject({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(position?.clientOrderId).toBe(opened.clientOrderId);
    expect((await journal).entry.operation).toBe('open_market');

    // One Result layer: a refused order is the answer's own error, with the journal ids beside the code.
    const refused = await app.dispatcher.invoke(
      'orders:open-market',
      { symbol: 'EURUSD', side: 'buy', volume: 50 },
      { via: 'test' },
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'MAX_LOT_SIZE_EXCEEDED' } });
    expect(!refused.ok && 'clientOrderId' in refused.error && refused.error.clientOrderId).toMatch(/\S/);

    const page = await call('journal:query', { symbol: 'EURUSD' });
    expect(page.entries.map((e) => e.state).sort()).toEqual(['done', 'rejected']);

    const closed = next('positions:changed', (p) => p.positions.length === 0);
    const res = await call('orders:close-position', { ticket: position?.ticket ?? '0' });
    expect(res.operation).toBe('close_position');
    await closed;
  });

  it('stores settings and announces them', async () => {
    const changed = next('settings:changed');
    const s = await call('settings:set', {
      patch: { isOneClickEnabled: true, riskLimits: { maxLotSize: 5 } },
    });
    expect(s.isOneClickEnabled).toBe(true);
    expect(s.riskLimits).toMatchObject({ maxLotSize: 5, maxOpenPositions: 20 });
    expect((await changed).riskLimits.maxLotSize).toBe(5);
    const bad = await app.dispatcher.invoke(
      'settings:set',
      { patch: { pipeName: 'no spaces' } },
      { via: 'test' },
    );
    expect(!bad.ok && bad.error.code).toBe('BAD_REQUEST');
  });

  it('stops demo mode and says the terminal is gone', async () => {
    const gone = next('bridge:status-changed', (s) => s.state === 'disconnected');
    const status = await call('demo:stop');
    expect(status.isDemoRunning).toBe(false);
    expect((await gone).reason).toBe('Demo mode stopped.');
  });

  it('serves cloud sync over IPC: signed out, the web host keeps tokens in a file, state changes are pushed', async () => {
    const state = await call('cloud:get-state');
    expect(state).toMatchObject({ status: 'signed_out', cloudUrl: 'http://127.0.0.1:9', email: null });
    expect(state.tokenStorage).toContain(join(dir, 'data', 'cloud-token.json'));
    const bad = await app.dispatcher.invoke('cloud:sign-in', { email: 'x' }, { via: 'test' });
    expect(!bad.ok && bad.error.code).toBe('BAD_REQUEST');
    // A sign-in attempt announces signing_in, then signed_out with the cloud unreachable.
    const signingIn = next('cloud:state-changed', (s) => s.status === 'signing_in');
    const failed = await app.dispatcher.invoke(
      'cloud:sign-in',
      { email: 'trader@example.com', password: 'secret words' },
      { via: 'test' },
    );
    await signingIn;
    expect(failed.ok).toBe(false);
    expect((await call('cloud:get-state')).status).toBe('signed_out');
    expect(app.cloud.state().status).toBe('signed_out');
  });

  it('reports where its data and log live', async () => {
    const info = await call('app:get-info');
    expect(info).toMatchObject({ version: '0.0.0-test', shell: 'web', dataDir: join(dir, 'data') });
    expect(existsSync(join(dir, 'data', 'pipdesk.db'))).toBe(true);
  });
});
