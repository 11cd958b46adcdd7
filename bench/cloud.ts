// Cloud service figures (docs/operations.md): HTTP throughput on PostgreSQL + Redis (the authenticated route with
// and without remembered tokens, sessions and connection lists), limiter overhead on Redis, argon2 logins, and 2,000 connector sockets. The server runs in a child process so autocannon and the sockets' client side do
// not share its event loop. Everything binds 127.0.0.1. Run alone: `npx tsx bench/cloud.ts`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { build } from '../cloud/src/app';
import { ManualClock } from '../cloud/src/clock';
import { LIMIT_NAMES } from '../cloud/src/context';
import { newId } from '../cloud/src/security/crypto';
import { DEFAULT_ARGON2, PasswordHasher } from '../cloud/src/security/passwords';
import { MemoryWindow, RateLimiter, type LimitRule } from '../cloud/src/security/rate-limiter';
import { check } from './_targets';

const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const SERVE_FLAG = '--pipdesk-cloud-bench-serve';
const SOCKETS = 2_000;
const PASSWORD = 'benchmark passphrase 2026';

interface ServerInfo {
  readonly port: number;
  readonly pid: number;
}

const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const rssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
};

/** Child mode: build the app on the given database and print the port. */
async function serve(): Promise<void> {
  const dataDir = process.env['BENCH_DATA_DIR'] ?? tmpdir();
  const app = await build({
    config: {
      env: 'production',
      port: 0,
      host: '127.0.0.1',
      databaseUrl: process.env['BENCH_DATABASE_URL'] ?? '',
      dataDir,
      redisUrl: process.env['BENCH_REDIS_URL'],
      redisKeyPrefix: process.env['BENCH_REDIS_PREFIX'] ?? 'bench:',
      smtpUrl: undefined,
      mailFrom: 'bench@pipdesk.local',
      publicUrl: 'http://127.0.0.1',
      jwtSecret: 'bench-secret-bench-secret-bench-secret-0123',
      totpSealingKey: 'bench-totp-sealing-key-bench-totp-sealing-key',
      accessTokenTtlSec: 3600,
      refreshTokenTtlSec: 86_400,
      trustProxyHops: 0,
      bodyLimit: 65_536,
      hashConcurrency: 4,
      logLevel: 'silent',
      metricsPort: 0,
      metricsHost: '127.0.0.1',
    },
    // Every request comes from 127.0.0.1 here: lift the limits so they measure the service, not the limiter.
    limits: Object.fromEntries(LIMIT_NAMES.map((n) => [n, { limit: 10_000_000 }])),
    authCache: process.env['BENCH_AUTH_CACHE'] !== '0',
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  // A clean exit on SIGTERM, so `--cpu-prof` (BENCH_CPU_PROF) writes its profile.
  process.once('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  process.stdout.write(`${JSON.stringify({ port: address.port, pid: process.pid })}\n`);
}

async function startServer(
  databaseUrl: string,
  dataDir: string,
  redisPrefix: string,
  isAuthCached: boolean,
): Promise<{ info: ServerInfo; child: ChildProcess }> {
  // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there (200 µs samples) when the bench ends.
  const profileDir = process.env['BENCH_CPU_PROF'];
  const profile =
    profileDir === undefined
      ? []
      : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '200'];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', fileURLToPath(import.meta.url), SERVE_FLAG],
    {
      env: {
        ...process.env,
        BENCH_DATABASE_URL: databaseUrl,
        BENCH_DATA_DIR: dataDir,
        // Several instances on PostgreSQL share Redis (limits, relays, session marks): measured as deployed.
        BENCH_REDIS_URL: REDIS_URL,
        BENCH_REDIS_PREFIX: redisPrefix,
        BENCH_AUTH_CACHE: isAuthCached ? '1' : '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    lines.once('line', (line) => {
      resolve(JSON.parse(line) as ServerInfo);
    });
    child.once('exit', (code) => {
      reject(new Error(`bench server exited with ${code}`));
    });
  });
  return { info, child };
}

/** CPU time (user + system) of a process in ms, from /proc (clock ticks of 10 ms). */
const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/**
 * Runs autocannon and measures the server's CPU per request: on a shared, loaded machine req/s says more about
 * the neighbours than about the service, while CPU per request projects what one idle core would carry.
 */
async function cannon(
  pid: number,
  options: autocannon.Options,
): Promise<autocannon.Result & { cpuPerRequestMs: number; projected: number }> {
  const before = cpuMs(pid);
  const result = await autocannon({ duration: 3, connections: 32, ...options });
  const perRequest = (cpuMs(pid) - before) / Math.max(1, result.requests.total);
  return { ...result, cpuPerRequestMs: perRequest, projected: 1000 / perRequest };
}

