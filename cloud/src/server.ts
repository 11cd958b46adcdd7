import { build } from './app';
import { ConfigError, loadConfig } from './config';
import { startMetricsServer } from './observability/metrics-server';

/** `npm run cloud`: reads the environment, builds the app and listens until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await build({ config });
  // A crash is reported (when SENTRY_DSN is set) and flushed before the process ends as Node would end it.
  const crash = (kind: string) => (error: unknown) => {
    app.log.fatal({ err: error }, kind);
    app.cloud.errors.capture(error, { mechanism: kind });
    void app.cloud.errors.close().finally(() => process.exit(1));
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
  await app.listen({ port: config.port, host: config.host });
  // Metrics are worth an error line, not an outage: a busy port leaves the API serving.
  const metricsServer = await startMetricsServer(app.cloud.metrics.registry, {
    host: config.metricsHost,
    port: config.metricsPort,
  }).catch((error: unknown) => {
    app.log.error({ err: error, port: config.metricsPort }, 'metrics listener failed to start; no /metrics');
    return undefined;
  });
  const shutdown = (signal: string): void => {
    app.log.info({ signal }, 'shutting down');
    Promise.all([app.close(), metricsServer?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  app.log.info(
    {
      database: config.databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres',
      redis: config.redisUrl === undefined ? 'none (in-memory limits)' : 'configured',
      mail: config.smtpUrl === undefined ? 'outbox folder' : 'smtp',
      publicUrl: config.publicUrl,
      metrics: metricsServer?.url ?? 'off',
    },
    'Pipdesk cloud ready',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Pipdesk cloud failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
