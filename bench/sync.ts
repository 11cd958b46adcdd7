// Cloud sync figures (docs/cloud-sync.md), everything on 127.0.0.1:
//  1. journal sync throughput: entries/s from the desktop's SQLite outbox to rows in PostgreSQL, through the
//     connector socket (batches, acks); baseline: the same rows written straight into PostgreSQL by the store.
//  2. remote-ticket round trip: portal → instance B → Redis → instance A → desktop → executor → MT5 simulator
//     → back, median and p95; baseline: the same order placed at the desktop's executor directly.
// Run alone: `npx tsx bench/sync.ts`.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { CloudState } from '../src-core/contracts/ipc-cloud';
import {
  buildTestApp,
  createTestDatabase,
  REDIS_URL,
  tempDir,
  testConfig,
  unique,
} from '../cloud/test/helpers';
import { SyncStore, type SyncTables } from '../cloud/src/routes/sync/store';
import { systemClock } from '../src-core/clock';
import { bridgeAccounts } from '../src-main/services/cloud-sync/accounts-port';
import { CloudSync } from '../src-main/services/cloud-sync/cloud-sync';
import { createMemoryTokenStore } from '../src-main/services/cloud-sync/token-store';
import { startSimSetup } from '../src-main/services/testing/sim-setup';
import { RELAXED_EXECUTOR } from '../e2e/cloud-sync/relaxed';
import { check, note } from './_targets';

const ENTRIES = 5_000;
const TICKETS = 60;
const TARGET_ENTRIES_PER_S = 1_000;
const TARGET_P95_MS = 250;

const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

interface HttpAnswer {
  statusCode: number;
  body: string;
  json: () => unknown;
}

/**
 * The portal's hop to an instance, over real HTTP: a listening server and fetch's keep-alive connection (what a
 * browser does), not Fastify's in-process `inject`, so the figure includes the HTTP stack and loopback TCP.
 */
async function http(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; payload?: unknown } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.payload === undefined ? {} : { body: JSON.stringify(options.payload) }),
  });
  const body = await res.text();
  return { statusCode: res.status, body, json: (): unknown => JSON.parse(body) };
}

