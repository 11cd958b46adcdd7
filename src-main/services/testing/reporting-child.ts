// A plain Node main process for the error-reporting test: it reports (or not) as the real main does, then fails
// in the two ways a main process can fail unseen: an uncaught exception and an unhandled rejection.
import { createMemoryLogger } from '../../../src-core/logger';
import {
  reportingLogger,
  resolveErrorReporting,
  startMainErrorReporter,
  watchProcess,
} from '../error-reporting';

interface Plan {
  readonly dataDir: string;
  readonly uncaught: string;
  readonly rejected: string;
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.env['PIPDESK_REPORTING_CHILD'] ?? '{}') as Plan;
  const resolved = resolveErrorReporting({
    env: process.env,
    dataDir: plan.dataDir,
    version: '1.2.3',
    isPackaged: false,
  });
  if (!resolved.ok) throw new Error(resolved.error.message);
  const base = createMemoryLogger();
  const reporter = await startMainErrorReporter(resolved.value, base);
  watchProcess(process, reportingLogger(base, reporter));
  setTimeout(() => {
    throw new Error(plan.uncaught);
  });
  setTimeout(() => {
    void Promise.reject(new Error(plan.rejected));
  });
  setTimeout(() => {
    void reporter.close().then(() => {
      process.stdout.write(
        `${JSON.stringify({ isOn: resolved.value !== undefined, logged: base.records.filter((r) => r.level === 'error').length })}\n`,
      );
      process.exit(0);
    });
  }, 20);
}

void main();
