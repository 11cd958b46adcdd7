import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src-core/contracts/cloud-api';
import { LIMIT_NAMES, type LimitName } from '../src/context';
import { newId, tokenHash } from '../src/security/crypto';
import {
  buildTestApp,
  createTestDatabase,
  freePort,
  REDIS_URL,
  SpareRedis,
  tempDir,
  testConfig,
} from './helpers';

const PASSWORD = 'violet tangerine harbour';

/** Every limit high except the ones a test sets. */
const limits = (overrides: Partial<Record<LimitName, { limit: number; windowMs: number }>>) => ({
  ...Object.fromEntries(LIMIT_NAMES.map((n) => [n, { limit: 100_000 }])),
  ...overrides,
});

async function appWith(redisUrl: string | undefined, overrides: Parameters<typeof limits>[0]) {
  const dir = tempDir();
  const db = await createTestDatabase('sqlite', dir.path);
  const app = await buildTestApp({
    config: testConfig({ dataDir: dir.path, databaseUrl: db.url, redisUrl }),
    limits: limits(overrides),
  });
  return {
    app,
    close: async () => {
      await app.close();
      dir.remove();
    },
  };
}

const post = (app: FastifyInstance, url: string, body: object, ip = '10.0.0.1') =>
  app.inject({ method: 'POST', url, payload: body, remoteAddress: ip });

describe.each([
  ['Redis', REDIS_URL],
  ['memory', undefined],
])('rate limits (%s)', (_name, redisUrl) => {
  let app: FastifyInstance;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await appWith(redisUrl, {
      login_account: { limit: 3, windowMs: 60_000 },
      login_ip: { limit: 5, windowMs: 60_000 },
      register_ip: { limit: 2, windowMs: 60_000 },
      register_account: { limit: 2, windowMs: 60_000 },
      reset_account: { limit: 2, windowMs: 60_000 },
      forgot_account: { limit: 2, windowMs: 3_600_000 },
      reset_ip: { limit: 2, windowMs: 60_000 },
      totp_account: { limit: 2, windowMs: 60_000 },
      global_ip: { limit: 40, windowMs: 60_000 },
    }));
  });
  afterAll(() => close());

  it('limits login per account across addresses, with 429 and Retry-After', async () => {
    const email = 'target@example.com';
    for (let i = 0; i < 3; i += 1) {
      expect(
        (await post(app, '/api/v1/auth/login', { email, password: 'guess number x' }, `10.1.0.${i}`))
          .statusCode,
      ).toBe(401);
    }
    const limited = await post(
      app,
      '/api/v1/auth/login',
      { email: 'TARGET@example.com', password: 'guess' },
      '10.1.0.9',
    );
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json<ErrorBody>().error.code).toBe('rate_limited');
    const rows = await app.cloud.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('event', '=', 'auth.rate_limited')
      .execute();
    expect(rows.some((r) => r.ip === '10.1.0.9' && r.details?.includes('login_account') === true)).toBe(true);
  });

  it('limits login per address across accounts', async () => {
    const ip = '10.2.0.1';
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await post(app, '/api/v1/auth/login', { email: `u${i}@example.com`, password: 'x' }, ip)).statusCode,
      ).toBe(401);
    }
    expect(
      (await post(app, '/api/v1/auth/login', { email: 'u9@example.com', password: 'x' }, ip)).statusCode,
    ).toBe(429);
    expect(
      (await post(app, '/api/v1/auth/login', { email: 'u9@example.com', password: 'x' }, '10.2.0.2'))
        .statusCode,
    ).toBe(401);
  });

  it('limits register, forgot-password per account, and reset per address', async () => {
    const ip = '10.3.0.1';
    expect(
      (await post(app, '/api/v1/auth/register', { email: 'r1@example.com', password: PASSWORD }, ip))
        .statusCode,
    ).toBe(201);
    expect(
      (await post(app, '/api/v1/auth/register', { email: 'r2@example.com', password: PASSWORD }, ip))
        .statusCode,
    ).toBe(201);
    expect(
      (await post(app, '/api/v1/auth/register', { email: 'r3@example.com', password: PASSWORD }, ip))
        .statusCode,
    ).toBe(429);

    // The per-account budget counts unknown emails too, so a 429 says nothing about whether the account exists.
    for (const email of ['r1@example.com', 'nobody@example.com']) {
      expect((await post(app, '/api/v1/auth/forgot-password', { email }, '10.3.1.1')).statusCode).toBe(202);
      expect((await post(app, '/api/v1/auth/forgot-password', { email }, '10.3.1.2')).statusCode).toBe(202);
      const limited = await post(app, '/api/v1/auth/forgot-password', { email }, '10.3.1.3');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
    }

    const reset = { token: 'guessed-token', new_password: PASSWORD };
    expect((await post(app, '/api/v1/auth/reset-password', reset, '10.3.2.1')).statusCode).toBe(400);
    expect(
      (await post(app, '/api/v1/auth/reset-password', { ...reset, token: 'g2' }, '10.3.2.1')).statusCode,
    ).toBe(400);
    expect(
      (await post(app, '/api/v1/auth/reset-password', { ...reset, token: 'g3' }, '10.3.2.1')).statusCode,
    ).toBe(429);
  });

  it('limits register per email and reset per account across addresses', async () => {
    const email = 'twice@example.com';
    expect(
      (await post(app, '/api/v1/auth/register', { email, password: PASSWORD }, '10.6.0.1')).statusCode,
    ).toBe(201);
    expect(
      (await post(app, '/api/v1/auth/register', { email, password: PASSWORD }, '10.6.0.2')).statusCode,
    ).toBe(409);
    const third = await post(
      app,
      '/api/v1/auth/register',
      { email: 'TWICE@example.com', password: PASSWORD },
      '10.6.0.3',
    );
    expect(third.statusCode).toBe(429);

    const user = await app.cloud.db.kysely
      .selectFrom('users')
      .select('id')
      .where('email_normalized', '=', email)
      .executeTakeFirstOrThrow();
    const now = Date.now();
    for (const token of ['link-one', 'link-two', 'link-three']) {
      await app.cloud.db.kysely
        .insertInto('password_resets')
        .values({
          id: newId(),
          user_id: user.id,
          token_hash: tokenHash(token),
          created_at: now,
          expires_at: now + 3_600_000,
          used_at: null,
          voided_at: null,
        })
        .execute();
    }
    // A refused password does not spend the link, but each attempt counts against the account.
    const weak = (token: string, ip: string) =>
      post(app, '/api/v1/auth/reset-password', { token, new_password: 'password' }, ip);
    expect((await weak('link-one', '10.6.1.1')).statusCode).toBe(400);
    expect((await weak('link-two', '10.6.1.2')).statusCode).toBe(400);
    expect((await weak('link-three', '10.6.1.3')).statusCode).toBe(429);
  });

  it('limits 2FA attempts per account', async () => {
    const registered = await post(
      app,
      '/api/v1/auth/register',
      { email: 'totp@example.com', password: PASSWORD },
      '10.4.0.1',
    );
    const token = registered.json<{ tokens: { access_token: string } }>().tokens.access_token;
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/2fa/setup',
      headers: { authorization: `Bearer ${token}` },
      remoteAddress: '10.4.0.1',
    });
    const attempt = (ip: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/2fa/enable',
        headers: { authorization: `Bearer ${token}` },
        payload: { code: '000000' },
        remoteAddress: ip,
      });
    expect((await attempt('10.4.0.2')).statusCode).toBe(401);
    expect((await attempt('10.4.0.3')).statusCode).toBe(401);
    expect((await attempt('10.4.0.4')).statusCode).toBe(429);
  });

  it('applies a global per-address limit to every route but the probes', async () => {
    const ip = '10.5.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 41; i += 1) {
      statuses.push(
        (await app.inject({ method: 'GET', url: '/api/v1/connections', remoteAddress: ip })).statusCode,
      );
    }
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses[40]).toBe(429);
    expect((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: ip })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz', remoteAddress: ip })).statusCode).toBe(200);
  });
});

