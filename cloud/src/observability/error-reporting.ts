import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { reportingOptions, type ErrorReporting } from '../../../src-core/contracts/error-reporting';

/**
 * Error reports to Sentry (docs/operations.md, "Error reports"): off unless SENTRY_DSN is set, and then only
 * unexpected failures (500s, failed background tasks, a crash), each scrubbed by the one scrubber in
 * src-core/observability/scrub.ts before it leaves the process.
 */
export interface ErrorReporter {
  readonly isEnabled: boolean;
  /** A request that ended in a 500: tagged with its request id and route; no body is attached. */
  captureRequestError(error: unknown, request: FastifyRequest): void;
  /** A failure outside any request (a background task, an uncaught exception). */
  capture(error: unknown, tags?: Readonly<Record<string, string>>): void;
  /** Sends what is queued (waiting at most `timeoutMs`) and stops reporting. */
  close(timeoutMs?: number): Promise<void>;
}

/** The reporter when SENTRY_DSN is unset: nothing is loaded and nothing is sent. */
export const reportingOff: ErrorReporter = {
  isEnabled: false,
  captureRequestError: () => undefined,
  capture: () => undefined,
  close: () => Promise.resolve(),
};

/**
 * A reporter with its own Sentry client, not the SDK's global one, so each `build()` (tests build many) owns
 * and closes its client. `@sentry/node` is imported only here and only when reporting is on.
 */
export async function startErrorReporter(
  config: ErrorReporting | undefined,
  log: FastifyBaseLogger,
): Promise<ErrorReporter> {
  if (config === undefined) return reportingOff;
  const Sentry = await import('@sentry/node');
  const client = new Sentry.NodeClient({
    ...reportingOptions(config),
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    // Only what an error report needs: no tracing, no request bodies, no local variables, no console capture.
    integrations: [
      Sentry.linkedErrorsIntegration(),
      Sentry.dedupeIntegration(),
      Sentry.functionToStringIntegration(),
    ],
  });
  const scope = new Sentry.Scope();
  scope.setClient(client);
  client.init();
  let isOpen = true;
  log.info({ environment: config.environment, release: config.release }, 'error reports: on (Sentry)');
  const send = (error: unknown, configure: (s: InstanceType<typeof Sentry.Scope>) => void): void => {
    if (!isOpen) return;
    const local = scope.clone();
    configure(local);
    local.captureException(error);
  };
  return {
    isEnabled: true,
    captureRequestError(error, request) {
      send(error, (local) => {
        local.setTag('request_id', request.id);
        local.setTag('route', request.routeOptions.url ?? 'unmatched');
        local.addEventProcessor((event) => ({
          ...event,
          request: {
            method: request.method,
            url: request.url,
            headers: Object.fromEntries(
              Object.entries(request.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
            ),
          },
        }));
      });
    },
    capture(error, tags = {}) {
      send(error, (local) => {
        local.setTags(tags);
      });
    },
    async close(timeoutMs = 2_000) {
      if (!isOpen) return;
      isOpen = false;
      const isFlushed = await client.close(timeoutMs);
      if (!isFlushed) log.warn({ timeoutMs }, 'error reports: some were not sent before shutdown');
    },
  };
}
