import type { ExecutorOptions } from '../../src-main/services/executor';

/** Executor deadlines for end-to-end runs that share two cores with Chromium and argon2. */
export const RELAXED_EXECUTOR: Partial<ExecutorOptions> = {
  sendDeadlineMs: 5_000,
  dataDeadlineMs: 5_000,
  lookupDeadlineMs: 5_000,
  reconcileGraceMs: 0,
  retryBackoffMs: 1,
  dedupWindowMs: 200,
  specTtlMs: 0,
};