describe('rate limits when Redis goes down and comes back', () => {
  const state = { spare: undefined as SpareRedis | undefined };

  beforeAll(async () => {
    state.spare = new SpareRedis(await freePort());
    await state.spare.start();
  });
  afterAll(async () => {
    await state.spare?.stop();
  });

  it('stays up, limits in memory, reports degraded, and returns to Redis', async () => {
    const spare = state.spare;
    if (spare === undefined) throw new Error('no spare redis');
    const { app, close } = await appWith(spare.url, { login_account: { limit: 2, windowMs: 60_000 } });
    const ready = async () =>
      (await app.inject({ method: 'GET', url: '/readyz' })).json<{
        status: string;
        redis: string;
        rate_limiter: string;
      }>();
    const waitFor = async (predicate: () => boolean | Promise<boolean>) => {
      // Redis reconnects on its own schedule (retryStrategy); poll the observable state.
      for (let i = 0; i < 300 && !(await predicate()); i += 1) await new Promise((r) => setTimeout(r, 50));
    };
    await waitFor(async () => (await ready()).status === 'ready');
    expect(await ready()).toMatchObject({
      status: 'ready',
      database: 'up',
      redis: 'up',
      rate_limiter: 'redis',
    });

    await spare.stop();
    await waitFor(async () => (await ready()).redis === 'down');
    const login = () => post(app, '/api/v1/auth/login', { email: 'down@example.com', password: 'x' });
    const started = performance.now();
    expect((await login()).statusCode).toBe(401);
    expect((await login()).statusCode).toBe(401);
    expect((await login()).statusCode).toBe(429);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await ready()).toMatchObject({
      status: 'degraded',
      database: 'up',
      redis: 'down',
      rate_limiter: 'memory',
    });

    await spare.start();
    // The limiter, the sync relay and the revocation subscription each reconnect on their own schedule.
    await waitFor(async () => (await ready()).status === 'ready');
    expect(await ready()).toMatchObject({
      status: 'ready',
      database: 'up',
      redis: 'up',
      rate_limiter: 'redis',
    });
    // Back on Redis (restarted empty): the account has its Redis budget again.
    expect((await login()).statusCode).toBe(401);
    await close();
  });
});
