import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcEvent, IpcEventPayload } from '../../src-core/contracts/ipc';
import { startSimulator, type SimulatorHandle } from '../../src-bridge/simulator/simulator';
import { alwaysOpen } from '../../src-bridge/simulator/trade-server';
import { createMemoryLogger } from '../../src-core/logger';
import { startInProcessSimulator } from './demo';
import { startDesktopApp, type DesktopApp } from './desktop-app';

const dir = mkdtempSync(join(tmpdir(), 'pipdesk-market-'));
let app: DesktopApp;
let sim: SimulatorHandle;

function next<E extends IpcEvent>(
  event: E,
  test: (payload: IpcEventPayload<E>) => boolean = () => true,
): Promise<IpcEventPayload<E>> {
  return new Promise((resolve) => {
    const off = app.events.listen((e: IpcEvent, payload: unknown) => {
      if (e !== event || !test(payload as IpcEventPayload<E>)) return;
      off();
      resolve(payload as IpcEventPayload<E>);
    });
  });
}

beforeAll(async () => {
  app = await startDesktopApp({
    dataDir: join(dir, 'data'),
    version: '0.0.0-test',
    shell: 'web',
    eaSourceDir: join(dir, 'no-ea'),
    pipePath: join(dir, 'bridge.sock'),
    tokenFile: join(dir, 'token.txt'),
    startSimulator: startInProcessSimulator,
    logger: createMemoryLogger(),
  });
  sim = startSimulator({
    path: app.pipePath,
    tokenFile: app.tokenFile,
    tickMs: 0,
    schedule: alwaysOpen,
    reconnect: { minMs: 50, maxMs: 200 },
    refusedRetryMs: 100,
  });
  await sim.waitForSession();
});

afterAll(async () => {
  await sim.stop();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bridge market port', () => {
  it('batches ticks: many quote changes within one interval arrive as one batch with the latest quote', async () => {
    await app.dispatcher.invoke('quotes:subscribe', { symbols: ['EURUSD', 'GBPUSD'] }, { via: 'test' });
    // The first batch carries the quotes pushed at subscription; wait it out so the next one is ours alone.
    await next('quotes:tick');
    const batch = next('quotes:tick');
    sim.setPrice('EURUSD', 1.1, 1.10008);
    sim.setPrice('EURUSD', 1.1001, 1.10018);
    sim.setPrice('GBPUSD', 1.3, 1.30012);
    sim.setPrice('USDJPY', 150, 150.01);
    const { quotes } = await batch;
    expect(quotes.map((q) => [q.symbol, q.bid]).sort()).toEqual([
      ['EURUSD', 1.1001],
      ['GBPUSD', 1.3],
    ]);
  });

  it('reports a dropped link in words, then recovers and restores subscriptions', async () => {
    const down = next('bridge:status-changed', (s) => s.state === 'disconnected');
    const emptied = next('positions:changed', (p) => p.positions.length === 0);
    sim.drop();
    const status = await down;
    expect(status.reason).toMatch(/^Disconnected: /);
    await emptied;

    const up = next('bridge:status-changed', (s) => s.state === 'demo');
    const account = next('account:changed');
    // The EA pushes the current quote when subscribed, so a tick after the reconnect proves the resubscription.
    const resubscribed = next('quotes:tick');
    await up;
    expect((await account).login).toBe('5001');
    await resubscribed;
    const moved = next('quotes:tick', (p) => p.quotes.some((q) => q.symbol === 'GBPUSD' && q.bid === 1.2999));
    sim.setPrice('GBPUSD', 1.2999, 1.30002);
    await moved;
  });

  it('never lets a second terminal take over silently; switching is explicit', async () => {
    const second = next('bridge:status-changed', (s) => s.sessions.length === 2);
    const real = startSimulator({
      path: app.pipePath,
      tokenFile: app.tokenFile,
      tickMs: 0,
      schedule: alwaysOpen,
      reconnect: false,
      account: { login: '7777', server: 'Broker-Live', tradeMode: 'real' },
      eaVersion: '1.00',
    });
    try {
      await real.waitForSession();
      const status = await second;
      expect(status).toMatchObject({ state: 'demo', activeSessionId: sim.key });
      const switched = app.market.selectSession('7777@Broker-Live');
      expect(switched.ok && switched.value).toMatchObject({
        state: 'connected',
        activeSessionId: '7777@Broker-Live',
      });
      const account = await app.dispatcher.invoke('account:get-info', {}, { via: 'test' });
      expect(account.ok && (account.value as { login: string }).login).toBe('7777');

      // The active terminal leaves: the other one stays connected but is not traded on without a choice.
      const gone = next('bridge:status-changed', (s) => s.sessions.length === 1);
      await real.stop();
      const after = await gone;
      expect(after.state).toBe('disconnected');
      expect(after.reason).toContain(`Connected now: ${sim.key}`);
      expect(app.market.selectSession(sim.key).ok).toBe(true);
    } finally {
      await real.stop();
    }
  });

  it('refuses a session switch to a terminal that is not connected', () => {
    const r = app.market.selectSession('999@Nowhere');
    expect(!r.ok && r.error.code).toBe('SESSION_NOT_FOUND');
  });
});
