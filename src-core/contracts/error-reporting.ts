import { z } from 'zod';
import { scrubBreadcrumb, scrubEvent } from '../observability/scrub';

// scheme, public key (no password), host[:port], optional path, numeric project id; nothing after it.
const DSN_SHAPE = /^(https?:\/\/)[A-Za-z0-9_-]+@([A-Za-z0-9.[\]:-]+)(\/[A-Za-z0-9._~/-]*)?\/\d+$/;

/**
 * A Sentry DSN: `http(s)://<public key>@<host>[:port][/path]/<project id>`. The public key only lets a client
 * post events, so the renderer may see it; anything else in the URL (a password, a query) is refused.
 */
export const SentryDsn = z
  .url({ protocol: /^https?$/, error: 'a Sentry DSN: https://<key>@<host>/<project id>' })
  .regex(DSN_SHAPE, 'a Sentry DSN: https://<key>@<host>/<project id> (no password, query or fragment)');
export type SentryDsn = z.infer<typeof SentryDsn>;

/** What a process needs to report errors; absent everywhere means reporting is off. */
export const ErrorReporting = z.object({
  dsn: SentryDsn,
  /** e.g. `pipdesk-desktop@0.1.0`, so reports group by version. */
  release: z.string().min(1).max(200),
  /** e.g. `production`, `development`. */
  environment: z.string().min(1).max(64),
});
export type ErrorReporting = z.infer<typeof ErrorReporting>;

/** The origin events are posted to (`https://o1.ingest.example`): the one extra `connect-src` of the CSP. */
export function dsnOrigin(dsn: SentryDsn): string {
  const match = DSN_SHAPE.exec(dsn);
  if (match === null) throw new Error('not a Sentry DSN');
  return `${match[1] ?? ''}${(match[2] ?? '').toLowerCase()}`;
}

/**
 * Options every Pipdesk Sentry client shares: no default PII, every event and breadcrumb through the one
 * scrubber (docs/security.md, "Error reports"), a short breadcrumb trail. Spread into the SDK's options.
 */
export function reportingOptions(config: ErrorReporting): {
  readonly dsn: string;
  readonly release: string;
  readonly environment: string;
  readonly sendDefaultPii: false;
  readonly maxBreadcrumbs: number;
  readonly beforeSend: <E extends object>(event: E) => E;
  readonly beforeBreadcrumb: <B extends object>(breadcrumb: B) => B;
} {
  return {
    dsn: config.dsn,
    release: config.release,
    environment: config.environment,
    sendDefaultPii: false,
    maxBreadcrumbs: 30,
    beforeSend: scrubEvent,
    beforeBreadcrumb: scrubBreadcrumb,
  };
}
