import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  const dirs: { remove: () => void }[] = [];
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d.path;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('runs on defaults: SQLite in DATA_DIR, memory limits, outbox mail, a kept development secret', () => {
    const dataDir = dir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({
      env: 'development',
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: `sqlite:${join(dataDir, 'pipdesk-cloud.db')}`,
      redisUrl: undefined,
      smtpUrl: undefined,
      publicUrl: 'http://127.0.0.1:8080',
      accessTokenTtlSec: 900,
      refreshTokenTtlSec: 2_592_000,
      metricsPort: 9464,
      metricsHost: '127.0.0.1',
    });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir }).jwtSecret).toBe(config.jwtSecret);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(config.jwtSecret);
  });

  it('reads every variable and treats empty ones as unset', () => {
    const config = loadConfig({
      DATA_DIR: dir(),
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@db:5432/pipdesk',
      REDIS_URL: 'redis://cache:6379',
      SMTP_URL: 'smtp://u:p@mail:587',
      MAIL_FROM: 'Ops <ops@pipdesk.app>',
      PUBLIC_URL: 'https://pipdesk.app/',
      JWT_SECRET: 'x'.repeat(40),
      TRUST_PROXY_HOPS: '1',
      SMTP: '',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u@db:5432/pipdesk',
      redisUrl: 'redis://cache:6379',
      smtpUrl: 'smtp://u:p@mail:587',
      publicUrl: 'https://pipdesk.app',
      jwtSecret: 'x'.repeat(40),
      trustProxyHops: 1,
    });
    expect(loadConfig({ DATA_DIR: dir(), REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT'],
  ])('names the bad variable in %j', (env, name) => {
    expect(() => loadConfig({ DATA_DIR: dir(), ...env })).toThrow(new RegExp(name));
  });

  it('refuses to start in production without JWT_SECRET or PUBLIC_URL', () => {
    expect(() =>
      loadConfig({ DATA_DIR: dir(), NODE_ENV: 'production', PUBLIC_URL: 'https://p.app' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        DATA_DIR: dir(),
        NODE_ENV: 'production',
        JWT_SECRET: 'y'.repeat(40),
        TOTP_SEALING_KEY: 'z'.repeat(40),
      }),
    ).toThrow(/PUBLIC_URL/);
    expect(
      loadConfig({
        DATA_DIR: dir(),
        NODE_ENV: 'production',
        JWT_SECRET: 'y'.repeat(40),
        TOTP_SEALING_KEY: 'z'.repeat(40),
        PUBLIC_URL: 'https://p.app',
      }).env,
    ).toBe('production');
  });

  it('keeps the TOTP sealing key apart from JWT_SECRET', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'y'.repeat(40), PUBLIC_URL: 'https://p.app' };
    expect(() => loadConfig({ DATA_DIR: dir(), ...production })).toThrow(/TOTP_SEALING_KEY is required/);
    expect(() => loadConfig({ DATA_DIR: dir(), ...production, TOTP_SEALING_KEY: 'y'.repeat(40) })).toThrow(
      /must differ from JWT_SECRET/,
    );
    expect(() => loadConfig({ DATA_DIR: dir(), ...production, TOTP_SEALING_KEY: 'short' })).toThrow(
      /TOTP_SEALING_KEY/,
    );
    const dataDir = dir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.totpSealingKey.length).toBeGreaterThanOrEqual(32);
    expect(config.totpSealingKey).not.toBe(config.jwtSecret);
    expect(readFileSync(join(dataDir, 'totp-sealing-key'), 'utf8').trim()).toBe(config.totpSealingKey);
    expect(loadConfig({ DATA_DIR: dataDir }).totpSealingKey).toBe(config.totpSealingKey);
  });

  it('turns error reporting on only with a valid SENTRY_DSN, and names a bad one', () => {
    expect(loadConfig({ DATA_DIR: dir() }).errorReporting).toBeUndefined();
    expect(loadConfig({ DATA_DIR: dir(), SENTRY_DSN: '' }).errorReporting).toBeUndefined();
    expect(
      loadConfig({ DATA_DIR: dir(), SENTRY_DSN: 'https://abc@o1.ingest.example/42', NODE_ENV: 'test' })
        .errorReporting,
    ).toEqual({
      dsn: 'https://abc@o1.ingest.example/42',
      release: expect.stringMatching(/^pipdesk-cloud@\d+\.\d+\.\d+/) as unknown,
      environment: 'test',
    });
    for (const bad of ['not a url', 'https://o1.ingest.example/42', 'https://abc:pw@o1.ingest.example/42']) {
      expect(() => loadConfig({ DATA_DIR: dir(), SENTRY_DSN: bad })).toThrow(/SENTRY_DSN: a Sentry DSN/);
    }
  });
});
