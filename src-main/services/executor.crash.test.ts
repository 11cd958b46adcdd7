import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src-bridge/simulator/simulator';
import { startSimulator } from '../../src-bridge/simulator/simulator';
import { socketPath } from '../../src-bridge/test/harness';
import { systemClock } from '../../src-core/clock';
import { openDatabase } from './database';
import { attemptClOrdId } from './executor';
import { Journal } from './journal';

/**
 * The app process killed with SIGKILL between the `pending` journal write and the order's answer, then restarted on
 * the same journal file: the restarted process must reconcile every row to a definite state, with no duplicate
 * execution and no lost row. The "app" is testing/crash-child.ts in a real child process (bundled once with esbuild so 101
 * process starts stay fast); the simulator (the terminal) lives in this process and reconnects to each new app
 * instance, as an EA does.
 */

const LANES = 4;
/** Kills: PIPDESK_FAULT_RUNS (the full matrix uses 100, docs/order-lifecycle.md), 20 in the everyday suite. */
const RUNS = Math.max(LANES, Math.round(Number(process.env['PIPDESK_FAULT_RUNS'] ?? 20) / LANES) * LANES);
const CHILD = join(import.meta.dirname, 'testing', 'crash-child.ts');
const ROOT_MODULES = join(import.meta.dirname, '..', '..', 'node_modules');
let bundleDir = '';
let bundle = '';

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'pipdesk-crash-child-'));
  bundle = join(bundleDir, 'crash-child.cjs');
  // better-sqlite3 is a native module: it stays external and resolves from the repository's node_modules.
  await build({
    entryPoints: [CHILD],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    outfile: bundle,
    logLevel: 'warning',
  });
});
afterAll(() => {
  rmSync(bundleDir, { recursive: true, force: true });
});

type Child = ChildProcessByStdio<null, Readable, Readable>;
type Line = { type: string; clientOrderId?: string | null; summary?: Record<string, number>; open?: number };

function startChild(config: Record<string, string>): { child: Child; lines: AsyncIterableIterator<string> } {
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, NODE_PATH: ROOT_MODULES, PIPDESK_CRASH_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return { child, lines };
}

function exited(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once('exit', () => {
        resolve();
      });
  });
}

interface LaneResult {
  readonly printedPending: string[];
  readonly killedInWindow: number;
  readonly reconciledAtStart: number;
  readonly dataDir: string;
  readonly sim: SimulatorHandle;
}

/** One lane: its own socket, simulator and journal; `runs` order-and-kill cycles, then a final reconciling start. */
async function lane(runs: number, seed: number): Promise<LaneResult> {
  const path = socketPath();
  const token = randomBytes(16).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-crash-'));
  // Answers take 15 ms, so a kill shortly after the order goes out lands before its answer.
  const sim = startSimulator({
    path,
    token,
    reconnect: { minMs: 10, maxMs: 40 },
    account: { balance: 1_000_000 },
    faults: { delayMs: 15 },
  });
  const printedPending: string[] = [];
  let killedInWindow = 0;
  let reconciledAtStart = 0;
  let r = seed;
  const rand = (n: number): number => {
    r = (r * 1_103_515_245 + 12_345) % 2_147_483_648;
    return r % n;
  };
  const base = { socketPath: path, token, dataDir };
  for (let i = 0; i <= runs; i += 1) {
    const isLast = i === runs;
    const { child, lines } = startChild({
      ...base,
      mode: isLast ? 'reconcile' : 'order',
      requestKey: `lane-${seed}-run-${i}`,
      side: i % 2 === 0 ? 'buy' : 'sell',
    });
    let sawResult = false;
    let killed = false;
    // Kill on the pending line at once (sometimes before the send), or a few ms after the send.
    const killOnPending = rand(4) === 0;
    const delay = rand(12);
    for await (const raw of lines) {
      const line = JSON.parse(raw) as Line;
      if (line.type === 'reconciled') reconciledAtStart += line.summary?.['checked'] ?? 0;
      if (line.type === 'error') throw new Error(`child failed: ${raw}`);
      if (line.type === 'pending' && typeof line.clientOrderId === 'string') {
        printedPending.push(line.clientOrderId);
        if (killOnPending && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
      if (line.type === 'sent' && !killed) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), delay);
      }
      if (line.type === 'result') sawResult = true;
    }
    await exited(child);
    if (!isLast) {
      expect(child.signalCode).toBe('SIGKILL');
      if (!sawResult) killedInWindow += 1;
    } else {
      expect(child.exitCode).toBe(0);
    }
  }
  await sim.stop();
  return { printedPending, killedInWindow, reconciledAtStart, dataDir, sim };
}

describe('app process killed between the pending write and the answer', () => {
  it(`${RUNS} kills: every row reconciled to a definite state, no duplicates, no lost rows`, async () => {
    const results = await Promise.all(Array.from({ length: LANES }, (_, k) => lane(RUNS / LANES, 11 + k)));
    let rows = 0;
    let done = 0;
    let notExecuted = 0;
    let open = 0;
    let duplicates = 0;
    let lost = 0;
    let mismatches = 0;
    for (const res of results) {
      const db = openDatabase(join(res.dataDir, 'pipdesk.db'));
      try {
        const journal = new Journal(db, systemClock);
        const entries = journal.query({ limit: 500 }).entries;
        rows += entries.length;
        const ids = new Set(entries.map((e) => e.clientOrderId));
        lost += res.printedPending.filter((id) => !ids.has(id)).length;
        let doneHere = 0;
        for (const e of entries) {
          let executions = 0;
          for (let a = 1; a <= Math.max(1, e.attempts); a += 1) {
            executions += res.sim.state.executions(attemptClOrdId(e.clientOrderId, a));
          }
          if (executions > 1) duplicates += 1;
          if (e.state === 'done') {
            done += 1;
            doneHere += 1;
          } else if (e.state === 'rejected' || e.state === 'failed') notExecuted += 1;
          else open += 1;
          if (executions !== (e.state === 'done' ? 1 : 0)) mismatches += 1;
        }
        // The broker holds exactly the positions the journal says were opened.
        expect(res.sim.state.positions()).toHaveLength(doneHere);
      } finally {
        db.close();
        rmSync(res.dataDir, { recursive: true, force: true });
      }
    }
    const killedInWindow = results.reduce((s, r) => s + r.killedInWindow, 0);
    const reconciledAtStart = results.reduce((s, r) => s + r.reconciledAtStart, 0);
    const counts = {
      kills: RUNS,
      killedInWindow,
      rows,
      done,
      notExecuted,
      open,
      duplicates,
      lost,
      mismatches,
      reconciledAtStart,
    };
    process.stdout.write(`[executor faults] app killed (SIGKILL) and restarted: ${JSON.stringify(counts)}\n`);
    expect(rows).toBe(RUNS);
    expect({ open, duplicates, lost, mismatches }).toEqual({
      open: 0,
      duplicates: 0,
      lost: 0,
      mismatches: 0,
    });
    // Most kills must land in the window this test is about.
    expect(killedInWindow).toBeGreaterThanOrEqual(RUNS / 2);
  }, 600_000);
});
