import { reportingOptions, type ErrorReporting } from '../../src-core/contracts/error-reporting';

let started: Promise<void> | null = null;

/**
 * Starts the renderer's error reports when the main process says they are on (AppInfo.errorReporting,
 * docs/operations.md "Error reports"). `@sentry/browser` is a separate chunk loaded only then, so the initial
 * bundle stays within its budget and an app without a DSN never loads it. Events and breadcrumbs go through the
 * same scrubber as main's; sessions are not sent (they would report usage, not errors). Starts once.
 */
export function startRendererErrorReporting(config: ErrorReporting | undefined): Promise<boolean> {
  if (config === undefined) return Promise.resolve(false);
  started ??= import('@sentry/browser').then((Sentry) => {
    Sentry.init({
      ...reportingOptions(config),
      integrations: (defaults) => defaults.filter((integration) => integration.name !== 'BrowserSession'),
    });
  });
  return started.then(() => true);
}
