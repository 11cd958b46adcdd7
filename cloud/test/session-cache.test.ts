import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResult } from '../../src-core/contracts/cloud-api';
import { LIMIT_NAMES } from '../src/context';
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
 * Instances remember live sessions between requests (security/session-gate.ts). These tests run several real
 * instances on one PostgreSQL database: a session ended on one must be refused by the others at their very next
 * request, with Redis up, emptied, or away.
 */
describe('session checks across instances (PostgreSQL + Redis)', () => {
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
  /** On the test Redis too, listening, with a short keep-alive: its live streams re-check their session. */
  let e: FastifyInstance;

  const call = (
    app: FastifyInstance,
    args: { method?: 'GET' | 'POST' | 'DELETE'; url: string; body?: unknown; token?: string },
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method: args.method ?? 'GET',
      url: args.url,
      ...(args.body === undefined ? {} : { payload: args.body as object }),
      headers: args.token === undefined ? {} : bearer(args.token),
    });

  const list = async (app: FastifyInstance, token: string): Promise<number> =>
    (await call(app, { url: '/api/v1/connections', token })).statusCode;

  async function register(app: FastifyInstance): Promise<AuthResult> {
    const response = await call(app, {
      method: 'POST',
      url: '/api/v1/auth/register',
      body: { email: `user-${unique()}@example.com`, password: PASSWORD },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<AuthResult>();
  }

  async function signIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<AuthResult> {
    const response = await call(app, {
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email, password },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AuthResult>();
  }

  /** Ends a session in the database only, as no route does: shows whether an instance still asks it. */
  async function revokeInDatabaseOnly(sessionId: string): Promise<void> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`update sessions set revoked_at = $1, revoked_reason = 'logout' where id = $2`, [
      Date.now(),
      sessionId,
    ]);
    await client.end();
  }

  /** Waits for the instance's own report that its Redis is reachable again (reconnects back off up to 2 s). */
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
    const options = (redisUrl: string, keyPrefix: string) => ({
      config: testConfig({
        dataDir: dir.path,
        databaseUrl: db.url,
        smtpUrl: smtp.url,
        redisUrl,
        redisKeyPrefix: keyPrefix,
      }),
      forgotPasswordFloorMs: 0,
      limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, { limit: 100_000 }])),
      portalDist: `${dir.path}/no-portal`,
    });
    a = await buildTestApp(options(REDIS_URL, prefix));
    b = await buildTestApp({ ...options(REDIS_URL, prefix), migrate: false });
    c = await buildTestApp({ ...options(spareRedis.url, prefix), migrate: false });
    d = await buildTestApp({ ...options(spareRedis.url, prefix), migrate: false });
    e = await buildTestApp({
      ...options(REDIS_URL, prefix),
      migrate: false,
      sync: { keepAliveMs: 50 },
    });
    await e.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const app of [a, b, c, d, e]) await app.close();
    await spareRedis.stop();
    await smtp.close();
    await db.drop();
    dir.remove();
  });

  it('answers from memory once a session is known (a database-only change is not seen), so marks matter', async () => {
    const user = await register(a);
    // Twice: the very first read in a fresh Redis also sets the cache generation, and remembers nothing.
    expect(await list(b, user.tokens.access_token)).toBe(200);
    expect(await list(b, user.tokens.access_token)).toBe(200);
    await revokeInDatabaseOnly(user.tokens.session_id);
    // Remembered: without the mark every revocation route writes, B would not know.
    expect(await list(b, user.tokens.access_token)).toBe(200);
    // An instance that never saw the session reads the database.
    const fresh = await signIn(a, user.user.email);
    await revokeInDatabaseOnly(fresh.tokens.session_id);
    expect(await list(b, fresh.tokens.access_token)).toBe(401);
  });

  it('refuses a logged-out session on the other instance at its next request', async () => {
    const user = await register(a);
    expect(await list(b, user.tokens.access_token)).toBe(200);
    expect(await list(b, user.tokens.access_token)).toBe(200);
    const out = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/logout',
      token: user.tokens.access_token,
    });
    expect(out.statusCode, out.body).toBe(200);
    expect(await list(b, user.tokens.access_token)).toBe(401);
    expect(await list(a, user.tokens.access_token)).toBe(401);
  });

  it('refuses a session ended from the sessions list, and only that one', async () => {
    const owner = await register(a);
    const phone = await signIn(a, owner.user.email);
    expect(await list(b, phone.tokens.access_token)).toBe(200);
    expect(await list(b, owner.tokens.access_token)).toBe(200);
    const ended = await call(a, {
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${phone.tokens.session_id}`,
      token: owner.tokens.access_token,
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(await list(b, phone.tokens.access_token)).toBe(401);
    expect(await list(b, owner.tokens.access_token)).toBe(200);
  });

  it("cannot end another user's session by its id (no mark without ownership)", async () => {
    const victim = await register(a);
    const other = await register(a);
    expect(await list(b, victim.tokens.access_token)).toBe(200);
    const tried = await call(a, {
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${victim.tokens.session_id}`,
      token: other.tokens.access_token,
    });
    expect(tried.statusCode).toBe(404);
    expect(await list(b, victim.tokens.access_token)).toBe(200);
    expect(await list(a, victim.tokens.access_token)).toBe(200);
  });

  it('refuses the other sessions after a password change, and keeps the one that made it', async () => {
    const owner = await register(a);
    const laptop = await signIn(a, owner.user.email);
    expect(await list(b, laptop.tokens.access_token)).toBe(200);
    expect(await list(b, owner.tokens.access_token)).toBe(200);
    const changed = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/change-password',
      token: owner.tokens.access_token,
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await list(b, laptop.tokens.access_token)).toBe(401);
    expect(await list(b, owner.tokens.access_token)).toBe(200);
  });

  it('refuses every session after a password reset', async () => {
    const victim = await register(a);
    const attacker = await signIn(a, victim.user.email);
    for (const token of [victim.tokens.access_token, attacker.tokens.access_token]) {
      expect(await list(b, token)).toBe(200);
    }
    await call(a, {
      method: 'POST',
      url: '/api/v1/auth/forgot-password',
      body: { email: victim.user.email },
    });
    const mail = await smtp.waitFor((m) => m.to.includes(victim.user.email) && /Reset/.test(m.subject));
    const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? '';
    const reset = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/reset-password',
      body: { token, new_password: NEW_PASSWORD },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(await list(b, attacker.tokens.access_token)).toBe(401);
    expect(await list(b, victim.tokens.access_token)).toBe(401);
  });

  it("ends a live stream on the other instance at its next keep-alive after logout (the request's early read is not reused)", async () => {
    const user = await register(a);
    const token = user.tokens.access_token;
    const created = await call(a, {
      method: 'POST',
      url: '/api/v1/connections',
      body: { name: 'Live', broker_server: 'Demo-Server', account_login: '7' },
      token,
    });
    expect(created.statusCode, created.body).toBe(201);
    // Known to E first, so the stream's own request carries its session read with the rate limit.
    expect(await list(e, token)).toBe(200);
    const address = e.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const response = await fetch(
      `http://127.0.0.1:${address.port}/api/v1/connections/${created.json<{ id: string }>().id}/events`,
      { headers: bearer(token) },
    );
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    const out = await call(a, { method: 'POST', url: '/api/v1/auth/logout', token });
    expect(out.statusCode, out.body).toBe(200);
    // The stream ends (done) rather than keeping alive for a session that was ended.
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
    }
  });

  it('reads the database again when Redis lost its data (marks gone with it)', async () => {
    const user = await register(a);
    expect(await list(b, user.tokens.access_token)).toBe(200);
    await revokeInDatabaseOnly(user.tokens.session_id);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}sessions:*`);
    expect(keys.length).toBeGreaterThan(0);
    // What a Redis restarted without persistence looks like to the instances.
    await redis.del(...keys);
    await redis.quit();
    expect(await list(b, user.tokens.access_token)).toBe(401);
  });

  it('with Redis away: a revocation does not happen (503), and instances fall back to the database', async () => {
    const kept = await register(c);
    const ended = await register(c);
    expect(await list(d, kept.tokens.access_token)).toBe(200);
    expect(await list(d, ended.tokens.access_token)).toBe(200);
    await spareRedis.stop();

    const refused = await call(c, {
      method: 'POST',
      url: '/api/v1/auth/logout',
      token: kept.tokens.access_token,
    });
    expect(refused.statusCode, refused.body).toBe(503);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('service_unavailable');
    // Nothing changed: the session still works wherever the database is asked.
    expect(await list(a, kept.tokens.access_token)).toBe(200);
    expect(await list(d, kept.tokens.access_token)).toBe(200);

    // Ended through an instance that reaches its Redis: D cannot read marks, so it asks the database.
    const out = await call(a, {
      method: 'POST',
      url: '/api/v1/auth/logout',
      token: ended.tokens.access_token,
    });
    expect(out.statusCode).toBe(200);
    expect(await list(d, ended.tokens.access_token)).toBe(401);

    // Back, but empty: the lost generation makes D read the database rather than trust what it remembered.
    await revokeInDatabaseOnly(kept.tokens.session_id);
    await spareRedis.start();
    await untilRedisIsBack(d);
    expect(await list(d, kept.tokens.access_token)).toBe(401);
  });
});
