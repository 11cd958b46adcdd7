import type { Clock, Timers } from '../../../src-core/clock';
import type { Journal } from '../journal';
import type { Logger } from '../../../src-core/logger';
import type { SettingsStore } from '../settings';
import type { TradingBridge } from '../trading-bridge';

/** Tunables; the defaults suit a real terminal, tests shorten the waits. */
export interface ExecutorOptions {
  /** Magic number stamped on every order (identifies Pipdesk's orders in MT5). */
  readonly magic: string;
  /** order_send deadline; past it the outcome is unknown. Protocol default 30 s. */
  readonly sendDeadlineMs: number;
  /** Deadline of data requests (spec, quote, account, positions, margin). */
  readonly dataDeadlineMs: number;
  /** lookup deadline. */
  readonly lookupDeadlineMs: number;
  /**
   * Wait after an unknown outcome before the first lookup, so a request still in the terminal's queue has run
   * (the EA is single-threaded and answers in order, and it refuses requests read after `expiresAt`).
   */
  readonly reconcileGraceMs: number;
  /** Lookups made inside the call before answering OUTCOME_UNKNOWN (later ones run on reconnect). */
  readonly reconcileAttempts: number;
  /** Inside the call, how long to wait for the terminal to reconnect before a lookup (an EA reconnects in ~1 s). */
  readonly reconnectWaitMs: number;
  /** Requests with the same content and no distinct request keys within this window produce one order. */
  readonly dedupWindowMs: number;
  /** Pause before retrying a retryable outcome, multiplied by the attempt number. */
  readonly retryBackoffMs: number;
  /** How long a symbol specification is reused before it is asked again. */
  readonly specTtlMs: number;
  /**
   * Fsync the `pending` row before sending (SQLite synchronous=FULL for that commit). With false the row still
   * survives an application crash (WAL), but not a power cut or OS crash; see docs/order-lifecycle.md.
   */
  readonly isPendingWriteFsynced: boolean;
  /**
   * While entries stay open (unknown), reconciliation re-runs after these delays, the last one repeating, until
   * none is left: a link that never drops would otherwise never re-check them.
   */
  readonly reconcileRetryDelaysMs: readonly number[];
  /**
   * "No trace" from the session the order was sent on, still open, proves "not executed" only when asked this long
   * after the order's `expiresAt` (covers the EA's one-second clock and its read of the request just before it
   * expired). See docs/order-lifecycle.md, "When absence is proof".
   */
  readonly sameSessionProofMarginMs: number;
  /**
   * "No trace" from any other session (a reconnect, a second instance, a restarted app) proves "not executed" only
   * when asked this long after the order's `expiresAt`, with the terminal's history searched from before the send:
   * the session that read the order may still be inside OrderSend, unseen.
   */
  readonly otherSessionProofMarginMs: number;
}

/** Timer functions, injectable so tests can drive every wait of the executor (retries, grace, reconnects). */
export type ExecutorTimers = Timers;

/** Node's timers, unref'd: a pending retry or reconciliation never keeps a process alive on its own. */
export const NODE_TIMERS: ExecutorTimers = {
  setTimeout: (callback, ms) => {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Resolves after `ms` on the given timers. */
export function sleep(timers: ExecutorTimers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimeout(resolve, ms);
  });
}

export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = {
  magic: '20260401',
  sendDeadlineMs: 30_000,
  dataDeadlineMs: 5_000,
  lookupDeadlineMs: 10_000,
  reconcileGraceMs: 1_000,
  reconcileAttempts: 2,
  reconnectWaitMs: 5_000,
  dedupWindowMs: 1_500,
  retryBackoffMs: 150,
  specTtlMs: 2_000,
  isPendingWriteFsynced: true,
  reconcileRetryDelaysMs: [5_000, 15_000, 60_000],
  sameSessionProofMarginMs: 2_000,
  otherSessionProofMarginMs: 60_000,
};

/** Everything the executor works with. */
export interface ExecutorDeps {
  readonly bridge: TradingBridge;
  readonly journal: Journal;
  readonly settings: SettingsStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly options?: Partial<ExecutorOptions>;
  /** Default: Node's timers (unref'd). */
  readonly timers?: ExecutorTimers;
  /** A monotonic millisecond counter for latencies (default `performance.now`). */
  readonly stopwatch?: () => number;
}
