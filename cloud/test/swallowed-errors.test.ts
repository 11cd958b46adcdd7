import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readiness } from '../../src-core/contracts/cloud-api';
import { build } from '../src/app';
import { RedisRevocationRelay, type SocketRevocation } from '../src/connector/revocation';
import {
  buildTestApp,
  captureLog,
  createTestDatabase,
  FAST_ARGON2,
  freePort,
  PG_ADMIN_URL,
  SpareRedis,
  tempDir,
  testConfig,
  unique,
} from './helpers';

// Failures of PostgreSQL and Redis that used to vanish without a trace: each is logged, survived, retried
// where it can be, and visible in /readyz (docs/operations.md, "Probes").

/** A logger that keeps what it is told, for classes that take Fastify's logger. */
function memoryLogger(): { log: FastifyBaseLogger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]): void => {
      const msg = args.find((a): a is string => typeof a === 'string') ?? '';
      lines.push({ level, msg });
    };
  const log = {
    level: 'info',
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    trace: at('trace'),
    fatal: at('fatal'),
    silent: at('silent'),
    child: () => log,
  } as unknown as FastifyBaseLogger;
  return { log, lines };
}

async function until(predicate: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the revocation relay when SUBSCRIBE fails', () => {
  let redis: SpareRedis;
  let admin: Redis;

  beforeAll(async () => {
    redis = new SpareRedis(await freePort());
    await redis.start();
    admin = new Redis(redis.url);
  });

  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('logs the failure, retries, reports retrying, and receives revocations once it succeeds', async () => {
    // The default user may not subscribe: SUBSCRIBE answers NOPERM, as a misconfigured Redis would.
    await admin.call('ACL', 'SETUSER', 'default', '-subscribe');
    const { log, lines } = memoryLogger();
    const received: SocketRevocation[] = [];
    const relay = new RedisRevocationRelay(redis.url, `t:${unique()}:`, (r) => received.push(r), log, 50);
    try {
      await until(
        () => lines.filter((l) => /subscribe failed/.test(l.msg)).length >= 2,
        'two failed attempts',
      );
      expect(lines.find((l) => /subscribe failed/.test(l.msg))?.level).toBe('error');
      expect(relay.state).toBe('retrying');

      await admin.call('ACL', 'SETUSER', 'default', '+subscribe');
      await until(() => relay.state === 'subscribed', 'the retry to succeed');
      await relay.publish({ kind: 'sessions', session_ids: ['s-1'] });
      await until(() => received.length === 1, 'the revocation');
      expect(received[0]).toEqual({ kind: 'sessions', session_ids: ['s-1'] });
    } finally {
      await admin.call('ACL', 'SETUSER', 'default', '+subscribe');
      await relay.close();
    }
  });
});

describe('/readyz reports a missing revocation subscription', () => {
  const dir = tempDir();
  let redis: SpareRedis;
  let admin: Redis;
  let app: FastifyInstance;

  beforeAll(async () => {
    redis = new SpareRedis(await freePort());
    await redis.start();
    admin = new Redis(redis.url);
    app = await buildTestApp({
      config: testConfig({
        dataDir: dir.path,
        databaseUrl: `sqlite:${dir.path}/cloud.db`,
        redisUrl: redis.url,
      }),
    });
  });

  afterAll(async () => {
    await app.close();
    admin.disconnect();
    await redis.stop();
    dir.remove();
  });

  const ready = async (): Promise<Readiness> =>
    Readiness.parse((await app.inject({ url: '/readyz' })).json());

  it('says degraded while subscriptions fail, ready again once they hold', async () => {
    expect(await ready()).toMatchObject({ status: 'ready', revocations: 'subscribed', sync_bus: 'up' });
    await admin.call('ACL', 'SETUSER', 'default', '-subscribe');
    // Drop the subscriber connections: they reconnect and their SUBSCRIBE is now refused.
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await until(async () => (await ready()).revocations === 'retrying', 'readyz to show the failure');
    expect((await ready()).status).toBe('degraded');
    await admin.call('ACL', 'SETUSER', 'default', '+subscribe');
    await until(async () => (await ready()).status === 'ready', 'readyz to recover');
  });
});

describe('the PostgreSQL pool when an idle connection dies', () => {
  const dir = tempDir();
  const logs = captureLog();
  let app: FastifyInstance;
  let drop: () => Promise<void>;
  let dbName: string;

  beforeAll(async () => {
    const db = await createTestDatabase('postgres', dir.path);
    drop = db.drop;
    dbName = new URL(db.url).pathname.slice(1);
    app = await build({
      config: testConfig({ dataDir: dir.path, databaseUrl: db.url }),
      argon2: FAST_ARGON2,
      logger: { level: 'warn', stream: logs.stream },
    });
  });

  afterAll(async () => {
    await app.close();
    await drop();
    dir.remove();
  });

  it('logs it, counts it, and keeps answering', async () => {
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    await until(() => app.cloud.db.poolStats().idle > 0, 'an idle pooled connection');
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName]);
    await admin.end();
    const line = await logs.waitFor((l) => l.includes('idle PostgreSQL connection failed'));
    expect(JSON.parse(line)).toMatchObject({ level: 50 });
    expect(app.cloud.db.poolErrors()).toBeGreaterThan(0);
    expect((await app.inject({ url: '/readyz' })).json()).toMatchObject({ database: 'up' });
  });
});
