// The executor's public API (see executor.ts); everything else in this folder is internal to it.
export { Executor } from './executor';
export { attemptClOrdId } from './ids';
export type { ExecutorDeps, ExecutorOptions, ExecutorTimers } from './options';
export { DEFAULT_EXECUTOR_OPTIONS } from './options';
export type { OrderResultEvent, ReconcileSummary } from './context';
export type { PendingKind } from '../../../src-core/contracts/orders';
