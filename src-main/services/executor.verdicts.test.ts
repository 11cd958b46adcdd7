import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src-core/contracts/journal';
import type { SimulatorHandle } from '../../src-bridge/simulator/simulator';
import { startSimulator } from '../../src-bridge/simulator/simulator';
import type { Clock } from '../../src-core/clock';
import { openDatabase } from './database';
import type { ExecutorOptions, OrderResultEvent } from './executor';
import { Executor } from './executor';
import { Journal } from './journal';
import { createMemoryLogger } from '../../src-core/logger';
import { SettingsStore } from './settings';
import { FakeTradingBridge } from './testing/fake-trading-bridge';
import type { SimSetup } from './testing/sim-setup';
import { startSimSetup } from './testing/sim-setup';

/**
 * "Not executed" only when proven (docs/order-lifecycle.md, "When absence is proof"): an order held inside
 * OrderSend past its deadline while a second session for the same account answers `found:false` must stay unknown,
 * then settle as executed, and the trader must be told.
 */

let setup: SimSetup | undefined;
let second: SimulatorHandle | undefined;
afterEach(async () => {
  await second?.stop();
  second = undefined;
  await setup?.close();
  setup = undefined;
});

/** Resolves with the first result event for `entryId` whose entry is in a final state. */
function finalResult(s: SimSetup, entryId: string, timeoutMs: number): Promise<OrderResultEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${entryId} not final within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = s.services.onOrderResult((ev) => {
      if (ev.entry.id !== entryId || ['unknown', 'pending', 'sent'].includes(ev.entry.state)) return;
      clearTimeout(timer);
      off();
      resolve(ev);
    });
  });
}

describe('a held order and a second session for the same account', () => {
  it('stays unknown while the other session finds nothing, then settles as executed', async () => {
    // The order is held 1.2 s inside OrderSend, past its 600 ms deadline; a second EA instance on the same account
    // (same broker books) connects as soon as the order goes out, taking the session over.
    const s = await startSimSetup({
      sim: { account: { marginMode: 'hedging' }, reconnect: false, faults: { orderSendHoldMs: 1_200 } },
      executor: {
        sendDeadlineMs: 600,
        reconnectWaitMs: 2_000,
        reconcileRetryDelaysMs: [200],
        otherSessionProofMarginMs: 3_000,
      },
    });
    setup = s;
    const states: JournalEntry['state'][] = [];
    s.services.onJournalChanged((e) => {
      states.push(e.state);
      if (e.state === 'sent' && second === undefined) {
        second = startSimulator({
          path: s.harness.path,
          token: s.harness.token,
          sharedState: s.harness.sim.state,
          reconnect: false,
        });
      }
    });
    const late: OrderResultEvent[] = [];
    s.services.executor.onLateExecution((ev) => late.push(ev));
    const r = await s.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    expect(r.ok ? '' : r.message).not.toMatch(/try again|trying again/i);
    const id = r.entryId ?? '';
    const settled = await finalResult(s, id, 15_000);
    expect(late.map((ev) => ev.entry.id)).toEqual([id]);
    expect(settled.entry.state).toBe('done');
    expect(settled.result).toMatchObject({ ok: true, reconciled: true });
    expect(states).not.toContain('failed');
    expect(s.harness.sim.state.executions(r.clientOrderId ?? '')).toBe(1);
  }, 30_000);
});

