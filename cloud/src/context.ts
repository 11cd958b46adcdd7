import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Db } from './db/database';
import type { Mailer } from './mail/mailer';
import type { AccessTokens } from './security/access-tokens';
import type { Keys } from './security/crypto';
import type { PasswordHasher } from './security/passwords';
import type { SessionGate, SessionRead } from './security/session-gate';
import type { LimitRule, RateLimiter } from './security/rate-limiter';
import { apiError } from './errors';
import type { AuditLog } from './services/audit';
import type { ConnectorHub } from './connector/hub';
import type { Metrics } from './observability/metrics';
import type { ConnectionListCache, ListRead } from './routes/connections/list-cache';
import type { ErrorReporter } from './observability/error-reporting';

/** The named limits. Each is a sliding window; keys are per address (`_ip`) or per account. */
export const LIMIT_NAMES = [
  'global_ip',
  'login_ip',
  'login_account',
  'register_ip',
  'register_account',
  'forgot_ip',
  'forgot_account',
  'reset_ip',
  'reset_token',
  'reset_account',
  'totp_ip',
  'totp_account',
  'refresh_ip',
  'password_change_account',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Defaults chosen to stop guessing and floods while leaving room for a person who mistypes (docs/security.md). */
export const DEFAULT_LIMITS: Readonly<Record<LimitName, Omit<LimitRule, 'name'>>> = {
  global_ip: { limit: 600, windowMs: MIN },
  login_ip: { limit: 30, windowMs: 15 * MIN },
  login_account: { limit: 10, windowMs: 15 * MIN },
  register_ip: { limit: 10, windowMs: HOUR },
  register_account: { limit: 5, windowMs: HOUR },
  forgot_ip: { limit: 10, windowMs: HOUR },
  forgot_account: { limit: 3, windowMs: HOUR },
  reset_ip: { limit: 20, windowMs: HOUR },
  reset_token: { limit: 5, windowMs: HOUR },
  reset_account: { limit: 10, windowMs: HOUR },
  totp_ip: { limit: 30, windowMs: 15 * MIN },
  totp_account: { limit: 10, windowMs: 15 * MIN },
  refresh_ip: { limit: 120, windowMs: MIN },
  password_change_account: { limit: 10, windowMs: HOUR },
};

/** What /readyz asks the parts that talk to other instances; each part sets its own at start. */
export interface HealthProbes {
  syncBus: () => 'up' | 'down' | 'local';
  revocations: () => 'subscribed' | 'retrying' | 'local';
}

/** Everything a route or plugin needs, decorated on the Fastify instance as `app.cloud`. */
export interface CloudContext {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: Db;
  readonly hasher: PasswordHasher;
  readonly accessTokens: AccessTokens;
  /** Remembers live sessions between requests while Redis confirms each one (security/session-gate.ts). */
  readonly sessionGate: SessionGate;
  /** Each user's connection list per instance, and the version bracket around its changes (list-cache.ts). */
  readonly connectionLists: ConnectionListCache;
  readonly keys: Keys;
  readonly limiter: RateLimiter;
  readonly mailer: Mailer;
  readonly audit: AuditLog;
  readonly hub: ConnectorHub;
  readonly log: FastifyBaseLogger;
  readonly limits: Readonly<Record<LimitName, LimitRule>>;
  readonly probes: HealthProbes;
  /** Prometheus metrics, served on the metrics listener (docs/operations.md). */
  readonly metrics: Metrics;
  /** Sentry error reports; a no-op unless SENTRY_DSN is set (docs/operations.md, "Error reports"). */
  readonly errors: ErrorReporter;
  /** Minimum time a forgot-password answer takes, so known and unknown emails answer alike. */
  readonly forgotPasswordFloorMs: number;
  /** Runs work after the response (e.g. sending mail); `app.close()` waits for it. */
  background(task: Promise<unknown>, what: string): void;
}

/** The authenticated caller, set by the `authenticate` pre-handler. */
export interface AuthContext {
  readonly userId: string;
  readonly sessionId: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    cloud: CloudContext;
    /** Pre-handler that requires a valid access token and sets `request.auth`. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
    /**
     * The session's mark, read alongside the per-address limit for a token verified before; `authenticate`
     * takes it (once) instead of asking Redis again (security/session-gate.ts).
     */
    sessionRead: SessionRead | null;
    /** The caller's connection list version, read in the same round trip (routes/connections/list-cache.ts). */
    listRead: ListRead | null;
  }
  interface FastifyContextConfig {
    /** The route answers the caller's connection list: its version is read with the rate limit. */
    readsConnectionList?: boolean;
  }
}

/**
 * Counts a hit against a limit and throws 429 with Retry-After (whole seconds, rounded up) when it is spent.
 * `alsoRead` names Redis keys to read in the same round trip; their values come back (null when Redis did not
 * answer or nothing was asked).
 */
export async function enforceLimit(
  ctx: CloudContext,
  name: LimitName,
  key: string,
  who?: { readonly ip?: string | null; readonly userId?: string | null },
  alsoRead: readonly string[] = [],
): Promise<(string | null)[] | null> {
  const { decision, values } = await ctx.limiter.hitAndRead(ctx.limits[name], key, alsoRead);
  ctx.metrics.limiterDecisions.inc({ limit: name, decision: decision.allowed ? 'allowed' : 'refused' });
  if (decision.allowed) return values;
  const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  if (name !== 'global_ip') {
    await ctx.audit.write({
      event: 'auth.rate_limited',
      result: 'refused',
      ip: who?.ip ?? null,
      userId: who?.userId ?? null,
      details: { limit: name },
    });
  }
  throw apiError(
    'rate_limited',
    `Too many attempts. Try again in ${retryAfter} seconds.`,
    { retry_after: retryAfter, limit: name },
    { 'retry-after': String(retryAfter) },
  );
}
