import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src-core/logger';
import { normalizePrice } from '../../src-core/trading/numbers';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import { startBridgeServer } from '../../src-bridge/server/bridge-server';
import { seededRandom } from '../../src-bridge/simulator/feed';
import { createTradingServices, type TradingServices } from '../services/trading-services';
import { heapAfterGc } from './heap';
import { soakViolations, type SoakFacts } from './invariants';
import { startTerminalThread } from './terminal-thread';

/** What {@link runSoak} runs. */
export interface SoakOptions {
  /** Simulated time, hours (the soak: 168, a week). */
  readonly hours: number;
  readonly seed?: number;
  /** Simulated time between steps (a price move and maybe an action), ms. Default one minute. */
  readonly stepMs?: number;
  /** Growth of the app's heap tolerated per simulated day after the warm-up, bytes. Default 100 KB. */
  readonly heapSlopeLimit?: number;
  /** Simulated days left out of the memory fit while code is compiled and caches fill. Default 1. */
  readonly warmUpDays?: number;
  /** Called once per simulated day with the heaps after GC: the app's thread and the terminal's (the CLI prints them). */
  readonly onDay?: (day: number, heap: { readonly app: number; readonly terminal: number }) => void;
  /** Called after each step in the app's thread (a test leaks memory here to prove the check fails). */
  readonly onStep?: (step: number) => void;
}

export interface SoakReport {
  readonly violations: readonly string[];
  readonly facts: SoakFacts;
  readonly orders: number;
  readonly refused: number;
  readonly drops: number;
  readonly eaRestarts: number;
  readonly appRestarts: number;
  readonly seconds: number;
}

const SYMBOLS = ['EURUSD', 'GBPUSD', 'USDJPY'] as const;
const START_MS = Date.UTC(2026, 0, 5); // a Monday

/**
 * Simulated days of random but valid trading through the desktop's executor and journal, over a real pipe to the
 * MT5 simulator, on one injected clock; with link drops, EA restarts and app restarts (the services closed and
 * reopened on the same data folder). Afterwards the invariants of `invariants.ts` are checked (docs/testing.md).
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  heapAfterGc(); // makes sure `gc` exists before the terminal's thread starts (heap.ts)
  const random = seededRandom(options.seed ?? 7);
  const stepMs = options.stepMs ?? 60_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-soak-'));
  const path = join(dataDir, 's.sock');
  const token = randomBytes(32).toString('hex');
  let nowMs = START_MS;
  const clock = { now: () => nowMs };
  const server = await startBridgeServer({ path, token, logger: silentLogger });
  const initialBalance = 100_000;
  // The terminal runs in a thread of its own, as MT5 runs in a process of its own: its history (every deal, order
  // and M1 bar, as a terminal keeps them) then weighs on its heap, not on the app's that the soak judges.
  const terminal = startTerminalThread({
    path,
    token,
    startMs: START_MS,
    balance: initialBalance,
    symbols: [...SYMBOLS],
    commissionPerLotPerSide: 3.5,
    seed: options.seed ?? 7,
  });
  const open = (): TradingServices =>
    createTradingServices({ dataDir, bridge: server, logger: silentLogger, clock });
  let services = open();
  let orders = 0;
  let refused = 0;
  let drops = 0;
  let eaRestarts = 0;
  let appRestarts = 0;
  let actions = 0;
  const appHeapPerDay: number[] = [];
  const terminalHeapPerDay: number[] = [];
  const mids = new Map<string, number>(SYMBOLS.map((s) => [s, s === 'USDJPY' ? 150 : 1.1]));
  try {
    await terminal.call({ op: 'waitForSession' });
    await services.ready;
    const steps = Math.round((options.hours * 3_600_000) / stepMs);
    const stepsPerDay = Math.round(86_400_000 / stepMs);
    for (let step = 1; step <= steps; step += 1) {
      nowMs += stepMs;
      const quotes: [string, number, number][] = [];
      for (const symbol of SYMBOLS) {
        const spec = findCatalogSymbol(symbol);
        if (spec === undefined) continue;
        const mid = (mids.get(symbol) ?? 1) + (random() - 0.5) * 20 * spec.point;
        mids.set(symbol, mid);
        const bid = normalizePrice(mid, spec.tickSize);
        quotes.push([symbol, bid, normalizePrice(bid + 10 * spec.point, spec.tickSize)]);
      }
      const positions = await terminal.call({ op: 'step', nowMs, quotes });
      const roll = random();
      const key = (): string => `soak-${String((actions += 1))}`;
      const symbol = SYMBOLS[Math.floor(random() * SYMBOLS.length)] ?? 'EURUSD';
      let result: { ok: boolean } | undefined;
      if (roll < 0.04 && positions.length < 20) {
        result = await services.executor.openMarket({
          requestKey: key(),
          symbol,
          side: random() < 0.5 ? 'buy' : 'sell',
          volume: Math.round(1 + random() * 9) / 100,
          ...(random() < 0.5 ? { sl: { pips: 30 + Math.round(random() * 50) } } : {}),
          ...(random() < 0.5 ? { tp: { pips: 30 + Math.round(random() * 50) } } : {}),
        });
      } else if (roll < 0.07 && positions.length > 0) {
        const p = positions[Math.floor(random() * positions.length)];
        if (p !== undefined) result = await services.executor.closePosition({ requestKey: key(), ticket: p });
      } else if (roll < 0.08 && positions.length > 0) {
        const p = positions[Math.floor(random() * positions.length)];
        if (p !== undefined)
          result = await services.executor.modifyPosition({
            requestKey: key(),
            ticket: p,
            sl: { pips: 60 },
          });
      }
      if (result !== undefined) {
        orders += 1;
        if (!result.ok) refused += 1;
      }
      if (step % 97 === 0) {
        await terminal.call({ op: 'drop' });
        drops += 1;
      }
      if (step % 911 === 0) {
        await terminal.call({ op: 'restart' });
        eaRestarts += 1;
      }
      if (step % 1_499 === 0) {
        services.close();
        services = open();
        appRestarts += 1;
        await services.ready;
      }
      options.onStep?.(step);
      if (step % stepsPerDay === 0) {
        const heap = { app: heapAfterGc(), terminal: await terminal.call({ op: 'heap' }) };
        appHeapPerDay.push(heap.app);
        terminalHeapPerDay.push(heap.terminal);
        options.onDay?.(appHeapPerDay.length, heap);
      }
    }
    // A last reopen: whatever the final drop left unknown is reconciled with the terminal.
    services.close();
    services = open();
    await services.ready;
    const books = await terminal.call({ op: 'facts' });
    const facts: SoakFacts = {
      initialBalance,
      balance: books.balance,
      currencyDigits: books.currencyDigits,
      deals: books.deals,
      journalEntries: services.journal.count(),
      journalFinal:
        services.journal.count('done') +
        services.journal.count('rejected') +
        services.journal.count('failed'),
      appHeapPerDay,
      terminalHeapPerDay,
      warmUpDays: options.warmUpDays ?? 1,
      heapSlopeLimit: options.heapSlopeLimit ?? 100e3,
    };
    return {
      violations: soakViolations(facts),
      facts,
      orders,
      refused,
      drops,
      eaRestarts,
      appRestarts,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    services.close();
    await terminal.stop();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