describe('when "no trace" is proof (fake terminal, a clock the test moves)', () => {
  const FAST: Partial<ExecutorOptions> = {
    sendDeadlineMs: 200,
    lookupDeadlineMs: 200,
    reconcileGraceMs: 0,
    reconcileAttempts: 1,
    retryBackoffMs: 1,
    specTtlMs: 0,
    sameSessionProofMarginMs: 100,
    otherSessionProofMarginMs: 60_000,
    // The timer never fires within a test: each step below is an explicit pass at a chosen time.
    reconcileRetryDelaysMs: [3_600_000],
  };
  let dir = '';
  let cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
    rmSync(dir, { recursive: true, force: true });
  });

  function kit(): {
    bridge: FakeTradingBridge;
    executor: Executor;
    journal: Journal;
    settings: SettingsStore;
    skew: { ms: number };
  } {
    dir = mkdtempSync(join(tmpdir(), 'pipdesk-verdicts-'));
    const db = openDatabase(join(dir, 'pipdesk.db'));
    const logger = createMemoryLogger();
    const skew = { ms: 0 };
    const clock: Clock = { now: () => Date.now() + skew.ms };
    const journal = new Journal(db, { now: () => Date.now() });
    const settings = new SettingsStore(db, clock, logger);
    const bridge = new FakeTradingBridge();
    const executor = new Executor({ bridge, journal, settings, logger, clock, options: FAST });
    cleanup = [
      () => {
        executor.close();
      },
      () => {
        journal.close();
      },
      () => db.close(),
    ];
    return { bridge, executor, journal, settings, skew };
  }

  it('the same session, still open, proves it once past expiresAt plus its margin', async () => {
    const { bridge, executor, journal, skew } = kit();
    bridge.script.push({ kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: false });
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    skew.ms = 50; // before expiresAt + 100 ms: nothing proven yet
    await executor.reconcileOpen();
    expect(journal.get(r.entryId ?? '')?.state).toBe('unknown');
    skew.ms = 400;
    await executor.reconcileOpen();
    expect(journal.get(r.entryId ?? '')?.state).toBe('failed');
    expect(bridge.sent).toHaveLength(1);
  });

  it('another session (a reconnect) proves it only past expiresAt plus the longer margin', async () => {
    const { bridge, executor, journal, skew } = kit();
    bridge.script.push({ kind: 'fail', failure: { kind: 'disconnected', message: 'd' }, execute: false });
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    skew.ms = 30_000;
    await executor.reconcileOpen();
    expect(journal.get(r.entryId ?? '')?.state).toBe('unknown');
    skew.ms = 61_000;
    await executor.reconcileOpen();
    expect(journal.get(r.entryId ?? '')?.state).toBe('failed');
  });

  it('an order found executed after "unknown" is corrected and announced as a late execution', async () => {
    const { bridge, executor, journal } = kit();
    bridge.script.push({ kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: false });
    const late: OrderResultEvent[] = [];
    executor.onLateExecution((ev) => late.push(ev));
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(r).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    expect(late).toEqual([]);
    // The request was still inside OrderSend: it executes now.
    const held = bridge.sent[0];
    if (held === undefined) throw new Error('nothing sent');
    expect((await bridge.orderSend(held)).ok).toBe(true);
    await executor.reconcileOpen();
    const e = journal.get(r.entryId ?? '');
    expect(e?.state).toBe('done');
    expect(late).toHaveLength(1);
    expect(late[0]?.result).toMatchObject({ ok: true, reconciled: true, clientOrderId: r.clientOrderId });
    expect(bridge.positionList).toHaveLength(1);
  });

  it('a row left by a killed app is proven only by history past expiresAt plus the longer margin', async () => {
    const { bridge, executor, journal, settings, skew } = kit();
    bridge.lookupFailure = { kind: 'timeout', message: 'busy' };
    bridge.script.push({ kind: 'fail', failure: { kind: 'timeout', message: 't' }, execute: false });
    const r = await executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    executor.close();
    bridge.lookupFailure = null;
    // A new process on the same journal: it never saw the session the order went to.
    const restarted = new Executor({
      bridge,
      journal,
      settings,
      logger: createMemoryLogger(),
      clock: { now: () => Date.now() + skew.ms },
      options: FAST,
    });
    cleanup.unshift(() => {
      restarted.close();
    });
    skew.ms = 5_000; // past the same-session margin, but this process has no session that saw the order
    await restarted.reconcileOpen();
    expect(journal.get(r.entryId ?? '')?.state).toBe('unknown');
    skew.ms = 61_000;
    await restarted.reconcileOpen();
    expect(journal.get(r.entryId ?? '')?.state).toBe('failed');
  });
});
