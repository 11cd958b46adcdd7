import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResult, Connection, ConnectionList } from '../../src-core/contracts/cloud-api';
import { LIMIT_NAMES } from '../src/context';
import { WRITING_TTL_MS } from '../src/routes/connections/list-cache';
import {
  REDIS_URL,
  SpareRedis,
  bearer,
  buildTestApp,
  createTestDatabase,
  freePort,
  startSmtp,
  tempDir,
  testConfig,
  unique,
} from './helpers';

const PASSWORD = 'violet tangerine harbour';
const NEW_PASSWORD = 'quiet meadow lantern 42';

/**
 * Instances remember each user's connection list (routes/connections/list-cache.ts). These tests run real
 * instances on one PostgreSQL database and Redis: a change made through one must be in the very next list
 * any other instance answers, and a list must never be served from memory without Redis confirming it.
 */
describe('connection lists across instances (PostgreSQL + Redis)', () => {
  const dir = tempDir();
  const prefix = `pipdesk-test:${unique()}:`;
  let spareRedis: SpareRedis;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  /** Two instances sharing the test Redis. */
  let a: FastifyInstance;
  let b: FastifyInstance;
  /** Two instances sharing a Redis the test stops and starts. */
  let c: FastifyInstance;
  let d: FastifyInstance;

  const call = (
    app: FastifyInstance,
    args: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: unknown; token?: string },
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method: args.method ?? 'GET',
      url: args.url,
      ...(args.body === undefined ? {} : { payload: args.body as object }),
      headers: args.token === undefined ? {} : bearer(args.token),
    });

  /** The names in the caller's list, as the instance answers it. */
  async function names(app: FastifyInstance, token: string): Promise<string[]> {
    const response = await call(app, { url: '/api/v1/connections', token });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    return response.json<ConnectionList>().connections.map((c) => c.name);
  }

  /**
   * Asks enough times that the instance remembers the list: the first request verifies the token, the second
   * may start the user's version, the third reads the database under it.
   */
  async function warm(app: FastifyInstance, token: string): Promise<string[]> {
    await names(app, token);
    await names(app, token);
    return names(app, token);
  }

  async function register(app: FastifyInstance): Promise<AuthResult> {
    const response = await call(app, {
      method: 'POST',
      url: '/api/v1/auth/register',
      body: { email: `user-${unique()}@example.com`, password: PASSWORD },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<AuthResult>();
  }

  async function create(app: FastifyInstance, token: string, name: string): Promise<LightMyRequestResponse> {
    return call(app, {
      method: 'POST',
      url: '/api/v1/connections',
      token,
      body: { name, broker_server: 'Demo-Server', account_login: String(Math.floor(Math.random() * 1e6)) },
    });
  }

  async function sql(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  /** Adds a connection in the database only, as no route does: shows whether an instance still asks it. */
  async function insertInDatabaseOnly(userId: string, name: string): Promise<void> {
    const now = Date.now();
    await sql(
      `insert into connections (id, user_id, name, platform, broker_server, account_login, created_at, updated_at)
       values ($1, $2, $3, 'mt5', 'Demo-Server', '1', $4, $4)`,
      [`db-only-${unique()}`, userId, name, now],
    );
  }

  async function untilRedisIsBack(app: FastifyInstance): Promise<void> {
    for (;;) {
      const ready = await call(app, { url: '/readyz' });
      if (ready.json<{ redis: string }>().redis === 'up') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    spareRedis = new SpareRedis(await freePort());
    await spareRedis.start();
    smtp = await startSmtp();
    db = await createTestDatabase('postgres', dir.path);
    const options = (redisUrl: string) => ({
      config: testConfig({
        dataDir: dir.path,
        databaseUrl: db.url,
        smtpUrl: smtp.url,
        redisUrl,
        redisKeyPrefix: prefix,
      }),
      forgotPasswordFloorMs: 0,
      limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, { limit: 100_000 }])),
      portalDist: `${dir.path}/no-portal`,
    });
    a = await buildTestApp(options(REDIS_URL));
    b = await buildTestApp({ ...options(REDIS_URL), migrate: false });
    c = await buildTestApp({ ...options(spareRedis.url), migrate: false });
    d = await buildTestApp({ ...options(spareRedis.url), migrate: false });
  });

  afterAll(async () => {
    for (const app of [a, b, c, d]) await app.close();
    await spareRedis.stop();
    await smtp.close();
    await db.drop();
    dir.remove();
  });

  it('answers a remembered list without the database (a database-only change is not seen), so versions matter', async () => {
    const user = await register(a);
    const token = user.tokens.access_token;
    expect((await create(a, token, 'First')).statusCode).toBe(201);
    expect(await warm(b, token)).toEqual(['First']);
    await insertInDatabaseOnly(user.user.id, 'Behind its back');
    // Remembered: without the version every change through the API sets, B would not know.
    expect(await names(b, token)).toEqual(['First']);
    // An instance that has not remembered it reads the database.
    expect(await names(a, token)).toEqual(['First', 'Behind its back']);
  });

  it('shows a connection created, renamed or deleted on A in the very next list on B', async () => {
    const user = await register(a);
    const token = user.tokens.access_token;
    expect(await warm(b, token)).toEqual([]);

    const created = await create(a, token, 'Live account');
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<Connection>().id;
    expect(await names(b, token)).toEqual(['Live account']);
    expect(await names(b, token)).toEqual(['Live account']);

    const renamed = await call(a, {
      method: 'PATCH',
      url: `/api/v1/connections/${id}`,
      token,
      body: { name: 'Renamed' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await names(b, token)).toEqual(['Renamed']);
    expect(await names(b, token)).toEqual(['Renamed']);

    const deleted = await call(a, { method: 'DELETE', url: `/api/v1/connections/${id}`, token });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(await names(b, token)).toEqual([]);
    // And B's own changes reach A the same way.
    expect(await warm(a, token)).toEqual([]);
    expect((await create(b, token, 'From B')).statusCode).toBe(201);
    expect(await names(a, token)).toEqual(['From B']);
  });

  it("never answers one user's remembered list to another, and another user's attempts change nothing", async () => {
    const owner = await register(a);
    const other = await register(a);
    const made = await create(a, owner.tokens.access_token, "Owner's");
    const id = made.json<Connection>().id;
    expect(await warm(b, owner.tokens.access_token)).toEqual(["Owner's"]);
    expect(await warm(b, other.tokens.access_token)).toEqual([]);
    for (const attempt of [
      call(a, {
        method: 'PATCH',
        url: `/api/v1/connections/${id}`,
        token: other.tokens.access_token,
        body: { name: 'Taken' },
      }),
      call(a, { method: 'DELETE', url: `/api/v1/connections/${id}`, token: other.tokens.access_token }),
    ]) {
      expect((await attempt).statusCode).toBe(404);
    }
    expect(await names(b, owner.tokens.access_token)).toEqual(["Owner's"]);
    expect(await names(b, other.tokens.access_token)).toEqual([]);
  });

  it('refuses a remembered list at once on B after logout, a password change or a reset on A', async () => {
    const user = await register(a);
    const laptop = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: user.user.email, password: PASSWORD },
    });
    const laptopToken = laptop.json<AuthResult>().tokens.access_token;
    const phone = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: user.user.email, password: PASSWORD },
    });
    const phoneToken = phone.json<AuthResult>().tokens.access_token;
    await create(a, user.tokens.access_token, 'Shared');
    for (const token of [user.tokens.access_token, laptopToken, phoneToken]) {
      expect(await warm(b, token)).toEqual(['Shared']);
    }

    const out = await call(a, { method: 'POST', url: '/api/v1/auth/logout', token: phoneToken });
    expect(out.statusCode, out.body).toBe(200);
    expect((await call(b, { url: '/api/v1/connections', token: phoneToken })).statusCode).toBe(401);

    const changed = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/change-password',
      token: user.tokens.access_token,
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await call(b, { url: '/api/v1/connections', token: laptopToken })).statusCode).toBe(401);
    expect(await names(b, user.tokens.access_token)).toEqual(['Shared']);

    await call(a, { method: 'POST', url: '/api/v1/auth/forgot-password', body: { email: user.user.email } });
    const mail = await smtp.waitFor((m) => m.to.includes(user.user.email) && /Reset/.test(m.subject));
    const resetToken = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? '';
    const reset = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/reset-password',
      body: { token: resetToken, new_password: 'amber willow crossing 7' },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await call(b, { url: '/api/v1/connections', token: user.tokens.access_token })).statusCode).toBe(
      401,
    );
  });

  it('reads the database while a write is in flight (a writer that died mid-change), and again when Redis lost the version', async () => {
    const user = await register(a);
    const token = user.tokens.access_token;
    expect(await warm(b, token)).toEqual([]);
    const redis = new Redis(REDIS_URL);
    try {
      // What a writer leaves when it stops between opening its bracket (a new version, one write in flight)
      // and closing it, its change committed.
      const writing = `${prefix}connections:writing:${user.user.id}`;
      await redis
        .multi()
        .incr(writing)
        .pexpire(writing, WRITING_TTL_MS)
        .set(`${prefix}connections:version:${user.user.id}`, 'opened-by-a-writer-that-died')
        .exec();
      await insertInDatabaseOnly(user.user.id, 'Mid-change');
      expect(await names(b, token)).toEqual(['Mid-change']);
      expect(await names(b, token)).toEqual(['Mid-change']);
      // Its count expires: the lists remembered from then on are read after its change.
      await redis.del(writing);
      expect(await warm(b, token)).toEqual(['Mid-change']);
      expect(await names(b, token)).toEqual(['Mid-change']);

      // What a Redis restarted without persistence looks like: the version is gone with everything else.
      await redis.del(`${prefix}connections:version:${user.user.id}`);
      await insertInDatabaseOnly(user.user.id, 'After the flush');
      expect(await names(b, token)).toEqual(['Mid-change', 'After the flush']);
    } finally {
      await redis.quit();
    }
  });

  it('with Redis away: a change does not happen (503), and lists come from the database until it is back', async () => {
    const user = await register(c);
    const token = user.tokens.access_token;
    expect((await create(c, token, 'Before')).statusCode).toBe(201);
    expect(await warm(d, token)).toEqual(['Before']);
    await spareRedis.stop();

    const refused = await create(c, token, 'While away');
    expect(refused.statusCode, refused.body).toBe(503);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('service_unavailable');
    const stored = await sql('select name from connections where user_id = $1', [user.user.id]);
    expect(stored.rows.map((r: { name: string }) => r.name)).toEqual(['Before']);

    // No version can be confirmed: D answers from the database, so a change it was not told about shows.
    await insertInDatabaseOnly(user.user.id, 'Seen without Redis');
    expect(await names(d, token)).toEqual(['Before', 'Seen without Redis']);

    // Back, but empty: the versions are gone, so nothing D remembered can match again.
    await insertInDatabaseOnly(user.user.id, 'After the restart');
    await spareRedis.start();
    await untilRedisIsBack(d);
    expect(await names(d, token)).toEqual(['Before', 'Seen without Redis', 'After the restart']);
    expect((await create(c, token, 'Back')).statusCode).toBe(201);
    expect(await names(d, token)).toContain('Back');
  });
});
