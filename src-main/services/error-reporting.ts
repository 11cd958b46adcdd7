import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorReporting, SentryDsn, reportingOptions } from '../../src-core/contracts/error-reporting';
import { redact, type LogFields, type Logger } from '../../src-core/logger';
import { appError, err, ok, type Result } from '../../src-core/result';

/**
 * The desktop main process's error reports (docs/operations.md, "Error reports"): off unless a DSN is given
 * (`SENTRY_DSN`, or `error-reporting.json` in the data folder); then every error the main process logs, and
 * every uncaught exception or unhandled rejection, is sent through the one scrubber
 * (src-core/observability/scrub.ts). `@sentry/node` is loaded only when reporting is on.
 */
export interface MainErrorReporter {
  /** What the renderer needs to report too (docs/desktop.md); absent when reporting is off. */
  readonly config: ErrorReporting | undefined;
  capture(error: unknown, context?: { readonly message?: string; readonly extra?: LogFields }): void;
  /** Sends what is queued (waiting at most `timeoutMs`) and stops reporting. */
  close(timeoutMs?: number): Promise<void>;
}

/** Reporting off: nothing loaded, nothing sent. */
export const reportingOff: MainErrorReporter = {
  config: undefined,
  capture: () => undefined,
  close: () => Promise.resolve(),
};

/** `<dataDir>/error-reporting.json`: how an installed app is switched on without an environment variable. */
const ReportingFile = z.strictObject({
  dsn: SentryDsn,
  environment: z.string().min(1).max(64).optional(),
});

/**
 * Where reporting is configured: `SENTRY_DSN` (and `SENTRY_ENVIRONMENT`) first, else the data folder's
 * `error-reporting.json`, else off. A bad DSN is refused with a message rather than ignored.
 */
export function resolveErrorReporting(options: {
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  readonly version: string;
  readonly isPackaged: boolean;
}): Result<ErrorReporting | undefined> {
  const fromEnv = options.env['SENTRY_DSN']?.trim();
  let dsn: string | undefined;
  let environment = options.env['SENTRY_ENVIRONMENT']?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    dsn = fromEnv;
  } else {
    const file = join(options.dataDir, 'error-reporting.json');
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No file: reporting stays off.
    }
    if (text !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = ReportingFile.safeParse(json);
      if (!parsed.success) {
        return err(
          appError('BAD_OPTIONS', `${file}: expected {"dsn": "https://<key>@<host>/<project id>"}.`),
        );
      }
      dsn = parsed.data.dsn;
      environment = environment === undefined || environment === '' ? parsed.data.environment : environment;
    }
  }
  if (dsn === undefined) return ok(undefined);
  const config = ErrorReporting.safeParse({
    dsn,
    release: `pipdesk-desktop@${options.version}`,
    environment:
      environment === undefined || environment === ''
        ? options.isPackaged
          ? 'production'
          : 'development'
        : environment,
  });
  if (!config.success) {
    return err(
      appError(
        'BAD_OPTIONS',
        `SENTRY_DSN is not a Sentry DSN (https://<key>@<host>/<project id>): ${config.error.issues[0]?.message ?? ''}`,
      ),
    );
  }
  return ok(config.data);
}

/** Starts a Sentry client of its own (not the SDK's global one) when `config` is given. */
export async function startMainErrorReporter(
  config: ErrorReporting | undefined,
  logger: Logger,
): Promise<MainErrorReporter> {
  if (config === undefined) return reportingOff;
  const Sentry = await import('@sentry/node');
  const client = new Sentry.NodeClient({
    ...reportingOptions(config),
    // The computer's name often carries the user's name.
    includeServerName: false,
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
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
  logger.info('error reports: on (Sentry)', { environment: config.environment, release: config.release });
  return {
    config,
    capture(error, context = {}) {
      if (!isOpen) return;
      const local = scope.clone();
      if (context.message !== undefined) local.setTag('source', context.message);
      if (context.extra !== undefined) local.setExtras(redact(context.extra) as Record<string, unknown>);
      local.captureException(error instanceof Error ? error : new Error(context.message ?? String(error)));
    },
    async close(timeoutMs = 2_000) {
      if (!isOpen) return;
      isOpen = false;
      await client.close(timeoutMs);
    },
  };
}

/**
 * The main process's logger with reporting added: every `error` line is also a report (its `error` field as the
 * exception, the message as a tag, the other fields as extra). Services keep logging as they do; nothing in
 * them knows about Sentry.
 */
export function reportingLogger(logger: Logger, reporter: MainErrorReporter): Logger {
  if (reporter.config === undefined) return logger;
  return {
    debug: (message, fields) => {
      logger.debug(message, fields);
    },
    info: (message, fields) => {
      logger.info(message, fields);
    },
    warn: (message, fields) => {
      logger.warn(message, fields);
    },
    error: (message, fields) => {
      logger.error(message, fields);
      const { error, ...extra } = fields ?? {};
      reporter.capture(error ?? new Error(message), { message, extra });
    },
  };
}

/**
 * Logs (and so, through {@link reportingLogger}, reports) uncaught exceptions and unhandled rejections of the
 * main process, which keeps running as it did before reporting existed. Returns the unsubscribe.
 */
export function watchProcess(target: NodeJS.Process, logger: Logger): () => void {
  const onException = (error: unknown): void => {
    logger.error('main: uncaught exception', { error });
  };
  const onRejection = (error: unknown): void => {
    logger.error('main: unhandled rejection', { error });
  };
  target.on('uncaughtException', onException);
  target.on('unhandledRejection', onRejection);
  return () => {
    target.off('uncaughtException', onException);
    target.off('unhandledRejection', onRejection);
  };
}
