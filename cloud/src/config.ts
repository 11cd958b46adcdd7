import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SentryDsn, type ErrorReporting } from '../../src-core/contracts/error-reporting';

/**
 * The cloud's configuration, read from the environment once at start. Every variable has a default that
 * runs on a fresh machine (SQLite in DATA_DIR, in-memory limiter, mail to an outbox folder); docs/operations.md
 * lists them. Invalid values stop the service with a message naming the variable.
 */
export const EnvSchema = z.object({
  /** `production` refuses to start without JWT_SECRET and PUBLIC_URL. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Unset: `sqlite:<DATA_DIR>/pipdesk-cloud.db`. Otherwise `sqlite:<path>` or `postgres://…`. */
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'sqlite:<path> or postgres://…')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Unset: rate limits kept in memory (one instance only). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'redis://… or rediss://…')
    .optional(),
  /** Prefix of every Redis key, so several deployments can share a Redis. */
  REDIS_KEY_PREFIX: z.string().default('pipdesk:'),
  /** Unset: mail is written to DATA_DIR/outbox and logged. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'smtp://user:pass@host:port or smtps://…')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Pipdesk <no-reply@pipdesk.local>'),
  /** Base of links in emails and the only CORS origin. Never taken from the Host header. */
  PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
  /** HS256 key, at least 32 bytes. Unset outside production: generated once into DATA_DIR/jwt-secret. */
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Seals TOTP secrets and keys recovery-code hashes, apart from JWT_SECRET so each can be rotated alone
   * (docs/security.md, "Keys and rotation"). At least 32 characters. Unset outside production: generated once
   * into DATA_DIR/totp-sealing-key.
   */
  TOTP_SEALING_KEY: z.string().min(32, 'at least 32 characters').optional(),
  /** The sealing key before a rotation: still opens (and at start re-seals) what it sealed. */
  TOTP_SEALING_KEY_PREVIOUS: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * The JWT_SECRET that sealed 2FA secrets before TOTP_SEALING_KEY existed (default: JWT_SECRET). Set it to the
   * old value when rotating JWT_SECRET, so recovery codes issued before the key split keep working.
   */
  TOTP_LEGACY_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Access token lifetime in seconds. */
  ACCESS_TOKEN_TTL: z.coerce.number().int().min(30).max(3600).default(900),
  /** Refresh token (and session) lifetime in seconds; re-authentication is required after it (ASVS 3.3.2). */
  REFRESH_TOKEN_TTL: z.coerce
    .number()
    .int()
    .min(300)
    .max(90 * 86400)
    .default(30 * 86400),
  /** Trust X-Forwarded-For from this many proxy hops (0: use the socket address). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Largest JSON body in bytes. */
  BODY_LIMIT: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  /** Largest password hashes computed at once (each argon2id hash holds 64 MiB). */
  HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Port of the Prometheus `/metrics` listener, apart from the public port (docs/operations.md, "Metrics"). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Bind address of the metrics listener; loopback unless a scraper on another host must reach it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Unset: no error reports leave the service (docs/operations.md, "Error reports"). */
  SENTRY_DSN: SentryDsn.optional(),
  /** Default: NODE_ENV. */
  SENTRY_ENVIRONMENT: z.string().min(1).max(64).optional(),
  /** Default: `pipdesk-cloud@<version of cloud/package.json>`. */
  SENTRY_RELEASE: z.string().min(1).max(200).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly jwtSecret: string;
  readonly totpSealingKey: string;
  readonly totpSealingKeyPrevious?: string;
  /** Unset: JWT_SECRET opens what was sealed before the key split. */
  readonly totpLegacyJwtSecret?: string;
  readonly accessTokenTtlSec: number;
  readonly refreshTokenTtlSec: number;
  readonly trustProxyHops: number;
  readonly bodyLimit: number;
  readonly hashConcurrency: number;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly metricsPort: number;
  readonly metricsHost: string;
  /** Absent: error reporting is off. */
  readonly errorReporting?: ErrorReporting;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment into a {@link Config}; throws {@link ConfigError} naming each bad variable. */
export function loadConfig(source: Readonly<Record<string, string | undefined>> = process.env): Config {
  // Empty strings mean "unset" so `FOO= npm run cloud` behaves like no FOO at all.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const env = parsed.data;
  const dataDir = resolve(env.DATA_DIR);
  if (env.NODE_ENV === 'production' && env.JWT_SECRET === undefined) {
    throw new ConfigError('JWT_SECRET is required in production (at least 32 random characters).');
  }
  if (env.NODE_ENV === 'production' && env.TOTP_SEALING_KEY === undefined) {
    throw new ConfigError(
      'TOTP_SEALING_KEY is required in production (at least 32 random characters, not JWT_SECRET; see docs/security.md, "Keys and rotation").',
    );
  }
  if (env.TOTP_SEALING_KEY !== undefined && env.TOTP_SEALING_KEY === env.JWT_SECRET) {
    throw new ConfigError('TOTP_SEALING_KEY must differ from JWT_SECRET, so each can be rotated alone.');
  }
  if (env.NODE_ENV === 'production' && source['PUBLIC_URL'] === undefined) {
    throw new ConfigError('PUBLIC_URL is required in production (the base of emailed links).');
  }
  mkdirSync(dataDir, { recursive: true });
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL ?? `sqlite:${join(dataDir, 'pipdesk-cloud.db')}`,
    dataDir,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
    jwtSecret: env.JWT_SECRET ?? developmentSecret(dataDir, 'jwt-secret'),
    totpSealingKey: env.TOTP_SEALING_KEY ?? developmentSecret(dataDir, 'totp-sealing-key'),
    ...(env.TOTP_SEALING_KEY_PREVIOUS === undefined
      ? {}
      : { totpSealingKeyPrevious: env.TOTP_SEALING_KEY_PREVIOUS }),
    ...(env.TOTP_LEGACY_JWT_SECRET === undefined ? {} : { totpLegacyJwtSecret: env.TOTP_LEGACY_JWT_SECRET }),
    accessTokenTtlSec: env.ACCESS_TOKEN_TTL,
    refreshTokenTtlSec: env.REFRESH_TOKEN_TTL,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    bodyLimit: env.BODY_LIMIT,
    hashConcurrency: env.HASH_CONCURRENCY,
    logLevel: env.LOG_LEVEL,
    metricsPort: env.METRICS_PORT,
    metricsHost: env.METRICS_HOST,
    ...(env.SENTRY_DSN === undefined
      ? {}
      : {
          errorReporting: {
            dsn: env.SENTRY_DSN,
            release: env.SENTRY_RELEASE ?? `pipdesk-cloud@${cloudVersion()}`,
            environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV,
          },
        }),
  };
}

/** Outside production a missing secret is generated once and kept, so restarts keep sessions and 2FA valid. */
function developmentSecret(dataDir: string, name: 'jwt-secret' | 'totp-sealing-key'): string {
  const file = join(dataDir, name);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The cloud package's version, the default release of error reports. */
function cloudVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const parsed = z.object({ version: z.string() }).safeParse(JSON.parse(text));
  return parsed.success ? parsed.data.version : 'unknown';
}
