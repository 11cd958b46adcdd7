import type { TradeResult } from '../../../src-bridge/protocol/messages';
import type { JournalEntry } from '../../../src-core/contracts/journal';
import type { ExecutionResult, Origin } from '../../../src-core/contracts/orders';
import type { AppError, Result } from '../../../src-core/result';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import type { Clock } from '../../../src-core/clock';
import type { Emitter } from '../../../src-core/emitter';
import type { Journal, JournalPatch } from '../journal';
import type { Logger } from '../../../src-core/logger';
import type { SettingsStore } from '../settings';
import type { OrderSendParams, TradingBridge } from '../trading-bridge';
import type { ExecutorOptions, ExecutorTimers } from './options';

/** An order result with its journal entry, for `onOrderResult`. */
export interface OrderResultEvent {
  readonly result: ExecutionResult;
  readonly entry: JournalEntry;
}

/** What a reconciliation pass did. */
export interface ReconcileSummary {
  readonly checked: number;
  readonly done: number;
  readonly notExecuted: number;
  readonly stillUnknown: number;
}

/** A reason not to send, with the journal state it leaves (default `rejected`). */
export type Refusal = AppError & { readonly state?: 'rejected' | 'failed' };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What an operation wants sent, worked out from live data. */
export interface SendPlan {
  readonly params: DistributiveOmit<OrderSendParams, 'clOrdId' | 'magic'>;
  readonly spec: SymbolSpec;
  readonly journal: JournalPatch;
  /** Plain words for a done result. */
  readonly describe: (r: TradeResult) => string;
  /** A fresh plan for a retry (market orders re-price); absent when the same request can be resent as is. */
  readonly refresh?: () => Promise<Result<SendPlan, Refusal>>;
}

/** A planner: the plan of one operation, or why it is refused. */
export type Planner = () => Promise<Result<SendPlan, Refusal>>;

/** Who asked, for de-duplication and the journal. */
export interface Base {
  readonly requestKey: string | null;
  readonly origin: Origin;
}

/** The journal columns an operation fills in before it is planned. */
export interface Head {
  readonly symbol: string | null;
  readonly side: string | null;
  readonly volume: number | null;
  readonly position?: string | null;
  readonly order?: string | null;
}

/** Where and until when an attempt was sent. */
export interface SentAttempt {
  readonly via: string | undefined;
  readonly expiresAt: number;
}

/** The parts of the executor every responsibility shares. */
export interface ExecutorContext {
  readonly bridge: TradingBridge;
  readonly journal: Journal;
  readonly settings: SettingsStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly timers: ExecutorTimers;
  readonly stopwatch: () => number;
  readonly opt: ExecutorOptions;
  /** Every final or uncertain result, including those settled later by reconciliation. */
  readonly results: Emitter<[OrderResultEvent]>;
  /**
   * Entries whose operation is running in this process (its order_send may still be on its way). A reconciliation
   * pass skips them: "no trace yet" says nothing about a request the terminal has not answered.
   */
  readonly inFlight: Set<string>;
  /**
   * Each open entry's last attempt sent by this process: the session it was handed to (see
   * `TradingBridge.sessionId`) and a bound on its `expiresAt`. Not journalled: sessions do not outlive the process,
   * so after a restart no live session can have seen the order.
   */
  readonly sent: Map<string, SentAttempt>;
  /** Open rows later proven executed (the trader was told "unknown", or nothing at all before a restart). */
  readonly lateExecutions: Emitter<[OrderResultEvent]>;
  /** Whether the executor was closed (in-flight work finishes, nothing new is scheduled). */
  readonly isClosed: () => boolean;
}
