import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src-core/clock';
import { openDatabase } from '../src-main/services/database';
import { Executor } from '../src-main/services/executor';
import { FakeTradingBridge } from '../src-main/services/testing/fake-trading-bridge';
import { Journal } from '../src-main/services/journal';
import { silentLogger } from '../src-core/logger';
import { SettingsStore } from '../src-main/services/settings';
import { startSimSetup } from '../src-main/services/testing/sim-setup';
import { check, note } from './_targets';
import { filesystemOf } from './_fs-type';

/**
 * The trade executor's own cost and its end-to-end throughput.
 *
 * 1. Overhead per order: a market order through the executor on an in-process bridge that answers at once, so what
 *    is measured is the executor itself — input validation, order rules, risk limits, the durable `pending` write
 *    (fsynced: synchronous=FULL), the `sent` and final journal updates. Baseline in the same run: the journal's
 *    pending write alone, the floor any durable journal pays. Run both with and without the fsync.
 * 2. 1,000 sequential market orders end to end through the pipe server and the simulator over a real Unix socket
 *    (netting account, alternating sides). Baseline in the same run: 1,000 sequential quote round trips on the same
 *    socket (an order makes about six round trips: spec, quote, account, positions, margin, send).
 */

const OVERHEAD_ORDERS = 2_000;
const OVERHEAD_WARMUP = 200;
const E2E_ORDERS = 1_000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(label: string, value: string, target: string, pass: boolean | null, scope = ''): void {
  const verdict = pass === null ? '' : `  ${check(`${scope}${label.trim()}`, value, target, pass)}`;
  console.log(`${label.padEnd(46)} ${value.padStart(12)}   target ${target.padEnd(10)}${verdict}`);
}

async function overhead(isFsynced: boolean): Promise<{ p50: number; p99: number; baselineP50: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pipdesk-bench-exec-'));
  const db = openDatabase(join(dir, 'pipdesk.db'));
  try {
    const bridge = new FakeTradingBridge(['EURUSD']);
    bridge.accountInfo.balance = 1e9;
    bridge.accountInfo.marginFree = 1e9;
    const journal = new Journal(db, systemClock);
    const settings = new SettingsStore(db, systemClock, silentLogger);
    settings.set({ riskLimits: { maxOpenPositions: 10_000 } });
    const executor = new Executor({
      bridge,
      journal,
      settings,
      logger: silentLogger,
      clock: systemClock,
      options: { specTtlMs: 60_000, dedupWindowMs: 0, isPendingWriteFsynced: isFsynced },
    });
    const samples: number[] = [];
    for (let i = 0; i < OVERHEAD_WARMUP + OVERHEAD_ORDERS; i += 1) {
      // Positions are cleared so the fake's list stays small, as on a netting account.
      bridge.positionList = [];
      const t0 = performance.now();
      const r = await executor.openMarket({
        symbol: 'EURUSD',
        side: 'buy',
        volume: 0.01,
        requestKey: `o${i}`,
      });
      const ms = performance.now() - t0;
      if (!r.ok) throw new Error(`order refused: ${r.code} ${r.message}`);
      if (i >= OVERHEAD_WARMUP) samples.push(ms);
    }
    executor.close();
    samples.sort((a, b) => a - b);

    // Baseline: the journal's own pending write alone (fsynced or not, as the executor was configured), the floor
    // any durable journal pays; the difference is the executor's validation, checks and bookkeeping.
    const base: number[] = [];
    for (let i = 0; i < OVERHEAD_ORDERS; i += 1) {
      const t0 = performance.now();
      journal.insert(
        {
          clientOrderId: `B${i}`,
          parentId: null,
          origin: 'local',
          operation: 'open_market',
          requestKey: `b${i}`,
          symbol: 'EURUSD',
          side: 'buy',
          volume: 0.01,
          intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.01 } },
          state: 'pending',
        },
        { durable: isFsynced },
      );
      base.push(performance.now() - t0);
    }
    journal.close();
    base.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), baselineP50: percentile(base, 50) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function endToEnd(
  isFsynced: boolean,
): Promise<{ ordersMs: number; quotesMs: number; orderP50: number; orderP99: number }> {
  const setup = await startSimSetup({
    sim: { account: { marginMode: 'netting', balance: 1e9 } },
    executor: {
      sendDeadlineMs: 30_000,
      dataDeadlineMs: 5_000,
      specTtlMs: 2_000,
      dedupWindowMs: 0,
      isPendingWriteFsynced: isFsynced,
    },
  });
  try {
    const ex = setup.services.executor;
    for (let i = 0; i < 50; i += 1) {
      await ex.openMarket({
        symbol: 'EURUSD',
        side: i % 2 === 0 ? 'buy' : 'sell',
        volume: 0.01,
        requestKey: `w${i}`,
      });
    }
    const key = setup.harness.sim.key;
    const q0 = performance.now();
    for (let i = 0; i < E2E_ORDERS; i += 1) {
      const r = await setup.harness.server.request(key, 'quote', { symbol: 'EURUSD' });
      if (!r.ok) throw new Error(r.error.message);
    }
    const quotesMs = performance.now() - q0;

    const per: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < E2E_ORDERS; i += 1) {
      const s = performance.now();
      const r = await ex.openMarket({
        symbol: 'EURUSD',
        side: i % 2 === 0 ? 'buy' : 'sell',
        volume: 0.01,
        requestKey: `e${i}`,
      });
      per.push(performance.now() - s);
      if (!r.ok) throw new Error(`order ${i} failed: ${r.code} ${r.message}`);
    }
    const ordersMs = performance.now() - t0;
    per.sort((a, b) => a - b);
    const done = setup.services.journal.count('done');
    if (done !== E2E_ORDERS + 50)
      throw new Error(`journal has ${done} done orders, expected ${E2E_ORDERS + 50}`);
    return { ordersMs, quotesMs, orderP50: percentile(per, 50), orderP99: percentile(per, 99) };
  } finally {
    await setup.close();
  }
}

