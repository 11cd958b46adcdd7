import bcrypt from 'bcryptjs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuthResult, ErrorBody, TokenPair } from '../../src-core/contracts/cloud-api';
import { ManualClock } from '../src/clock';
import { LIMIT_NAMES } from '../src/context';
import { RESET_TOKEN_TTL_MS } from '../src/services/accounts';
import { totpCodeAt } from '../src/security/totp';
import {
  bearer,
  buildTestApp,
  createTestDatabase,
  startSmtp,
  tempDir,
  testConfig,
  unique,
  type ReceivedMail,
} from './helpers';

const PASSWORD = 'violet tangerine harbour';
const NEW_PASSWORD = 'quiet meadow lantern 42';
const PUBLIC_URL = 'https://app.pipdesk.test';

type Inject = (args: {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  token?: string;
  ip?: string;
  headers?: Record<string, string>;
}) => Promise<LightMyRequestResponse>;

/** The whole HTTP and WebSocket API against one database dialect. */
export function apiSuite(dialect: 'sqlite' | 'postgres'): void {
  describe(`cloud API on ${dialect}`, () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.parse('2026-11-28T08:00:00Z'));
    let app: FastifyInstance;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let dropDb: () => Promise<void>;
    let baseUrl: string;

    const call: Inject = ({ method = 'GET', url, body, token, ip, headers }) =>
      app.inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
        headers: { ...(token === undefined ? {} : bearer(token)), ...headers },
        remoteAddress: ip ?? '127.0.0.1',
      });

    const newEmail = (): string => `user-${unique()}@example.com`;

    async function register(
      email = newEmail(),
      password = PASSWORD,
    ): Promise<AuthResult & { password: string }> {
      const response = await call({
        method: 'POST',
        url: '/api/v1/auth/register',
        body: { email, password },
      });
      expect(response.statusCode, response.body).toBe(201);
      return { ...response.json<AuthResult>(), password };
    }

    const login = (email: string, password: string, totp_code?: string) =>
      call({
        method: 'POST',
        url: '/api/v1/auth/login',
        body: totp_code === undefined ? { email, password } : { email, password, totp_code },
      });

    const errorCode = (response: LightMyRequestResponse): string => response.json<ErrorBody>().error.code;

    const auditRows = (event: string, userId?: string) => {
      let query = app.cloud.db.kysely.selectFrom('audit_log').selectAll().where('event', '=', event);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return query.orderBy('id', 'asc').execute();
    };

    const mailTo = (email: string, subject: RegExp): Promise<ReceivedMail> =>
      smtp.waitFor((m) => m.to.includes(email.toLowerCase()) && subject.test(m.subject));

    const resetTokenFrom = (mail: ReceivedMail): string => {
      const match = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text);
      if (match?.[1] === undefined) throw new Error(`no reset link in: ${mail.text}`);
      return match[1];
    };

    beforeAll(async () => {
      smtp = await startSmtp();
      const db = await createTestDatabase(dialect, dir.path);
      dropDb = db.drop;
      app = await buildTestApp({
        config: testConfig({
          dataDir: dir.path,
          databaseUrl: db.url,
          smtpUrl: smtp.url,
          publicUrl: PUBLIC_URL,
        }),
        clock,
        heartbeatMs: 150,
        forgotPasswordFloorMs: 150,
        portalDist: `${dir.path}/no-portal`,
        // This suite checks behaviour, not limits (rate-limits.test.ts does): raise every limit out of reach.
        limits: Object.fromEntries(LIMIT_NAMES.map((n) => [n, { limit: 100_000 }])),
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('no address');
      baseUrl = `127.0.0.1:${address.port}`;
    });

    afterAll(async () => {
      await app.close();
      await smtp.close();
      await dropDb();
      dir.remove();
    });

    describe('health and docs', () => {
      it('answers /healthz, /readyz, /openapi.json and /docs', async () => {
        expect((await call({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
        expect((await call({ url: '/readyz' })).json()).toEqual({
          status: 'ready',
          database: 'up',
          redis: 'memory',
          rate_limiter: 'memory',
          revocations: 'local',
          sync_bus: 'local',
        });
        const spec = (await call({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
        expect(Object.keys(spec.paths)).toEqual(
          expect.arrayContaining([
            '/api/v1/auth/login',
            '/api/v1/connections',
            '/api/v1/connections/{id}',
            '/api/v1/trading/position-size/calculate',
            '/api/v1/auth/2fa/enable',
          ]),
        );
        const docs = await call({ url: '/docs/' });
        expect(docs.statusCode).toBe(200);
        expect(docs.headers['content-type']).toContain('text/html');
      });

      it('sends security headers and allows CORS only for PUBLIC_URL', async () => {
        const response = await call({ url: '/healthz', headers: { origin: PUBLIC_URL } });
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['strict-transport-security']).toContain('max-age=');
        expect(response.headers['access-control-allow-origin']).toBe(PUBLIC_URL);
        const preflight = await call({
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        });
        expect(preflight.headers['access-control-allow-origin']).not.toBe('https://evil.example');
      });

      it('answers unknown routes and internal errors without stack traces', async () => {
        const missing = await call({ url: '/api/v1/nope' });
        expect(missing.statusCode).toBe(404);
        expect(errorCode(missing)).toBe('not_found');
        expect(missing.body).not.toMatch(/at .*\.ts:\d+/);
      });
    });

    describe('register', () => {
      it('creates the account and answers 201 with the user and tokens', async () => {
        const email = `New.${unique()}@Example.com`;
        const result = await register(email);
        expect(result.user.email).toBe(email);
        expect(result.user.totp_enabled).toBe(false);
        expect(result.tokens.token_type).toBe('Bearer');
        expect(result.tokens.expires_in).toBe(900);
        const me = await call({ url: '/api/v1/auth/me', token: result.tokens.access_token });
        expect(me.json<{ id: string }>().id).toBe(result.user.id);
        const stored = await app.cloud.db.kysely
          .selectFrom('users')
          .select(['password_hash', 'email_normalized'])
          .where('id', '=', result.user.id)
          .executeTakeFirstOrThrow();
        expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
        expect(stored.email_normalized).toBe(email.toLowerCase());
      });

      it('refuses a second account for the same email in any case', async () => {
        const email = newEmail();
        await register(email);
        const again = await call({
          method: 'POST',
          url: '/api/v1/auth/register',
          body: { email: email.toUpperCase(), password: PASSWORD },
        });
        expect(again.statusCode).toBe(409);
        expect(errorCode(again)).toBe('email_taken');
      });

      it('spends the same argon2 work on a taken email as on a new one (timing)', async () => {
        const email = newEmail();
        await register(email);
        const hasher = app.cloud.hasher;
        const hash = hasher.hash.bind(hasher);
        let hashes = 0;
        hasher.hash = (password) => {
          hashes += 1;
          return hash(password);
        };
        try {
          const taken = await call({
            method: 'POST',
            url: '/api/v1/auth/register',
            body: { email, password: PASSWORD },
          });
          expect(taken.statusCode).toBe(409);
          expect(hashes).toBe(1);
          await register();
          expect(hashes).toBe(2);
        } finally {
          hasher.hash = hash;
        }
      });

      it.each([
        ['no body', undefined, 400, 'validation_failed'],
        ['empty object', {}, 400, 'validation_failed'],
        ['bad email', { email: 'not-an-email', password: PASSWORD }, 400, 'validation_failed'],
        ['number password', { email: 'a@example.com', password: 12345678901234 }, 400, 'validation_failed'],
        ['short password', { email: 'short@example.com', password: 'abc12345' }, 400, 'weak_password'],
        ['common password', { email: 'common@example.com', password: 'Password2024!' }, 400, 'weak_password'],
        ['repeated password', { email: 'rep@example.com', password: 'abcabcabcabc' }, 400, 'weak_password'],
        [
          'password with email',
          { email: 'trader.joe@example.com', password: 'trader.joe-rocks-2026' },
          400,
          'weak_password',
        ],
        ['too long password', { email: 'long@example.com', password: 'x'.repeat(129) }, 400, 'weak_password'],
      ])('refuses %s', async (_name, body, status, code) => {
        const response = await call({ method: 'POST', url: '/api/v1/auth/register', body });
        expect(response.statusCode).toBe(status);
        expect(errorCode(response)).toBe(code);
      });

      it('refuses malformed JSON, other media types and oversized bodies', async () => {
        const malformed = await call({
          method: 'POST',
          url: '/api/v1/auth/register',
          body: '{"email":',
          headers: { 'content-type': 'application/json' },
        });
        expect(malformed.statusCode).toBe(400);
        expect(errorCode(malformed)).toBe('validation_failed');
        const text = await call({
          method: 'POST',
          url: '/api/v1/auth/register',
          body: 'email=a',
          headers: { 'content-type': 'text/plain' },
        });
        expect(text.statusCode).toBe(415);
        expect(errorCode(text)).toBe('unsupported_media_type');
        const huge = await call({
          method: 'POST',
          url: '/api/v1/auth/register',
          body: { email: 'big@example.com', password: 'x'.repeat(70_000) },
        });
        expect(huge.statusCode).toBe(413);
        expect(errorCode(huge)).toBe('payload_too_large');
      });
    });

    describe('login', () => {
      it('accepts the email in any case and writes an audit row', async () => {
        const account = await register();
        const response = await login(account.user.email.toUpperCase(), PASSWORD);
        expect(response.statusCode).toBe(200);
        expect(response.json<AuthResult>().tokens.session_id).not.toBe(account.tokens.session_id);
        const rows = await auditRows('auth.login', account.user.id);
        expect(rows.map((r) => r.result)).toContain('success');
      });

      it('answers a wrong password and an unknown email identically', async () => {
        const account = await register();
        const wrongPassword = await login(account.user.email, 'not the password at all');
        const unknownEmail = await login(`ghost-${unique()}@example.com`, PASSWORD);
        expect(wrongPassword.statusCode).toBe(401);
        expect(unknownEmail.statusCode).toBe(401);
        expect(wrongPassword.body).toBe(unknownEmail.body);
        expect(errorCode(wrongPassword)).toBe('invalid_credentials');
      });

      it.each([
        ['missing password', { email: 'a@example.com' }],
        ['bad email', { email: 'x', password: PASSWORD }],
        ['short totp code', { email: 'a@example.com', password: PASSWORD, totp_code: '1' }],
        ['array body', [1, 2]],
      ])('refuses %s with 400', async (_name, body) => {
        const response = await call({ method: 'POST', url: '/api/v1/auth/login', body });
        expect(response.statusCode).toBe(400);
        expect(errorCode(response)).toBe('validation_failed');
      });
    });

    describe('access tokens', () => {
      it('refuses missing, malformed, forged, alg=none and expired tokens', async () => {
        const account = await register();
        expect((await call({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
        expect((await call({ url: '/api/v1/auth/me', token: 'garbage' })).statusCode).toBe(401);
        const [header, payload] = account.tokens.access_token.split('.');
        const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
        expect((await call({ url: '/api/v1/auth/me', token: none })).statusCode).toBe(401);
        const forged = await new SignJWT({ sid: account.tokens.session_id, iat_ms: clock.now() })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
          .setSubject(account.user.id)
          .setIssuer(PUBLIC_URL)
          .setAudience('pipdesk-api')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
        expect((await call({ url: '/api/v1/auth/me', token: forged })).statusCode).toBe(401);
        expect(header).toBeDefined();

        expect((await call({ url: '/api/v1/auth/me', token: account.tokens.access_token })).statusCode).toBe(
          200,
        );
        clock.advance(901_000 + 5_000);
        const expired = await call({ url: '/api/v1/auth/me', token: account.tokens.access_token });
        expect(expired.statusCode).toBe(401);
        expect(errorCode(expired)).toBe('unauthorized');
      });
    });

    describe('refresh, logout and sessions', () => {
      it('rotates refresh tokens and revokes the family when an old one is reused', async () => {
        const account = await register();
        const first = account.tokens.refresh_token;
        const rotated = await call({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          body: { refresh_token: first },
        });
        expect(rotated.statusCode).toBe(200);
        const second = rotated.json<TokenPair>();
        expect(second.refresh_token).not.toBe(first);
        expect(second.session_id).toBe(account.tokens.session_id);

        const reuse = await call({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          body: { refresh_token: first },
        });
        expect(reuse.statusCode).toBe(401);
        expect(errorCode(reuse)).toBe('invalid_refresh_token');
        // The whole family is dead: the newest refresh token and its access token too.
        const afterReuse = await call({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          body: { refresh_token: second.refresh_token },
        });
        expect(afterReuse.statusCode).toBe(401);
        expect((await call({ url: '/api/v1/auth/me', token: second.access_token })).statusCode).toBe(401);
        const rows = await auditRows('auth.refresh', account.user.id);
        expect(rows.map((r) => r.result)).toContain('reuse_detected_session_revoked');
      });

      it('lets exactly one of two concurrent refreshes with one token win', async () => {
        const account = await register();
        const body = { refresh_token: account.tokens.refresh_token };
        const results = await Promise.all([
          call({ method: 'POST', url: '/api/v1/auth/refresh', body }),
          call({ method: 'POST', url: '/api/v1/auth/refresh', body }),
        ]);
        expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
      });

      it.each([[{}], [{ refresh_token: '' }], [{ refresh_token: 7 }]])(
        'refuses refresh body %j',
        async (body) => {
          const response = await call({ method: 'POST', url: '/api/v1/auth/refresh', body });
          expect(response.statusCode).toBe(400);
          expect(errorCode(response)).toBe('validation_failed');
        },
      );

      it('refuses an unknown refresh token', async () => {
        const response = await call({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          body: { refresh_token: 'nope' },
        });
        expect(response.statusCode).toBe(401);
      });

      it('logs out by access token or by refresh token', async () => {
        const account = await register();
        const out = await call({
          method: 'POST',
          url: '/api/v1/auth/logout',
          token: account.tokens.access_token,
          body: {},
        });
        expect(out.statusCode).toBe(200);
        expect((await call({ url: '/api/v1/auth/me', token: account.tokens.access_token })).statusCode).toBe(
          401,
        );
        const refresh = await call({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          body: { refresh_token: account.tokens.refresh_token },
        });
        expect(refresh.statusCode).toBe(401);

        const other = (await login(account.user.email, PASSWORD)).json<AuthResult>();
        const byRefresh = await call({
          method: 'POST',
          url: '/api/v1/auth/logout',
          body: { refresh_token: other.tokens.refresh_token },
        });
        expect(byRefresh.statusCode).toBe(200);
        expect((await call({ url: '/api/v1/auth/me', token: other.tokens.access_token })).statusCode).toBe(
          401,
        );
        expect((await call({ method: 'POST', url: '/api/v1/auth/logout', body: {} })).statusCode).toBe(401);
        expect(
          (await call({ method: 'POST', url: '/api/v1/auth/logout', body: { refresh_token: 5 } })).statusCode,
        ).toBe(400);
      });

      it('lists sessions and revokes one; another user\u2019s session answers 404', async () => {
        const account = await register();
        const second = (await login(account.user.email, PASSWORD)).json<AuthResult>();
        const list = await call({ url: '/api/v1/auth/sessions', token: account.tokens.access_token });
        const sessions = list.json<{ sessions: { id: string; current: boolean }[] }>().sessions;
        expect(sessions).toHaveLength(2);
        expect(sessions.find((s) => s.current)?.id).toBe(account.tokens.session_id);

        const stranger = await register();
        const foreign = await call({
          method: 'DELETE',
          url: `/api/v1/auth/sessions/${second.tokens.session_id}`,
          token: stranger.tokens.access_token,
        });
        const missing = await call({
          method: 'DELETE',
          url: '/api/v1/auth/sessions/00000000-0000-0000-0000-000000000000',
          token: stranger.tokens.access_token,
        });
        expect(foreign.statusCode).toBe(404);
        expect(foreign.body).toBe(missing.body.replace('Session', 'Session'));
        expect((await call({ url: '/api/v1/auth/me', token: second.tokens.access_token })).statusCode).toBe(
          200,
        );

        const revoke = await call({
          method: 'DELETE',
          url: `/api/v1/auth/sessions/${second.tokens.session_id}`,
          token: account.tokens.access_token,
        });
        expect(revoke.statusCode).toBe(200);
        expect((await call({ url: '/api/v1/auth/me', token: second.tokens.access_token })).statusCode).toBe(
          401,
        );
        expect((await call({ url: '/api/v1/auth/sessions' })).statusCode).toBe(401);
      });
    });

    describe('change password', () => {
      it('needs the current password, applies the policy, signs out other sessions and emails a notice', async () => {
        const account = await register();
        const other = (await login(account.user.email, PASSWORD)).json<AuthResult>();
        const token = account.tokens.access_token;
        const wrong = await call({
          method: 'POST',
          url: '/api/v1/auth/change-password',
          token,
          body: { current_password: 'wrong password here', new_password: NEW_PASSWORD },
        });
        expect(wrong.statusCode).toBe(401);
        expect(errorCode(wrong)).toBe('invalid_credentials');
        const weak = await call({
          method: 'POST',
          url: '/api/v1/auth/change-password',
          token,
          body: { current_password: PASSWORD, new_password: 'password' },
        });
        expect(errorCode(weak)).toBe('weak_password');
        const bad = await call({
          method: 'POST',
          url: '/api/v1/auth/change-password',
          token,
          body: { new_password: 1 },
        });
        expect(errorCode(bad)).toBe('validation_failed');

        const ok = await call({
          method: 'POST',
          url: '/api/v1/auth/change-password',
          token,
          body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
        });
        expect(ok.statusCode).toBe(200);
        expect((await call({ url: '/api/v1/auth/me', token })).statusCode).toBe(200);
        expect((await call({ url: '/api/v1/auth/me', token: other.tokens.access_token })).statusCode).toBe(
          401,
        );
        expect((await login(account.user.email, NEW_PASSWORD)).statusCode).toBe(200);
        expect((await login(account.user.email, PASSWORD)).statusCode).toBe(401);
        const mail = await mailTo(account.user.email, /password was changed/);
        expect(mail.text).not.toContain(NEW_PASSWORD);
      });
    });

    describe('forgot and reset password', () => {
      const forgot = (email: string, ip?: string) =>
        call({
          method: 'POST',
          url: '/api/v1/auth/forgot-password',
          body: { email },
          ...(ip === undefined ? {} : { ip }),
        });
      const reset = (token: string, new_password = NEW_PASSWORD) =>
        call({ method: 'POST', url: '/api/v1/auth/reset-password', body: { token, new_password } });

      it('answers known and unknown emails with the same status, body and about the same time', async () => {
        const account = await register();
        const times: number[] = [];
        const bodies = new Set<string>();
        const timed = async (email: string): Promise<number> => {
          const started = performance.now();
          const answer = await forgot(email);
          const ms = performance.now() - started;
          expect(answer.statusCode).toBe(202);
          bodies.add(answer.body);
          times.push(ms);
          return ms;
        };
        // Pairs in alternating order, so whatever one request leaves running (the known email's mail) weighs on
        // both sides alike.
        const PAIRS = 16;
        const later = { known: 0, unknown: 0 };
        for (let i = 0; i < PAIRS; i += 1) {
          const nobody = `nobody-${unique()}@example.com`;
          let known: number;
          let unknown: number;
          if (i % 2 === 0) {
            known = await timed(account.user.email);
            unknown = await timed(nobody);
          } else {
            unknown = await timed(nobody);
            known = await timed(account.user.email);
          }
          if (known > unknown) later.known += 1;
          else later.unknown += 1;
        }
        expect(bodies.size).toBe(1);
        // Every answer waits for the 150 ms floor.
        expect(Math.min(...times)).toBeGreaterThanOrEqual(145);
        // Without a leak, which answer of a pair comes later is a coin toss: a loaded machine delays either side
        // by chance, so no fixed margin in milliseconds is compared. A leak (work for one kind of email done
        // outside the floor) makes that side the later one in nearly every pair. 15 or more of 16 by chance:
        // p = 34 / 65536, about 0.05 %.
        expect(Math.max(later.known, later.unknown), JSON.stringify(later)).toBeLessThan(PAIRS - 1);
      });

      it('emails a single-use link to PUBLIC_URL that resets the password and ends every session', async () => {
        const account = await register();
        const other = (await login(account.user.email, PASSWORD)).json<AuthResult>();
        await forgot(account.user.email.toUpperCase());
        const mail = await mailTo(account.user.email, /Reset your Pipdesk password/);
        expect(mail.text).toContain(`${PUBLIC_URL}/reset-password?token=`);
        const token = resetTokenFrom(mail);
        expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
        const stored = await app.cloud.db.kysely
          .selectFrom('password_resets')
          .select('token_hash')
          .where('user_id', '=', account.user.id)
          .execute();
        expect(stored.map((r) => r.token_hash)).not.toContain(token);

        const ok = await reset(token);
        expect(ok.statusCode).toBe(200);
        const again = await reset(token, 'another fine passphrase');
        expect(again.statusCode).toBe(400);
        expect(errorCode(again)).toBe('invalid_reset_token');

        for (const tokens of [account.tokens, other.tokens]) {
          expect((await call({ url: '/api/v1/auth/me', token: tokens.access_token })).statusCode).toBe(401);
          const refresh = await call({
            method: 'POST',
            url: '/api/v1/auth/refresh',
            body: { refresh_token: tokens.refresh_token },
          });
          expect(refresh.statusCode).toBe(401);
        }
        expect((await login(account.user.email, PASSWORD)).statusCode).toBe(401);
        expect((await login(account.user.email, NEW_PASSWORD)).statusCode).toBe(200);
        const notice = await mailTo(account.user.email, /password was changed/);
        expect(notice.text).toContain('reset');
        const rows = await auditRows('auth.password_reset', account.user.id);
        expect(rows.map((r) => r.result)).toEqual(['success', 'used_voided_or_expired_token']);
      });

      it('stops access tokens issued before the reset even if their session row survived', async () => {
        const account = await register();
        await forgot(account.user.email);
        const token = resetTokenFrom(await mailTo(account.user.email, /Reset/));
        clock.advance(1);
        // Undo the session revocation to prove the per-user cut-off alone refuses the old token.
        expect((await reset(token)).statusCode).toBe(200);
        await app.cloud.db.kysely
          .updateTable('sessions')
          .set({ revoked_at: null })
          .where('id', '=', account.tokens.session_id)
          .execute();
        expect((await call({ url: '/api/v1/auth/me', token: account.tokens.access_token })).statusCode).toBe(
          401,
        );
      });

      it('voids an older link when a newer one is asked for, and expires links after one hour', async () => {
        const account = await register();
        await forgot(account.user.email);
        const older = resetTokenFrom(await mailTo(account.user.email, /Reset/));
        await forgot(account.user.email);
        const newer = resetTokenFrom(
          await smtp.waitFor(
            (m) => m.to.includes(account.user.email) && /Reset/.test(m.subject) && !m.text.includes(older),
          ),
        );
        expect((await reset(older)).statusCode).toBe(400);
        clock.advance(RESET_TOKEN_TTL_MS + 1_000);
        const expired = await reset(newer);
        expect(expired.statusCode).toBe(400);
        expect(expired.body).toBe((await reset('never-issued-token')).body);
      });

      it('lets exactly one of two concurrent resets with one token win', async () => {
        const account = await register();
        await forgot(account.user.email);
        const token = resetTokenFrom(await mailTo(account.user.email, /Reset/));
        const results = await Promise.all([
          reset(token, 'first racer passphrase'),
          reset(token, 'second racer passphrase'),
        ]);
        expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
        const winner = results[0].statusCode === 200 ? 'first racer passphrase' : 'second racer passphrase';
        expect((await login(account.user.email, winner)).statusCode).toBe(200);
      });

      it('gives no session to a login that verified the old password while a reset completed', async () => {
        const account = await register();
        await forgot(account.user.email);
        const token = resetTokenFrom(await mailTo(account.user.email, /Reset/));
        // Hold the login right after its password check, finish the reset, then let the login go on.
        const hasher = app.cloud.hasher;
        const verify = hasher.verify.bind(hasher);
        let verified = (): void => undefined;
        let release = (): void => undefined;
        const isVerified = new Promise<void>((resolve) => (verified = resolve));
        const gate = new Promise<void>((resolve) => (release = resolve));
        hasher.verify = async (stored, password) => {
          const outcome = await verify(stored, password);
          verified();
          await gate;
          return outcome;
        };
        try {
          const straddling = login(account.user.email, PASSWORD);
          await isVerified;
          hasher.verify = verify;
          expect((await reset(token)).statusCode).toBe(200);
          release();
          const answer = await straddling;
          expect(answer.statusCode).toBe(401);
          expect(errorCode(answer)).toBe('invalid_credentials');
        } finally {
          hasher.verify = verify;
          release();
        }
        const live = await app.cloud.db.kysely
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', account.user.id)
          .where('revoked_at', 'is', null)
          .execute();
        expect(live).toEqual([]);
        const rows = await auditRows('auth.login', account.user.id);
        expect(rows.map((r) => r.result)).toContain('password_changed_during_login');
      });

      it('keeps the link usable when the new password is refused by the policy', async () => {
        const account = await register();
        await forgot(account.user.email);
        const token = resetTokenFrom(await mailTo(account.user.email, /Reset/));
        const weak = await reset(token, 'password123');
        expect(weak.statusCode).toBe(400);
        expect(errorCode(weak)).toBe('weak_password');
        expect((await reset(token)).statusCode).toBe(200);
      });

      it.each([
        ['forgot-password', {}],
        ['forgot-password', { email: 'nope' }],
        ['reset-password', { token: 'x' }],
        ['reset-password', { new_password: NEW_PASSWORD }],
        ['reset-password', { token: '', new_password: NEW_PASSWORD }],
      ])('refuses %s body %j with 400', async (path, body) => {
        const response = await call({ method: 'POST', url: `/api/v1/auth/${path}`, body });
        expect(response.statusCode).toBe(400);
        expect(errorCode(response)).toBe('validation_failed');
      });

      it('serves a reset page at /reset-password', async () => {
        const page = await call({ url: '/reset-password?token=abc' });
        expect(page.statusCode).toBe(200);
        expect(page.headers['content-type']).toContain('text/html');
        expect(page.headers['referrer-policy']).toBe('no-referrer');
      });
    });

    describe('two-factor authentication', () => {
      it('sets up, enables with recovery codes, requires and checks codes at login, refuses replays, disables', async () => {
        const account = await register();
        const token = account.tokens.access_token;
        const setup = await call({ method: 'POST', url: '/api/v1/auth/2fa/setup', token });
        expect(setup.statusCode).toBe(200);
        const { secret, otpauth_url, qr_data_url } = setup.json<{
          secret: string;
          otpauth_url: string;
          qr_data_url: string;
        }>();
        expect(otpauth_url).toMatch(/^otpauth:\/\/totp\/Pipdesk:.*secret=/);
        expect(qr_data_url).toMatch(/^data:image\/png;base64,/);

        const stored = await app.cloud.db.kysely
          .selectFrom('users')
          .select('totp_pending_secret')
          .where('id', '=', account.user.id)
          .executeTakeFirstOrThrow();
        expect(stored.totp_pending_secret).not.toContain(secret);

        const wrongCode = String((Number(totpCodeAt(secret, clock.now())) + 1) % 1_000_000).padStart(6, '0');
        const refused = await call({
          method: 'POST',
          url: '/api/v1/auth/2fa/enable',
          token,
          body: { code: wrongCode },
        });
        expect(refused.statusCode).toBe(401);
        expect(errorCode(refused)).toBe('invalid_totp_code');
        for (const body of [{}, { code: '12345' }, { code: 'abcdef' }]) {
          expect(errorCode(await call({ method: 'POST', url: '/api/v1/auth/2fa/enable', token, body }))).toBe(
            'validation_failed',
          );
        }

        const enable = await call({
          method: 'POST',
          url: '/api/v1/auth/2fa/enable',
          token,
          body: { code: totpCodeAt(secret, clock.now()) },
        });
        expect(enable.statusCode).toBe(200);
        const codes = enable.json<{ recovery_codes: string[] }>().recovery_codes;
        expect(codes).toHaveLength(10);
        expect(new Set(codes).size).toBe(10);
        const hashes = await app.cloud.db.kysely
          .selectFrom('recovery_codes')
          .select('code_hash')
          .where('user_id', '=', account.user.id)
          .execute();
        expect(hashes).toHaveLength(10);
        expect(hashes.map((h) => h.code_hash)).not.toContain(codes[0]);
        await mailTo(account.user.email, /Two-factor authentication turned on/);
        expect((await call({ method: 'POST', url: '/api/v1/auth/2fa/setup', token })).statusCode).toBe(409);

        const noCode = await login(account.user.email, PASSWORD);
        expect(noCode.statusCode).toBe(401);
        expect(errorCode(noCode)).toBe('totp_required');
        // The code used to enable is spent; the next time step's code works once.
        expect(errorCode(await login(account.user.email, PASSWORD, totpCodeAt(secret, clock.now())))).toBe(
          'invalid_totp_code',
        );
        clock.advance(30_000);
        const code = totpCodeAt(secret, clock.now());
        expect((await login(account.user.email, PASSWORD, code)).statusCode).toBe(200);
        const replay = await login(account.user.email, PASSWORD, code);
        expect(replay.statusCode).toBe(401);
        expect(errorCode(replay)).toBe('invalid_totp_code');
        // A wrong password with a 2FA account still reads as wrong credentials.
        expect(errorCode(await login(account.user.email, 'wrong password value', code))).toBe(
          'invalid_credentials',
        );

        const recovery = codes[3] ?? '';
        expect((await login(account.user.email, PASSWORD, recovery.toLowerCase())).statusCode).toBe(200);
        expect((await login(account.user.email, PASSWORD, recovery)).statusCode).toBe(401);

        clock.advance(30_000);
        const disableBad = await call({
          method: 'POST',
          url: '/api/v1/auth/2fa/disable',
          token,
          body: { password: 'wrong password value', code: totpCodeAt(secret, clock.now()) },
        });
        expect(disableBad.statusCode).toBe(401);
        expect(
          errorCode(
            await call({
              method: 'POST',
              url: '/api/v1/auth/2fa/disable',
              token,
              body: { password: PASSWORD },
            }),
          ),
        ).toBe('validation_failed');
        const disable = await call({
          method: 'POST',
          url: '/api/v1/auth/2fa/disable',
          token,
          body: { password: PASSWORD, code: totpCodeAt(secret, clock.now()) },
        });
        expect(disable.statusCode).toBe(200);
        expect((await login(account.user.email, PASSWORD)).statusCode).toBe(200);
        expect(
          (
            await call({
              method: 'POST',
              url: '/api/v1/auth/2fa/disable',
              token,
              body: { password: PASSWORD, code: '123456' },
            })
          ).statusCode,
        ).toBe(409);
        const events = (await auditRows('auth.totp_enable', account.user.id)).map((r) => r.result);
        expect(events).toEqual(['wrong_code', 'success']);
      });

      it('needs setup before enable and a token for every 2FA route', async () => {
        const account = await register();
        const enable = await call({
          method: 'POST',
          url: '/api/v1/auth/2fa/enable',
          token: account.tokens.access_token,
          body: { code: '123456' },
        });
        expect(errorCode(enable)).toBe('totp_setup_required');
        for (const path of ['setup', 'enable', 'disable']) {
          expect((await call({ method: 'POST', url: `/api/v1/auth/2fa/${path}`, body: {} })).statusCode).toBe(
            401,
          );
        }
      });
    });

    describe('legacy password hashes', () => {
      async function legacyUser(hash: string, password: string): Promise<string> {
        const email = newEmail();
        const account = await register(email);
        await app.cloud.db.kysely
          .updateTable('users')
          .set({ password_hash: hash })
          .where('id', '=', account.user.id)
          .execute();
        expect((await login(email, password)).statusCode).toBe(200);
        const row = await app.cloud.db.kysely
          .selectFrom('users')
          .select('password_hash')
          .where('id', '=', account.user.id)
          .executeTakeFirstOrThrow();
        expect(row.password_hash).toMatch(/^\$argon2id\$/);
        expect((await login(email, password)).statusCode).toBe(200);
        return email;
      }

      it('verifies bcrypt and rehashes to argon2id at login', async () => {
        await legacyUser(bcrypt.hashSync('legacy bcrypt secret', 10), 'legacy bcrypt secret');
      });

      it('verifies passlib pbkdf2_sha256 and rehashes to argon2id at login', async () => {
        await legacyUser(
          '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ',
          'password',
        );
      });

      it('rehashes argon2id hashes made with weaker parameters', async () => {
        await legacyUser(
          '$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw',
          'password',
        );
      });
    });

    describe('connections', () => {
      const create = (token: string, body: unknown) =>
        call({ method: 'POST', url: '/api/v1/connections', token, body });

      it('creates, lists, reads, updates and deletes the caller\u2019s connections', async () => {
        const account = await register();
        const token = account.tokens.access_token;
        const created = await create(token, {
          name: 'Exness demo',
          broker_server: 'Exness-MT5Trial7',
          account_login: '12345678',
        });
        expect(created.statusCode).toBe(201);
        const connection = created.json<{ id: string; platform: string }>();
        expect(connection.platform).toBe('mt5');
        const list = await call({ url: '/api/v1/connections', token });
        expect(list.json<{ connections: { id: string }[] }>().connections.map((c) => c.id)).toEqual([
          connection.id,
        ]);
        expect((await call({ url: `/api/v1/connections/${connection.id}`, token })).statusCode).toBe(200);
        const patched = await call({
          method: 'PATCH',
          url: `/api/v1/connections/${connection.id}`,
          token,
          body: { name: 'Renamed' },
        });
        expect(patched.json<{ name: string; account_login: string }>()).toMatchObject({
          name: 'Renamed',
          account_login: '12345678',
        });
        expect(
          (await call({ method: 'DELETE', url: `/api/v1/connections/${connection.id}`, token })).statusCode,
        ).toBe(200);
        expect((await call({ url: `/api/v1/connections/${connection.id}`, token })).statusCode).toBe(404);
      });

      it('answers another user\u2019s connection exactly like a missing one on every route', async () => {
        const owner = await register();
        const stranger = await register();
        const created = await create(owner.tokens.access_token, {
          name: 'Mine',
          broker_server: 'XM-Real',
          account_login: '777',
        });
        const id = created.json<{ id: string }>().id;
        const missingId = '00000000-0000-4000-8000-000000000000';
        const token = stranger.tokens.access_token;
        const routes = (target: string) => [
          call({ url: `/api/v1/connections/${target}`, token }),
          call({ method: 'PATCH', url: `/api/v1/connections/${target}`, token, body: { name: 'Stolen' } }),
          call({ method: 'DELETE', url: `/api/v1/connections/${target}`, token }),
        ];
        const foreign = await Promise.all(routes(id));
        const missing = await Promise.all(routes(missingId));
        foreign.forEach((response, i) => {
          expect(response.statusCode).toBe(404);
          expect(response.body).toBe(missing[i]?.body);
        });
        const list = await call({ url: '/api/v1/connections', token });
        expect(list.json<{ connections: unknown[] }>().connections).toEqual([]);
        const still = await call({ url: `/api/v1/connections/${id}`, token: owner.tokens.access_token });
        expect(still.json<{ name: string }>().name).toBe('Mine');
      });

      it.each([
        [{}],
        [{ name: '', broker_server: 'S', account_login: '1' }],
        [{ name: 'A', broker_server: 'S', account_login: 'abc' }],
        [{ name: 'A', broker_server: 'S', account_login: '1', platform: 'mt4' }],
        [{ name: 'x'.repeat(101), broker_server: 'S', account_login: '1' }],
      ])('refuses create body %j', async (body) => {
        const account = await register();
        const response = await create(account.tokens.access_token, body);
        expect(response.statusCode).toBe(400);
        expect(errorCode(response)).toBe('validation_failed');
      });

      it('refuses an empty or invalid update and needs a token everywhere', async () => {
        const account = await register();
        const token = account.tokens.access_token;
        const id = (await create(token, { name: 'A', broker_server: 'S', account_login: '1' })).json<{
          id: string;
        }>().id;
        for (const body of [{}, { account_login: 'x' }, { name: 5 }]) {
          const response = await call({ method: 'PATCH', url: `/api/v1/connections/${id}`, token, body });
          expect(response.statusCode).toBe(400);
        }
        for (const [method, url] of [
          ['GET', '/api/v1/connections'],
          ['POST', '/api/v1/connections'],
          ['GET', `/api/v1/connections/${id}`],
          ['PATCH', `/api/v1/connections/${id}`],
          ['DELETE', `/api/v1/connections/${id}`],
        ] as const) {
          expect(
            (await call({ method, url, body: method === 'GET' || method === 'DELETE' ? undefined : {} }))
              .statusCode,
          ).toBe(401);
        }
      });
    });

    describe('connector WebSocket', () => {
      type Closed = { code: number; reason: string; messages: unknown[] };

      function open(
        query: string,
        token: string | undefined,
        options: { origin?: string; autoPong?: boolean } = {},
      ): { socket: WebSocket; messages: unknown[]; closed: Promise<Closed>; next: () => Promise<unknown> } {
        const headers: Record<string, string> = token === undefined ? {} : bearer(token);
        if (options.origin !== undefined) headers['origin'] = options.origin;
        const socket = new WebSocket(`ws://${baseUrl}/ws/connector${query}`, {
          headers,
          autoPong: options.autoPong ?? true,
        });
        const messages: unknown[] = [];
        const waiting: ((m: unknown) => void)[] = [];
        socket.on('message', (data: Buffer) => {
          const parsed: unknown = JSON.parse(data.toString('utf8'));
          const waiter = waiting.shift();
          if (waiter === undefined) messages.push(parsed);
          else waiter(parsed);
        });
        const closed = new Promise<Closed>((resolve) => {
          socket.on('close', (code, reason) => {
            resolve({ code, reason: reason.toString(), messages });
          });
        });
        const next = () => {
          const queued = messages.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          return new Promise<unknown>((resolve) => waiting.push(resolve));
        };
        return { socket, messages, closed, next };
      }

      async function ownedConnection(token: string): Promise<string> {
        const created = await call({
          method: 'POST',
          url: '/api/v1/connections',
          token,
          body: { name: 'Terminal', broker_server: 'FBS-Demo', account_login: '5555' },
        });
        return created.json<{ id: string }>().id;
      }

      const connectorAudit = (connectionId: string | null, result: string) =>
        app.cloud.db.kysely
          .selectFrom('audit_log')
          .selectAll()
          .where('event', '=', 'connector.connect')
          .where('result', '=', result)
          .where((eb) =>
            connectionId === null ? eb('connection_id', 'is', null) : eb('connection_id', '=', connectionId),
          )
          .execute();

      it('closes with 4001 for a missing or bad token and audits both', async () => {
        const account = await register();
        const id = await ownedConnection(account.tokens.access_token);
        const noToken = await open(`?connection_id=${id}`, undefined).closed;
        expect(noToken.code).toBe(4001);
        const badToken = await open(`?connection_id=${id}`, 'not.a.jwt').closed;
        expect(badToken.code).toBe(4001);
        expect(await connectorAudit(id, 'refused_no_token')).toHaveLength(1);
        const bad = await connectorAudit(id, 'refused_bad_token');
        expect(bad).toHaveLength(1);
        expect(bad[0]?.ip).toBe('127.0.0.1');
      });

      it('closes with 4003 for another user\u2019s, a missing or no connection, and audits each with the user', async () => {
        const owner = await register();
        const stranger = await register();
        const id = await ownedConnection(owner.tokens.access_token);
        const foreign = await open(`?connection_id=${id}`, stranger.tokens.access_token).closed;
        expect(foreign.code).toBe(4003);
        const missingId = '00000000-0000-4000-8000-000000000001';
        expect((await open(`?connection_id=${missingId}`, stranger.tokens.access_token).closed).code).toBe(
          4003,
        );
        expect((await open('', stranger.tokens.access_token).closed).code).toBe(4003);
        const rows = await connectorAudit(id, 'refused_not_owner');
        expect(rows).toHaveLength(1);
        expect(rows[0]?.user_id).toBe(stranger.user.id);
        expect(await connectorAudit(missingId, 'refused_not_owner')).toHaveLength(1);
        const foreignOrigin = await open(`?connection_id=${id}`, owner.tokens.access_token, {
          origin: 'https://evil.example',
        }).closed;
        expect(foreignOrigin.code).toBe(4003);
      });

      it('accepts the owner, answers pings, validates messages and acknowledges journal entries', async () => {
        const owner = await register();
        const id = await ownedConnection(owner.tokens.access_token);
        // The hub's own contract: whatever the journal handler takes is acknowledged by id (the sync
        // plugin installs a storing handler; this test pins a plain one).
        app.cloud.hub.onJournal((_peer, entries) =>
          Promise.resolve({ taken: entries.map((e) => e.entry.id), refused: [] }),
        );
        const client = open(`?connection_id=${id}`, owner.tokens.access_token);
        // Sent before the welcome: kept until the token is checked, then handled in order.
        client.socket.on('open', () => {
          client.socket.send(JSON.stringify({ type: 'ping', id: 'early' }));
        });
        expect(await client.next()).toMatchObject({ type: 'welcome', connection_id: id, heartbeat_ms: 150 });
        expect(await client.next()).toEqual({ type: 'pong', id: 'early' });
        expect(await connectorAudit(id, 'accepted')).toHaveLength(1);

        client.socket.send('{not json');
        expect(await client.next()).toMatchObject({ type: 'error', code: 'invalid_json' });
        client.socket.send(
          JSON.stringify({ type: 'journal', entries: [{ id: 'e1', at_ms: -1, kind: 'order', payload: {} }] }),
        );
        // A bad entry is refused by itself, with its reason; the frame and the socket are fine.
        const refused = (await client.next()) as { type: string; ids: string[]; refused: unknown[] };
        expect(refused).toMatchObject({ type: 'ack', ids: [] });
        expect(refused.refused).toEqual([
          { id: 'e1', index: 0, reason: expect.stringContaining('at_ms') as string },
        ]);
        client.socket.send(JSON.stringify({ type: 'teleport' }));
        expect(await client.next()).toMatchObject({ type: 'error', code: 'invalid_message' });

        const status = {
          type: 'status',
          at_ms: clock.now(),
          terminal_connected: true,
          ea_connected: true,
          account: null,
          open_positions: 2,
          pending_orders: 0,
        };
        client.socket.send(JSON.stringify(status));
        client.socket.send(
          JSON.stringify({
            type: 'journal',
            entries: [
              { id: 'j-1', at_ms: 1, kind: 'order_placed', payload: { ticket: '1' } },
              { id: 'j-2', at_ms: 2, kind: 'order_filled', payload: {} },
            ],
          }),
        );
        expect(await client.next()).toMatchObject({ type: 'ack', ids: ['j-1', 'j-2'] });
        expect(app.cloud.hub.lastStatus(id)).toMatchObject({ open_positions: 2 });
        expect(
          await app.cloud.hub.deliver(id, { type: 'command', id: 'c1', name: 'refresh', args: {} }),
        ).toBe(true);
        expect(await client.next()).toMatchObject({ type: 'command', id: 'c1' });

        const pinged = new Promise<void>((resolve) =>
          client.socket.once('ping', () => {
            resolve();
          }),
        );
        await pinged;
        client.socket.close(1000);
        await client.closed;
      });

      it('closes a socket that stops answering heartbeats, and one whose connection is deleted', async () => {
        const owner = await register();
        const id = await ownedConnection(owner.tokens.access_token);
        const silent = open(`?connection_id=${id}`, owner.tokens.access_token, { autoPong: false });
        expect((await silent.closed).code).toBe(4010);

        const live = open(`?connection_id=${id}`, owner.tokens.access_token);
        expect(await live.next()).toMatchObject({ type: 'welcome' });
        await call({ method: 'DELETE', url: `/api/v1/connections/${id}`, token: owner.tokens.access_token });
        expect((await live.closed).code).toBe(4003);
      });
    });
  });
}
