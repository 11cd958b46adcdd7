import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcChannel, IpcEvent, IpcEventPayload, IpcValue } from '../../src-core/contracts/ipc';
import { createMemoryLogger } from '../../src-core/logger';
import { startSimulator, type SimulatorHandle } from '../../src-bridge/simulator/simulator';
import { startInProcessSimulator } from './demo';
import { startDesktopApp, type DesktopApp } from './desktop-app';

/**
 * The paper account in the composed app: a simulator that presents itself as a real EA is the live terminal, the
 * trader switches to paper through IPC, orders fill there at the live prices, the live terminal gets none, and
 * the paper account survives an app restart and a reset.
 */

const dir = mkdtempSync(join(tmpdir(), 'pipdesk-app-paper-'));
let app: DesktopApp | undefined;
let live: SimulatorHandle | undefined;

afterEach(async () => {
  await live?.stop();
  await app?.close();
  live = undefined;
  app = undefined;
});

async function startApp(): Promise<DesktopApp> {
  app = await startDesktopApp({
    dataDir: join(dir, 'data'),
    version: '0.0.0-test',
    shell: 'web',
    eaSourceDir: join(import.meta.dirname, '..', '..', 'src-bridge', 'mql5'),
    pipePath: join(dir, 'bridge.sock'),
    tokenFile: join(dir, 'token.txt'),
    startSimulator: startInProcessSimulator,
    logger: createMemoryLogger(),
    cloudUrl: 'http://127.0.0.1:9',
  });
  return app;
}

/** The live terminal: the simulator with an EA's version string, so the app takes it for a real terminal. */
async function startLive(): Promise<SimulatorHandle> {
  live = startSimulator({
    tokenFile: join(dir, 'token.txt'),
    path: join(dir, 'bridge.sock'),
    eaVersion: '2.00',
    account: { login: '7001', server: 'Broker-Live', tradeMode: 'real' },
    symbols: ['EURUSD', 'GBPUSD', 'USDJPY'],
    reconnect: { minMs: 50, maxMs: 500 },
  });
  await live.waitForSession();
  return live;
}

async function call<K extends IpcChannel>(channel: K, request: unknown = {}): Promise<IpcValue<K>> {
  if (app === undefined) throw new Error('no app');
  const res = await app.dispatcher.invoke(channel, request, { via: 'test' });
  if (!res.ok) throw new Error(`${channel}: ${res.error.code} ${res.error.message}`);
  return res.value as IpcValue<K>;
}

function next<E extends IpcEvent>(
  event: E,
  test: (payload: IpcEventPayload<E>) => boolean = () => true,
): Promise<IpcEventPayload<E>> {
  return new Promise((resolve) => {
    const off = app?.events.listen((e: IpcEvent, payload: unknown) => {
      if (e !== event) return;
      const p = payload as IpcEventPayload<E>;
      if (!test(p)) return;
      off?.();
      resolve(p);
    });
  });
}

