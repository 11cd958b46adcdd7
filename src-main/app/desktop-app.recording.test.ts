import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { IpcChannel, IpcEvent, IpcEventPayload, IpcValue } from '../../src-core/contracts/ipc';
import { createMemoryLogger } from '../../src-core/logger';
import { startSimulator, type SimulatorHandle } from '../../src-bridge/simulator/simulator';
import { startInProcessSimulator } from './demo';
import { startDesktopApp, type DesktopApp } from './desktop-app';

/**
 * Tick recording in the composed app: off by default, switched by the setting, and only the live terminal's own
 * ticks are written: the demo's are not, and a paper account following the live terminal adds none of its own.
 */

const dir = mkdtempSync(join(tmpdir(), 'pipdesk-app-recording-'));
let app: DesktopApp | undefined;
let live: SimulatorHandle | undefined;

afterEach(async () => {
  await live?.stop();
  await app?.close();
  live = undefined;
  app = undefined;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function call<K extends IpcChannel>(channel: K, request: unknown = {}): Promise<IpcValue<K>> {
  if (app === undefined) throw new Error('no app');
  const res = await app.dispatcher.invoke(channel, request, { via: 'test' });
  if (!res.ok) throw new Error(`${channel}: ${res.error.code} ${res.error.message}`);
  return res.value as IpcValue<K>;
}

function next<E extends IpcEvent>(event: E, test: (payload: IpcEventPayload<E>) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = app?.events.listen((e: IpcEvent, payload: unknown) => {
      if (e !== event || !test(payload as IpcEventPayload<E>)) return;
      off?.();
      resolve();
    });
  });
}

describe('tick recording in the app', () => {
  it("records the live terminal's ticks once, never the demo's or the paper account's", async () => {
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
    expect((await call('settings:get')).isTickRecordingEnabled).toBe(false);
    expect(await call('recording:get-status')).toMatchObject({
      state: 'off',
      dir: join(dir, 'data', 'recordings'),
    });
    const settings = await call('settings:set', { patch: { isTickRecordingEnabled: true } });
    expect(settings.isTickRecordingEnabled).toBe(true);
    expect((await call('recording:get-status')).state).toBe('recording');

    // The demo streams random prices: none is recorded.
    await call('demo:start', {});
    const demoTicks = next('quotes:tick', (t) => t.quotes.length > 0);
    await call('quotes:subscribe', { symbols: ['EURUSD'] });
    await demoTicks;
    await call('demo:stop');
    expect(await call('recording:list')).toEqual({ files: [] });

    // A live terminal, followed by a paper account that is the active one: each live price is written once.
    live = startSimulator({
      tokenFile: join(dir, 'token.txt'),
      path: join(dir, 'bridge.sock'),
      eaVersion: '2.00',
      account: { login: '7001', server: 'Broker-Live', tradeMode: 'real' },
      symbols: ['EURUSD', 'GBPUSD'],
      reconnect: false,
    });
    await live.waitForSession();
    await call('paper:open', { startingBalance: 5_000 });
    await call('quotes:subscribe', { symbols: ['EURUSD'] });
    const sim = live;
    const bids = [1.3001, 1.3002, 1.3004, 1.3003];
    for (const bid of bids) {
      const shown = next('quotes:tick', (t) => t.quotes.some((q) => q.bid === bid));
      sim.setPrice('EURUSD', bid, bid + 0.0002);
      await shown;
    }
    const { files } = await call('recording:list');
    expect(files).toHaveLength(1);
    const rows = readFileSync(files[0]?.path ?? '', 'utf8')
      .trim()
      .split('\n');
    expect(rows[0]).toBe('time,symbol,bid,ask');
    const recordedBids = rows.slice(1).map((r) => Number(r.split(',')[2]));
    // The live prices, each once (the paper account's copies of them are not written), after the quotes the
    // terminal sent when the symbols were subscribed; no row twice (a re-sent quote is not written again).
    expect(recordedBids.filter((b) => bids.includes(b))).toEqual(bids);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.slice(1, -bids.length).every((r) => /^\d+,(EURUSD|GBPUSD),1\.(08|2)/.test(r))).toBe(true);
    expect((await call('recording:get-status')).ticksWritten).toBe(recordedBids.length);

    // Off again: nothing more is written.
    await call('settings:set', { patch: { isTickRecordingEnabled: false } });
    sim.setPrice('EURUSD', 1.31, 1.3102);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await call('recording:list');
    expect(after.files[0]?.bytes).toBe(files[0]?.bytes);
    expect((await call('recording:get-status')).state).toBe('off');
  }, 60_000);
});
