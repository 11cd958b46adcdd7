import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalPort, SettingsPort, TradingPort } from '../ipc/ports';
import { FakeTradingBridge } from './testing/fake-trading-bridge';
import { createMemoryLogger } from '../../src-core/logger';
import { createTradingServices } from './trading-services';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-services-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('createTradingServices', () => {
  it('wires the executor, journal and settings on one database, and fits the IPC ports', async () => {
    const bridge = new FakeTradingBridge();
    const services = createTradingServices({
      dataDir: dir,
      bridge,
      logger: createMemoryLogger(),
      executor: { reconcileGraceMs: 0 },
    });
    // The IPC layer's ports are satisfied by the services as they are.
    const ports: { trading: TradingPort; journal: JournalPort; settings: SettingsPort } = {
      trading: services.executor,
      journal: services.journal,
      settings: services.settings,
    };
    await services.ready;
    const changed: string[] = [];
    const off = services.onJournalChanged((e) => changed.push(e.state));
    const results: boolean[] = [];
    services.onOrderResult((ev) => results.push(ev.result.ok));
    const r = await ports.trading.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    off();
    expect(r.ok).toBe(true);
    expect(changed).toEqual(['pending', 'sent', 'done']);
    expect(results).toEqual([true]);
    const page = await ports.journal.query({ limit: 10 });
    expect(page.entries).toHaveLength(1);
    expect(ports.settings.get().riskLimits.maxLotSize).toBe(10);
    services.close();
  });

  it('reconciles what a previous run left open when it starts', async () => {
    const bridge = new FakeTradingBridge();
    bridge.script.push({ kind: 'fail', failure: { kind: 'disconnected', message: 'crash' }, execute: true });
    bridge.lookupFailure = { kind: 'not_connected', message: 'down' };
    const first = createTradingServices({
      dataDir: dir,
      bridge,
      logger: createMemoryLogger(),
      executor: { reconcileGraceMs: 0, reconnectWaitMs: 0 },
    });
    const r = await first.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    first.close();

    bridge.lookupFailure = null;
    const second = createTradingServices({
      dataDir: dir,
      bridge,
      logger: createMemoryLogger(),
      executor: { reconcileGraceMs: 0 },
    });
    expect(await second.ready).toEqual({ checked: 1, done: 1, notExecuted: 0, stillUnknown: 0 });
    expect(second.journal.getByClientOrderId(r.clientOrderId ?? '')?.state).toBe('done');
    second.close();
  });

  it('logs to a rotating file in the data dir by default', async () => {
    const services = createTradingServices({ dataDir: dir, bridge: new FakeTradingBridge() });
    await services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    services.close();
    expect(readFileSync(join(dir, 'logs', 'main.log'), 'utf8')).toContain('order margin');
  });
});