/** Prints the executor's figures beside their targets (docs/order-lifecycle.md). */
export async function run(): Promise<void> {
  // Every journal here (the overhead runs' and the simulator setups') is a SQLite file under the temp folder.
  note(`journal written under ${tmpdir()}: filesystem ${filesystemOf(tmpdir())}`);
  for (const isFsynced of [true, false]) {
    const o = await overhead(isFsynced);
    console.log(
      `executor overhead per market order (validation + journal, ${OVERHEAD_ORDERS} orders, instant bridge), ` +
        (isFsynced
          ? 'pending write fsynced (default)'
          : 'pending write not fsynced (crash-safe, not power-cut-safe)'),
    );
    line(
      '  overhead p50',
      `${o.p50.toFixed(3)} ms`,
      '≤ 1 ms',
      o.p50 <= 1,
      isFsynced ? 'fsynced: ' : 'not fsynced: ',
    );
    line('  overhead p99', `${o.p99.toFixed(3)} ms`, '—', null);
    line("  baseline: the journal's pending write alone, p50", `${o.baselineP50.toFixed(3)} ms`, '—', null);
    line(
      '  overhead p50 − baseline p50 (the executor itself)',
      `${(o.p50 - o.baselineP50).toFixed(3)} ms`,
      '—',
      null,
    );
    console.log('');
  }

  for (const isFsynced of [true, false]) {
    const e = await endToEnd(isFsynced);
    console.log(
      `${E2E_ORDERS} sequential market orders end to end (pipe server ⇄ simulator, Unix socket), ` +
        (isFsynced ? 'pending write fsynced (default)' : 'pending write not fsynced'),
    );
    line(
      '  total',
      `${(e.ordersMs / 1000).toFixed(2)} s`,
      '≤ 3 s',
      e.ordersMs <= 3_000,
      `${E2E_ORDERS} orders end to end, ${isFsynced ? 'fsynced' : 'not fsynced'}: `,
    );
    line('  per order p50', `${e.orderP50.toFixed(3)} ms`, '—', null);
    line('  per order p99', `${e.orderP99.toFixed(3)} ms`, '—', null);
    line(`  baseline: ${E2E_ORDERS} quote round trips`, `${(e.quotesMs / 1000).toFixed(2)} s`, '—', null);
    line('  orders / quote round trips', `${(e.ordersMs / e.quotesMs).toFixed(1)}×`, '—', null);
    console.log('');
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  await run();
}
