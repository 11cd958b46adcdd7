import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src-core/logger';
import { eventsOf } from '../../src-core/observability/testing/envelope';
import {
  reportingLogger,
  reportingOff,
  resolveErrorReporting,
  startMainErrorReporter,
} from './error-reporting';
import { startSentryReceiver, type SentryReceiver } from './testing/sentry-receiver';

// The desktop main process's error reports against a local stand-in for Sentry (docs/operations.md, "Error
// reports"), in plain Node: a service's logged error and a process's uncaught exception and unhandled rejection
// arrive, scrubbed of every planted secret; with no DSN nothing is sent.

const PAIRING = '9c'.repeat(32);
const EMAIL = 'trader.joe@example.org';
const PASSWORD = 'Hunter2-but-longer-0042';
const REFRESH = 'Xy7QpL2mN8vR4tK6wZ1cB9dF3gH5jS0aE';
const PLANTED = [PAIRING, EMAIL, PASSWORD, REFRESH];

const CHILD = join(import.meta.dirname, 'testing', 'reporting-child.ts');
const ROOT_MODULES = join(import.meta.dirname, '..', '..', 'node_modules');

describe('main-process error reports', () => {
  let receiver: SentryReceiver;
  let dir = '';
  let bundle = '';

  beforeAll(async () => {
    receiver = await startSentryReceiver();
    dir = mkdtempSync(join(tmpdir(), 'pipdesk-reporting-'));
    bundle = join(dir, 'reporting-child.cjs');
    // Bundled as the Electron main is (scripts/build-electron.ts), so the lazy import of the SDK is proven there too.
    await build({
      entryPoints: [CHILD],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
      logLevel: 'error',
    });
  });
  afterAll(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function runChild(
    env: Record<string, string>,
    dataDir: string,
  ): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, [bundle], {
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_PATH: ROOT_MODULES,
        PIPDESK_REPORTING_CHILD: JSON.stringify({
          dataDir,
          uncaught: `pairing token ${PAIRING} refused for ${EMAIL}`,
          rejected: `sign-in failed: {"password":"${PASSWORD}","refresh_token":"${REFRESH}"}`,
        }),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    return new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve({ code, out });
      });
    });
  }

  it('reports an uncaught exception and an unhandled rejection, scrubbed, and keeps running', async () => {
    const before = receiver.raw.length;
    const { code, out } = await runChild({ SENTRY_DSN: receiver.dsn, SENTRY_ENVIRONMENT: 'test' }, dir);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ isOn: true, logged: 2 });
    const events = (await receiver.waitForEvents(before + 2)).slice(-2);
    const values = events.map((e) => (e['exception'] as { values: { value: string }[] }).values[0]?.value);
    expect(values.sort()).toEqual([
      'pairing token [Filtered] refused for [email]',
      'sign-in failed: {"password":[Filtered],"refresh_token":[Filtered]}',
    ]);
    expect(events[0]).toMatchObject({ release: 'pipdesk-desktop@1.2.3', environment: 'test' });
    expect(events.map((e) => (e['tags'] as Record<string, string>)['source']).sort()).toEqual([
      'main: uncaught exception',
      'main: unhandled rejection',
    ]);
    const sent = receiver.raw.slice(before).join('\n');
    for (const secret of PLANTED) expect(sent).not.toContain(secret);
    expect(events.some((e) => 'server_name' in e)).toBe(false);
  });

  it('sends nothing without a DSN: the same failures are only logged', async () => {
    const before = receiver.raw.length;
    const empty = mkdtempSync(join(tmpdir(), 'pipdesk-reporting-off-'));
    try {
      const { code, out } = await runChild({}, empty);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ isOn: false, logged: 2 });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    // A reporting run after the silent one: only its two events arrive.
    await runChild({ SENTRY_DSN: receiver.dsn }, dir);
    await receiver.waitForEvents(before + 2);
    expect(receiver.raw.length - before).toBe(2);
  });

  it("reports a service's logged error with its fields scrubbed", async () => {
    const before = receiver.raw.length;
    const base = createMemoryLogger();
    const reporter = await startMainErrorReporter(
      { dsn: receiver.dsn, release: 'pipdesk-desktop@9', environment: 'test' },
      base,
    );
    const logger = reportingLogger(base, reporter);
    logger.warn('executor: slow answer', { ms: 900 });
    logger.error('cloud-sync: refresh failed', {
      error: new Error(`401 for ${EMAIL} with Bearer ${REFRESH}`),
      refreshToken: REFRESH,
      attempt: 3,
    });
    await reporter.close();
    // close() waits for the receiver's answers, so every report is in by now.
    const [event] = eventsOf(receiver.envelopes.slice(before));
    expect(receiver.raw.length - before).toBe(1);
    expect(event).toMatchObject({
      tags: { source: 'cloud-sync: refresh failed' },
      extra: { attempt: 3, refreshToken: '[Filtered]' },
    });
    for (const secret of PLANTED) expect(receiver.raw.slice(before).join('\n')).not.toContain(secret);
    expect(base.records.map((r) => r.level)).toEqual(['info', 'warn', 'error']);
  });
});

describe('resolveErrorReporting', () => {
  const base = { dataDir: tmpdir(), version: '0.1.0', isPackaged: true };

  it('is off with no SENTRY_DSN and no file, on with either, and refuses a bad DSN', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-reporting-cfg-'));
    try {
      expect(resolveErrorReporting({ ...base, dataDir, env: {} })).toEqual({ ok: true, value: undefined });
      expect(resolveErrorReporting({ ...base, dataDir, env: { SENTRY_DSN: ' ' } })).toEqual({
        ok: true,
        value: undefined,
      });
      expect(
        resolveErrorReporting({ ...base, dataDir, env: { SENTRY_DSN: 'https://k@s.example/7' } }),
      ).toEqual({
        ok: true,
        value: { dsn: 'https://k@s.example/7', release: 'pipdesk-desktop@0.1.0', environment: 'production' },
      });
      const bad = resolveErrorReporting({ ...base, dataDir, env: { SENTRY_DSN: 'https://s.example/7' } });
      expect(bad.ok ? null : bad.error.code).toBe('BAD_OPTIONS');

      writeFileSync(
        join(dataDir, 'error-reporting.json'),
        '{"dsn":"https://k@s.example/8","environment":"beta"}',
      );
      expect(resolveErrorReporting({ ...base, dataDir, env: {} })).toEqual({
        ok: true,
        value: { dsn: 'https://k@s.example/8', release: 'pipdesk-desktop@0.1.0', environment: 'beta' },
      });
      writeFileSync(join(dataDir, 'error-reporting.json'), '{"dsn":"not a dsn"}');
      const badFile = resolveErrorReporting({ ...base, dataDir, env: {} });
      expect(badFile.ok ? null : badFile.error.message).toMatch(/error-reporting\.json: expected/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves the logger as it was when reporting is off', () => {
    const logger = createMemoryLogger();
    expect(reportingLogger(logger, reportingOff)).toBe(logger);
  });
});
