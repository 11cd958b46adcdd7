import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, redactQuery } from '../src/app';
import { captureLog, FAST_ARGON2, tempDir, testConfig, unique } from './helpers';

describe('logs never hold reset tokens', () => {
  const dir = tempDir();
  const log = captureLog();
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await build({
      // Development, no SMTP relay: the outbox mailer is in use, as on a first deployment.
      config: testConfig({
        env: 'development',
        dataDir: dir.path,
        databaseUrl: `sqlite:${dir.path}/cloud.db`,
        logLevel: 'info',
      }),
      argon2: FAST_ARGON2,
      forgotPasswordFloorMs: 0,
      portalDist: `${dir.path}/no-portal`,
      logger: { level: 'info', stream: log.stream },
    });
  });

  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('redacts query values of every request line and keeps the reset link out of the outbox log line', async () => {
    const email = `user-${unique()}@example.com`;
    const registered = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: 'violet tangerine harbour' },
    });
    expect(registered.statusCode).toBe(201);
    const forgot = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/forgot-password',
      payload: { email },
    });
    expect(forgot.statusCode).toBe(202);

    const outboxLine = await log.waitFor((line) => line.includes('mail written to the outbox'));
    const { file } = JSON.parse(outboxLine) as { file: string };
    const mail = JSON.parse(readFileSync(file, 'utf8')) as { text: string };
    const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    if (token === undefined) throw new Error(`no reset link in ${mail.text}`);

    // The emailed link as a browser (or a mail scanner) opens it, a lookalike that 404s, and the reset itself.
    expect((await app.inject({ url: `/reset-password?token=${token}` })).statusCode).toBe(200);
    expect((await app.inject({ url: `/reset-password/x?token=${token}&a=1` })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/auth/me?${token}` })).statusCode).toBe(401);
    const reset = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/reset-password',
      payload: { token, new_password: 'quiet meadow lantern 42' },
    });
    expect(reset.statusCode).toBe(200);

    const pageLine = await log.waitFor(
      (line) => line.includes('incoming request') && line.includes('/reset-password?'),
    );
    expect(JSON.parse(pageLine)).toMatchObject({ req: { url: '/reset-password?token=[redacted]' } });
    expect(log.lines.length).toBeGreaterThan(10);
    expect(log.lines.filter((line) => line.includes(token))).toEqual([]);
  });

  it('redacts every query value and bare or odd keys', () => {
    expect(redactQuery('/a')).toBe('/a');
    expect(redactQuery('/a?token=s3cret&connection_id=1')).toBe(
      '/a?token=[redacted]&connection_id=[redacted]',
    );
    expect(redactQuery('/a?s3cret')).toBe('/a?[redacted]');
    expect(redactQuery('/a?we%20ird=s3cret&=x&')).toBe('/a?[redacted]&[redacted]&[redacted]');
    expect(redactQuery('/a?t=1=2')).toBe('/a?t=[redacted]');
  });
});