describe('paper account in the app', () => {
  it('switches explicitly, fills at live prices, marks paper, restores after a restart and resets', async () => {
    await startApp();
    const sim = await startLive();
    const liveKey = '7001@Broker-Live';
    await expect(call('paper:get-status')).resolves.toMatchObject({
      key: null,
      sourceKey: liveKey,
      canOpen: true,
      hasSaved: false,
    });
    expect((await call('bridge:get-status')).state).toBe('connected');

    const opened = await call('paper:open', { startingBalance: 5_000 });
    const paperKey = opened.key ?? '';
    expect(paperKey).toBe('7001@Broker-Live #paper');
    const status = await call('bridge:get-status');
    expect(status).toMatchObject({ state: 'paper', activeSessionId: paperKey });
    expect(status.sessions.find((s) => s.id === paperKey)).toMatchObject({ isPaper: true });
    expect(status.sessions.find((s) => s.id === liveKey)).toMatchObject({ isPaper: false });
    await expect(call('account:get-info')).resolves.toMatchObject({ balance: 5_000, login: '7001' });

    const ticked = next('quotes:tick', (t) =>
      t.quotes.some((q) => q.symbol === 'EURUSD' && q.bid === 1.3001),
    );
    await call('quotes:subscribe', { symbols: ['EURUSD'] });
    sim.setPrice('EURUSD', 1.3001, 1.3003);
    await ticked;
    const filled = await call('orders:open-market', { symbol: 'EURUSD', side: 'buy', volume: 0.2 });
    expect(filled).toMatchObject({ price: 1.3003 });
    const { entries } = await call('journal:query', { limit: 5 });
    expect(entries[0]).toMatchObject({ accountKind: 'paper', state: 'done' });
    expect(sim.state.historyOrders()).toEqual([]);
    expect(sim.state.positions()).toEqual([]);

    // Back to the live account, explicitly; the paper state stays saved.
    const closed = await call('paper:close');
    expect(closed).toMatchObject({ key: null, hasSaved: true });
    expect(await call('bridge:get-status')).toMatchObject({ state: 'connected', activeSessionId: liveKey });

    // A restart: the saved paper account resumes in the background, and the live account stays the active one.
    await sim.stop();
    live = undefined;
    await app?.close();
    await startApp();
    const resumed = next('paper:status-changed', (s) => s.key === paperKey);
    await startLive();
    await resumed;
    expect(await call('bridge:get-status')).toMatchObject({ state: 'connected', activeSessionId: liveKey });
    await call('paper:open');
    const positions = await call('positions:list');
    expect(positions.positions).toMatchObject([{ symbol: 'EURUSD', volume: 0.2, priceOpen: 1.3003 }]);

    // Reset: empty book, the starting balance again, still the paper account selected.
    const reset = await call('paper:reset', { isConfirmed: true });
    expect(reset.key).toBe(paperKey);
    await expect(call('account:get-info')).resolves.toMatchObject({ balance: 5_000 });
    expect((await call('positions:list')).positions).toEqual([]);
    expect((await call('bridge:get-status')).activeSessionId).toBe(paperKey);
  });

  it('sets commission and slippage over IPC; the History tab reads the charged deals; bad input is refused', async () => {
    await startApp();
    const sim = await startLive();
    const refused = await app?.dispatcher.invoke(
      'paper:set-costs',
      { commissionPerLotPerSide: 3, slippagePoints: 1 },
      { via: 'test' },
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'PAPER_FAILED' } });
    const opened = await call('paper:open', { startingBalance: 5_000 });
    // `Broker-Live` is no broker profile's server: no commission by default, no slippage.
    expect(opened.costs).toEqual({ commissionPerLotPerSide: 0, slippagePoints: 0, commissionFrom: 'none' });
    for (const bad of [
      { commissionPerLotPerSide: -1, slippagePoints: 0 },
      { commissionPerLotPerSide: 3, slippagePoints: 1.5 },
      { commissionPerLotPerSide: 3, slippagePoints: -2 },
      { commissionPerLotPerSide: 1_001, slippagePoints: 0 },
      { commissionPerLotPerSide: 3 },
      { commissionPerLotPerSide: 3, slippagePoints: 1, extra: true },
      { commissionPerLotPerSide: '3', slippagePoints: 1 },
    ]) {
      const r = await app?.dispatcher.invoke('paper:set-costs', bad, { via: 'test' });
      expect(r, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    const changed = next('paper:status-changed', (s) => s.costs?.slippagePoints === 3);
    const set = await call('paper:set-costs', { commissionPerLotPerSide: 2.5, slippagePoints: 3 });
    expect(set.costs).toEqual({ commissionPerLotPerSide: 2.5, slippagePoints: 3, commissionFrom: 'trader' });
    await changed;

    const ticked = next('quotes:tick', (t) =>
      t.quotes.some((q) => q.symbol === 'EURUSD' && q.bid === 1.3001),
    );
    await call('quotes:subscribe', { symbols: ['EURUSD'] });
    sim.setPrice('EURUSD', 1.3001, 1.3003);
    await ticked;
    // 3 points above the live ask 1.30030.
    const filled = await call('orders:open-market', { symbol: 'EURUSD', side: 'buy', volume: 0.4 });
    expect(filled).toMatchObject({ price: 1.30033 });
    const history = await call('history:list-deals', { fromMs: 0, toMs: 4_000_000_000_000 });
    const trade = history.deals.find((d) => d.volume === 0.4);
    // 0.4 lot × 2.50 = 1.00 commission on the entry deal.
    expect(trade).toMatchObject({ price: 1.30033, commission: -1 });
    await expect(call('account:get-info')).resolves.toMatchObject({ balance: 4_999 });
    expect(sim.state.deals().map((d) => d.comment)).toEqual(['initial deposit']);

    // A reset empties the account but keeps its costs: they are a setting.
    const reset = await call('paper:reset', { isConfirmed: true });
    expect(reset.costs).toEqual({
      commissionPerLotPerSide: 2.5,
      slippagePoints: 3,
      commissionFrom: 'trader',
    });
    await expect(call('account:get-info')).resolves.toMatchObject({ balance: 5_000 });
  });

  it('refuses to open a paper account without a live terminal (the demo is not one)', async () => {
    await startApp();
    await call('demo:start', {});
    const r = await app?.dispatcher.invoke('paper:open', {}, { via: 'test' });
    expect(r).toMatchObject({ ok: false, error: { code: 'PAPER_NO_SOURCE' } });
    rmSync(dir, { recursive: true, force: true });
  });
});
