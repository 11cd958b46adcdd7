import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailMessage } from '../src/mail/mailer';
import { loadConfig } from '../src/config';
import { buildTestApp, tempDir, testConfig, unique } from './helpers';
import { startSentryReceiver, type SentryReceiver } from './sentry-receiver';

// Error reports against a local stand-in for Sentry (docs/operations.md, "Error reports"): a 500 arrives with its
// request id, a 4xx never does, nothing is sent without SENTRY_DSN, and no secret of the failing request, its
// account or its error message is anywhere in the bytes that left the service.

const PASSWORD = 'Plant3d-passw0rd-for-reports';

describe('error reports to Sentry', () => {
  let receiver: SentryReceiver;
  const dirs: { remove: () => void }[] = [];

  beforeAll(async () => {
    receiver = await startSentryReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  /** An app whose mailer throws, as a relay that echoes the refused message would, quoting the reset link. */
  async function appWithFailingMail(errorReporting: boolean): Promise<{
    app: FastifyInstance;
    sentLinks: string[];
  }> {
    const dir = tempDir();
    dirs.push(dir);
    const sentLinks: string[] = [];
    const config = testConfig({
      dataDir: dir.path,
      databaseUrl: `sqlite:${dir.path}/cloud.db`,
      ...(errorReporting
        ? { errorReporting: { dsn: receiver.dsn, release: 'pipdesk-cloud@test', environment: 'test' } }
        : {}),
    });
    const app = await buildTestApp({
      config,
      mailer: {
        send(message: MailMessage): Promise<void> {
          const link = /https?:\/\/\S+/.exec(message.text)?.[0] ?? '';
          sentLinks.push(link);
          throw new Error(`relay refused mail to ${message.to}: ${link}`);
        },
        close: () => undefined,
      },
    });
    return { app, sentLinks };
  }

  async function register(app: FastifyInstance, email: string): Promise<{ access: string; refresh: string }> {
    const answer = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: PASSWORD },
    });
    expect(answer.statusCode).toBe(201);
    const body = answer.json<{ access_token: string; refresh_token: string }>();
    return { access: body.access_token, refresh: body.refresh_token };
  }

  it('sends a 500 with its request id, scrubbed of every token, password, email and reset link', async () => {
    const before = receiver.raw.length;
    const { app, sentLinks } = await appWithFailingMail(true);
    const email = `jane.${unique()}@example.com`;
    const tokens = await register(app, email);
    // A 4xx is the caller's mistake, not a fault: never reported.
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'Wrong-password-123456' },
    });
    expect(refused.statusCode).toBe(401);

    const failed = await app.inject({
      method: 'POST',
      url: `/api/v1/auth/forgot-password?token=${tokens.refresh}&email=${encodeURIComponent(email)}`,
      headers: {
        authorization: `Bearer ${tokens.access}`,
        cookie: `session=${tokens.refresh}`,
        'x-pipdesk-token': 'f'.repeat(64),
      },
      payload: { email },
    });
    expect(failed.statusCode).toBe(500);
    const [event] = (await receiver.waitForEvents(1)).slice(-1);
    await app.close();

    expect(event).toMatchObject({
      level: 'error',
      release: 'pipdesk-cloud@test',
      environment: 'test',
      tags: { request_id: failed.headers['x-request-id'], route: '/api/v1/auth/forgot-password' },
      request: { method: 'POST', headers: { 'content-type': 'application/json' } },
    });
    const exception = (event?.['exception'] as { values: { value: string }[] }).values[0];
    expect(exception?.value).toMatch(
      /^relay refused mail to \[email\]: https:\/\/app\.pipdesk\.test\/reset-password\?token=\[Filtered\]$/,
    );

    const sent = receiver.raw.slice(before).join('\n');
    expect(sentLinks).toHaveLength(1);
    const resetToken = decodeURIComponent(new URL(sentLinks[0] ?? '').searchParams.get('token') ?? '');
    expect(resetToken.length).toBeGreaterThan(20);
    for (const secret of [email, PASSWORD, tokens.access, tokens.refresh, resetToken, 'f'.repeat(64)]) {
      expect(sent).not.toContain(secret);
    }
    // Exactly the one 500, after the flush on close: the 401 sent nothing.
    expect(
      receiver.envelopes
        .slice(before)
        .flatMap((e) => e.items)
        .filter((i) => i.header['type'] === 'event'),
    ).toHaveLength(1);
  });

  it('sends nothing without SENTRY_DSN, even when the SDK could find one in the environment', async () => {
    const before = receiver.raw.length;
    const dir = tempDir();
    dirs.push(dir);
    expect(loadConfig({ DATA_DIR: dir.path }).errorReporting).toBeUndefined();
    // The SDK reads SENTRY_DSN by itself when initialised without one: the service must not initialise it.
    process.env['SENTRY_DSN'] = receiver.dsn;
    try {
      const { app } = await appWithFailingMail(false);
      expect(app.cloud.errors.isEnabled).toBe(false);
      const email = `joe.${unique()}@example.com`;
      await register(app, email);
      const failed = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/forgot-password',
        payload: { email },
      });
      expect(failed.statusCode).toBe(500);
      await app.close();
    } finally {
      delete process.env['SENTRY_DSN'];
    }
    // A reporting app closed after the silent one: its event arriving proves the receiver was listening all along.
    const { app: witness } = await appWithFailingMail(true);
    const email = `wit.${unique()}@example.com`;
    await register(witness, email);
    await witness.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email } });
    await witness.close();
    expect(receiver.raw.slice(before)).toHaveLength(1);
  });
});