export async function run(): Promise<void> {
  const dirA = tempDir();
  const dirB = tempDir();
  const db = await createTestDatabase('postgres', dirA.path);
  const prefix = `pipdesk-bench-sync:${unique()}:`;
  const config = (dir: string) =>
    testConfig({ dataDir: dir, databaseUrl: db.url, redisUrl: REDIS_URL, redisKeyPrefix: prefix });
  const a: FastifyInstance = await buildTestApp({
    config: config(dirA.path),
    sync: { statusWriteIntervalMs: 2_000 },
  });
  const b: FastifyInstance = await buildTestApp({ config: config(dirB.path), migrate: false });
  await a.listen({ port: 0, host: '127.0.0.1' });
  await b.listen({ port: 0, host: '127.0.0.1' });
  const urlA = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
  const urlB = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`;
  note(`portal → instance B over HTTP at ${urlB} (listening server, keep-alive fetch)`);
  const email = `bench-${unique()}@example.com`;
  const password = 'benchmark sync passphrase';
  await http(urlB, 'POST', '/api/v1/auth/register', { payload: { email, password } });
  const sim = await startSimSetup({ executor: RELAXED_EXECUTOR });
  // Every ticket must really execute: lift the default 20-position cap for the run.
  const limits = sim.services.settings.get().riskLimits;
  const lifted = sim.services.settings.set({ riskLimits: { ...limits, maxOpenPositions: 10_000 } });
  if (!lifted.ok) throw new Error(lifted.error.message);
  const sync = new CloudSync({
    cloudUrl: urlA,
    db: sim.services.db,
    journal: sim.services.journal,
    executor: sim.services.executor,
    accounts: bridgeAccounts(sim.harness.server),
    tokens: createMemoryTokenStore(),
    logger: sim.logger,
    clock: systemClock,
    batchSize: 500,
  });
  const waitState = (predicate: (s: CloudState) => boolean): Promise<CloudState> =>
    new Promise((resolve) => {
      if (predicate(sync.state())) {
        resolve(sync.state());
        return;
      }
      const off = sync.onState((s) => {
        if (predicate(s)) {
          off();
          resolve(s);
        }
      });
    });

  try {
    // ---- 1. journal throughput ----
    // Entries written while no connection is linked: a full outbox, as after a day offline.
    const t0 = Date.now();
    for (let i = 0; i < ENTRIES; i += 1) {
      sim.services.journal.insert(
        {
          clientOrderId: `B${i.toString(36).padStart(10, '0')}`,
          parentId: null,
          origin: 'local',
          operation: 'open_market',
          requestKey: null,
          symbol: i % 3 === 0 ? 'GBPUSD' : 'EURUSD',
          side: i % 2 === 0 ? 'buy' : 'sell',
          volume: 0.01,
          intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.01 } },
          state: 'done',
          message: 'Bought 0.01 EURUSD at 1.08512',
          filledPrice: 1.08512,
          filledVolume: 0.01,
          completedAt: t0 + i,
        },
        { durable: false },
      );
    }
    if (!(await sync.signIn(email, password)).ok) throw new Error('sign-in failed');
    const key = sync.state().accounts[0]?.accountKey ?? '';
    const started = performance.now();
    if (!(await sync.linkAccount(key)).ok) throw new Error('link failed');
    await waitState((s) => s.unsyncedEntries === 0);
    const syncMs = performance.now() - started;
    const connectionId = sync.state().accounts[0]?.connectionId ?? '';
    const store = new SyncStore(a.cloud.db.kysely.withTables<SyncTables>());
    const stored = await store.countJournal(connectionId);
    const perS = (ENTRIES / syncMs) * 1000;

    // Baseline: the same number of rows upserted straight into PostgreSQL in batches of 500.
    const baseUser = await http(urlB, 'POST', '/api/v1/auth/login', { payload: { email, password } });
    const token = (baseUser.json() as { tokens: { access_token: string } }).tokens.access_token;
    const other = await http(urlB, 'POST', '/api/v1/connections', {
      token,
      payload: { name: 'baseline', broker_server: 'Bench-Server', account_login: '777' },
    });
    const baselineId = (other.json() as { id: string }).id;
    const rows = sim.services.journal.query({ limit: 500 }).entries;
    const baseStart = performance.now();
    for (let done = 0; done < ENTRIES; done += rows.length) {
      await store.upsertJournal(
        baselineId,
        rows.map((r) => ({ ...r, id: randomUUID() })),
        Date.now(),
      );
    }
    const basePerS = (ENTRIES / (performance.now() - baseStart)) * 1000;
    console.log(
      `journal sync: ${ENTRIES} entries outbox → PostgreSQL in ${syncMs.toFixed(0)} ms = ${perS.toFixed(0)} entries/s ` +
        `(stored ${stored}) target ≥ ${TARGET_ENTRIES_PER_S} ${check('journal sync', `${perS.toFixed(0)} entries/s`, `≥ ${TARGET_ENTRIES_PER_S}/s, all ${ENTRIES} stored`, perS >= TARGET_ENTRIES_PER_S && stored === ENTRIES)}`,
    );
    console.log(
      `  baseline direct upsert into PostgreSQL: ${basePerS.toFixed(0)} entries/s; sync pipeline at ${((perS / basePerS) * 100).toFixed(0)}% of it`,
    );

    // ---- 2. remote ticket round trip ----
    sync.setRemoteTrading(key, true);
    // The switch reaches the cloud over the socket; wait until instance B reads it.
    for (let tries = 0; ; tries += 1) {
      const res = await http(urlB, 'GET', `/api/v1/connections/${connectionId}/status`, { token });
      if ((res.json() as { remote_trading: boolean }).remote_trading) break;
      if (tries > 200) throw new Error('remote trading switch never reached the cloud');
    }
    const remote: number[] = [];
    for (let i = 0; i < TICKETS; i += 1) {
      const t = performance.now();
      const res = await http(urlB, 'POST', `/api/v1/connections/${connectionId}/orders`, {
        token,
        payload: {
          request_key: `bench-ticket-${i}-${unique()}`,
          intent: {
            operation: 'open_market',
            input: { symbol: 'EURUSD', side: i % 2 === 0 ? 'buy' : 'sell', volume: 0.01 },
          },
        },
      });
      remote.push(performance.now() - t);
      if (res.statusCode !== 200 || !(res.json() as { result: { ok: boolean } }).result.ok) {
        throw new Error(`ticket ${i}: ${res.statusCode} ${res.body}`);
      }
    }
    const local: number[] = [];
    for (let i = 0; i < TICKETS; i += 1) {
      const t = performance.now();
      const result = await sim.services.executor.openMarket({
        symbol: 'EURUSD',
        side: i % 2 === 0 ? 'buy' : 'sell',
        volume: 0.01,
        requestKey: `bench-local-${i}-${unique()}`,
      });
      local.push(performance.now() - t);
      if (!result.ok) throw new Error(`local order ${i}: ${result.code}`);
    }
    remote.sort((x, y) => x - y);
    local.sort((x, y) => x - y);
    const p50 = pct(remote, 50);
    const p95 = pct(remote, 95);
    console.log(
      `remote ticket round trip (portal → B → Redis → A → desktop → simulator → back), ${TICKETS} tickets: ` +
        `median ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms; target p95 < ${TARGET_P95_MS} ms ${check('remote ticket round trip p95', `${p95.toFixed(1)} ms`, `< ${TARGET_P95_MS} ms`, p95 < TARGET_P95_MS)}`,
    );
    console.log(
      `  baseline same order at the desktop executor: median ${pct(local, 50).toFixed(1)} ms, p95 ${pct(local, 95).toFixed(1)} ms; ` +
        `cloud path adds ${(p50 - pct(local, 50)).toFixed(1)} ms at the median (×${(p50 / pct(local, 50)).toFixed(1)})`,
    );
  } finally {
    sync.close();
    await sim.close();
    await a.close();
    await b.close();
    await db.drop();
    dirA.remove();
    dirB.remove();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await run();