async function httpJson<T>(port: number, path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function limiterPhase(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: false,
  });
  await new Promise<void>((resolve) =>
    redis.once('ready', () => {
      resolve();
    }),
  );
  const silent = { info: () => undefined, warn: () => undefined } as unknown as ConstructorParameters<
    typeof RateLimiter
  >[3];
  const prefix = `bench:${newId()}:`;
  const limiter = new RateLimiter(redis, prefix, new ManualClock(), silent);
  const memory = new MemoryWindow(new ManualClock());
  const rule: LimitRule = { name: 'bench', limit: 1_000_000, windowMs: 60_000 };
  const runs = 3_000;
  const time = async (fn: (i: number) => Promise<unknown>): Promise<number[]> => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const t = performance.now();
      await fn(i);
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b);
  };
  await time((i) => limiter.hit(rule, `warm-${i % 50}`));
  const ping = await time(() => redis.ping());
  const hits = await time((i) => limiter.hit(rule, `key-${i % 100}`));
  const mem = await time((i) => Promise.resolve(memory.hit(`key-${i % 100}`, rule)));
  console.log(
    `limiter (Redis Lua, ${runs} sequential hits): p50 ${fmt(pct(hits, 50), 3)} ms, p99 ${fmt(pct(hits, 99), 3)} ms ` +
      `(target p99 <= 1 ms) ${check('rate limiter hit p99', `${pct(hits, 99).toFixed(3)} ms`, '≤ 1 ms', pct(hits, 99) <= 1)}`,
  );
  console.log(
    `  baseline: Redis PING p99 ${fmt(pct(ping, 99), 3)} ms (script/PING ${fmt(pct(hits, 99) / pct(ping, 99), 2)}x); ` +
      `in-memory window p99 ${fmt(pct(mem, 99), 4)} ms`,
  );
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

async function socketsPhase(
  port: number,
  pid: number,
  databaseUrl: string,
  token: string,
  userId: string,
): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const ids = Array.from({ length: SOCKETS }, () => newId());
  const now = Date.now();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const values = chunk.map(
      (_, j) => `($${j * 2 + 1}, $${j * 2 + 2}, 'bench', 'mt5', 'Bench-Server', '1', ${now}, ${now})`,
    );
    await db.query(
      `insert into connections (id, user_id, name, platform, broker_server, account_login, created_at, updated_at) values ${values.join(',')}`,
      chunk.flatMap((id) => [id, userId]),
    );
  }
  await db.end();

  const rssBefore = rssMb(pid);
  const sockets: WebSocket[] = [];
  const opened = performance.now();
  for (let i = 0; i < ids.length; i += 200) {
    await Promise.all(
      ids.slice(i, i + 200).map(
        (id) =>
          new Promise<void>((resolve, reject) => {
            const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/connector?connection_id=${id}`, {
              headers: { authorization: `Bearer ${token}` },
            });
            socket.once('message', () => {
              resolve();
            });
            socket.once('close', (code) => {
              reject(new Error(`socket closed ${code}`));
            });
            socket.once('error', reject);
            sockets.push(socket);
          }),
      ),
    );
  }
  const openSeconds = (performance.now() - opened) / 1000;
  const rssAfter = rssMb(pid);

  // Heartbeats spread over two seconds (each socket pings once), as a fleet of connectors would.
  const rtts: number[] = [];
  await Promise.all(
    sockets.map(
      (socket, i) =>
        new Promise<void>((resolve) => {
          setTimeout(
            () => {
              const sent = performance.now();
              socket.once('message', () => {
                rtts.push(performance.now() - sent);
                resolve();
              });
              socket.send(JSON.stringify({ type: 'ping', id: `p${i}` }));
            },
            (i / sockets.length) * 2_000,
          );
        }),
    ),
  );
  rtts.sort((a, b) => a - b);
  console.log(
    `connector sockets: ${sockets.length} open in ${fmt(openSeconds)} s (auth + ownership check each); server RSS ` +
      `${fmt(rssAfter, 0)} MB (target < 400 MB) ${check('RSS with the sockets open', `${fmt(rssAfter, 0)} MB`, '< 400 MB', rssAfter < 400)}; baseline before sockets ${fmt(rssBefore, 0)} MB, ` +
      `${fmt(((rssAfter - rssBefore) * 1024) / sockets.length)} KB per socket`,
  );
  console.log(
    `heartbeat round trip (${rtts.length} pings over 2 s): p50 ${fmt(pct(rtts, 50), 2)} ms, p99 ${fmt(pct(rtts, 99), 2)} ms ` +
      `(target p99 < 50 ms) ${check('heartbeat round trip p99', `${pct(rtts, 99).toFixed(1)} ms`, '< 50 ms', pct(rtts, 99) < 50)}`,
  );
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => {
            resolve();
          });
          socket.close(1000);
        }),
    ),
  );
}

/** Runs every phase and prints each figure beside its target. */
export async function run(): Promise<void> {
  const name = `pipdesk_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-bench-cloud-'));
  const redisPrefix = `bench:${newId()}:`;
  const { info, child } = await startServer(databaseUrl, dataDir, redisPrefix, true);
  // The same service with verified tokens, live sessions and lists not remembered: the "before" of the same run.
  const uncached = await startServer(databaseUrl, dataDir, redisPrefix, false);
  // Figures depend on what else runs on the box: print the load so a reader can judge them.
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
  try {
    const { port, pid } = info;
    const email = `bench-${Date.now()}@example.com`;
    const registered = await httpJson<{ user: { id: string }; tokens: { access_token: string } }>(
      port,
      '/api/v1/auth/register',
      { email, password: PASSWORD },
    );
    const token = registered.tokens.access_token;
    for (let i = 0; i < 5; i += 1) {
      await httpJson(
        port,
        '/api/v1/connections',
        { name: `Account ${i}`, broker_server: 'Bench-Live', account_login: `${1000 + i}` },
        token,
      );
    }

    const health = await cannon(pid, { url: `http://127.0.0.1:${port}/healthz` });
    console.log(
      `GET /healthz: ${fmt(health.requests.average, 0)} req/s, p99 ${health.latency.p99} ms ` +
        `(target >= 3000 req/s, p99 < 50 ms) ${check('GET /healthz', `${fmt(health.requests.average, 0)} req/s, p99 ${health.latency.p99} ms`, '≥ 3000 req/s, p99 < 50 ms', health.requests.average >= 3000 && health.latency.p99 < 50)}` +
        `; errors ${health.errors + health.non2xx}`,
    );
    console.log(
      `  server CPU ${fmt(health.cpuPerRequestMs, 3)} ms/request → about ${fmt(health.projected, 0)} req/s per idle core`,
    );
    // Before and after in one run, and /healthz measured before and after both: the machine is shared, so the
    // ratio to /healthz says more than req/s alone.
    const before = await cannon(uncached.info.pid, {
      url: `http://127.0.0.1:${uncached.info.port}/api/v1/connections`,
      headers: { authorization: `Bearer ${token}` },
    });
    const list = await cannon(pid, {
      url: `http://127.0.0.1:${port}/api/v1/connections`,
      headers: { authorization: `Bearer ${token}` },
    });
    const healthAfter = await cannon(pid, { url: `http://127.0.0.1:${port}/healthz` });
    const healthRate = (health.requests.average + healthAfter.requests.average) / 2;
    console.log(
      `GET /api/v1/connections, tokens, sessions and lists not remembered (JWT verify + session query + query each ` +
        `request): ${fmt(before.requests.average, 0)} req/s, p99 ${before.latency.p99} ms; ` +
        `${fmt(before.requests.average / healthRate, 2)}x /healthz; server CPU ${fmt(before.cpuPerRequestMs, 3)} ms/request` +
        `; errors ${before.errors + before.non2xx}`,
    );
    console.log(
      `GET /api/v1/connections (JWT + session check + remembered list confirmed by Redis, PostgreSQL + Redis): ${fmt(list.requests.average, 0)} req/s, ` +
        `p99 ${list.latency.p99} ms (target >= 3000 req/s, p99 < 50 ms) ` +
        `${check('GET /api/v1/connections', `${fmt(list.requests.average, 0)} req/s, p99 ${list.latency.p99} ms`, '≥ 3000 req/s, p99 < 50 ms', list.requests.average >= 3000 && list.latency.p99 < 50)}; ${fmt(list.requests.average / healthRate, 2)}x /healthz` +
        ` (${fmt(list.requests.average / Math.max(1, before.requests.average), 2)}x not remembered)` +
        `; errors ${list.errors + list.non2xx}`,
    );
    console.log(
      `  server CPU ${fmt(list.cpuPerRequestMs, 3)} ms/request → about ${fmt(list.projected, 0)} req/s per idle core ` +
        `(PostgreSQL's and Redis's own CPU not included); /healthz after: ${fmt(healthAfter.requests.average, 0)} req/s`,
    );

    await limiterPhase();

    await socketsPhase(port, pid, databaseUrl, token, registered.user.id);

    const hasher = new PasswordHasher(DEFAULT_ARGON2);
    await hasher.hash('warm up');
    const hashStarted = performance.now();
    for (let i = 0; i < 3; i += 1) await hasher.hash(`measure ${i}`);
    const hashMs = (performance.now() - hashStarted) / 3;
    const logins = await cannon(pid, {
      url: `http://127.0.0.1:${port}/api/v1/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
      connections: 8,
      duration: 5,
    });
    const loginRate = logins.requests.total / logins.duration;
    const expected = cpus().length / (hashMs / 1000);
    console.log(
      `logins (argon2id m=65536,t=3,p=4): ${fmt(loginRate)} /s, p99 ${logins.latency.p99} ms; hash time ` +
        `${fmt(hashMs, 0)} ms, expected about cores / hash time = ${fmt(expected)} /s (ratio ${fmt(loginRate / expected, 2)})` +
        `; errors ${logins.errors + logins.non2xx}`,
    );
  } finally {
    for (const server of [child, uncached.child]) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
    const cleanup = new pg.Client({ connectionString: PG_ADMIN });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  }
}

if (process.argv.includes(SERVE_FLAG)) {
  await serve();
} else if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  await run();
}
