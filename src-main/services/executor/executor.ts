import type { z } from 'zod';
import type { ExecutionResult, Operation, Origin, TradeIntent } from '../../../src-core/contracts/orders';
import {
  CancelOrder,
  CloseAll,
  ClosePosition,
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  PlacePendingOrder,
} from '../../../src-core/contracts/orders';
import { Emitter } from '../../../src-core/emitter';
import type { Result } from '../../../src-core/result';
import { runCloseAll } from './close-all';
import type { Base, ExecutorContext, OrderResultEvent, ReconcileSummary } from './context';
import { Deduplicator } from './dedup';
import { Lifecycle } from './lifecycle';
import { MarketData } from './market-data';
import type { ExecutorDeps } from './options';
import { DEFAULT_EXECUTOR_OPTIONS, NODE_TIMERS } from './options';
import { planClose, planCancel } from './planners/close';
import type { PlannerDeps } from './planners/deps';
import { checkMarketTradeRisk, planMarket } from './planners/market';
import { planModifyOrder, planModifyPosition } from './planners/modify';
import { planPending } from './planners/pending';
import { Reconciler } from './reconciler';
import { failure } from './refusals';
import { resultOf } from './results';

/**
 * Turns trade intents into exactly one order on the terminal, or a clear reason why not. See
 * docs/order-lifecycle.md for the states, the exactly-once design and the reconciliation rules. This file is the
 * public API: input validation and de-duplication, then each operation's planner (planners/) run through the
 * lifecycle (lifecycle.ts); close_all is close-all.ts; reconciliation is reconciler.ts around the pure
 * reconcile-decision.ts; results.ts turns journal rows into results.
 */
export class Executor {
  readonly #ctx: ExecutorContext;
  readonly #data: MarketData;
  readonly #planner: PlannerDeps;
  readonly #dedup: Deduplicator;
  readonly #reconciler: Reconciler;
  readonly #lifecycle: Lifecycle;
  readonly #offSession: () => void;
  #closed = false;

  constructor(deps: ExecutorDeps) {
    const opt = { ...DEFAULT_EXECUTOR_OPTIONS, ...deps.options };
    const results = new Emitter<[OrderResultEvent]>((e) => {
      deps.logger.error('order result listener failed', { error: e });
    });
    this.#ctx = {
      bridge: deps.bridge,
      journal: deps.journal,
      settings: deps.settings,
      logger: deps.logger,
      clock: deps.clock,
      timers: deps.timers ?? NODE_TIMERS,
      stopwatch: deps.stopwatch ?? (() => performance.now()),
      opt,
      results,
      inFlight: new Set<string>(),
      sent: new Map(),
      lateExecutions: new Emitter<[OrderResultEvent]>((e) => {
        deps.logger.error('late execution listener failed', { error: e });
      }),
      isClosed: () => this.#closed,
    };
    this.#data = new MarketData(deps.bridge, deps.clock, opt.specTtlMs);
    this.#planner = {
      bridge: deps.bridge,
      data: this.#data,
      settings: deps.settings,
      logger: deps.logger,
      clock: deps.clock,
    };
    this.#dedup = new Deduplicator({
      journal: deps.journal,
      clock: deps.clock,
      logger: deps.logger,
      windowMs: opt.dedupWindowMs,
      resultOf: (entry) => resultOf(deps.journal, entry),
    });
    this.#reconciler = new Reconciler(this.#ctx, this.#data);
    this.#lifecycle = new Lifecycle(this.#ctx, this.#reconciler);
    // A new session may be a restarted terminal: forget cached specs and settle whatever is still open.
    this.#offSession = deps.bridge.onSessionReady(() => {
      this.#data.clear();
      void this.reconcileOpen().catch((e: unknown) => {
        deps.logger.error('reconciliation after reconnect failed', { error: e });
      });
    });
  }

  /** Opens a position at market. */
  openMarket(input: unknown): Promise<ExecutionResult> {
    return this.#entry('open_market', OpenMarketOrder, input, (i, b) =>
      this.#lifecycle.run(
        { operation: 'open_market', input: i },
        b,
        null,
        {
          symbol: i.symbol,
          side: i.side,
          volume: i.volume,
        },
        () => planMarket(this.#planner, i),
      ),
    );
  }

  /**
   * Checks a whole trade's money at risk against the trader's maximum risk per trade without journalling or sending
   * anything: a trade sent as several market orders (a split into parts with their own take-profits) is one trade
   * to that limit, whatever each part risks (docs/trade-management.md, "Multiple take-profits").
   */
  checkTradeRisk(input: OpenMarketOrder): Promise<Result<void>> {
    return checkMarketTradeRisk(this.#planner, input);
  }

  /** Places a pending order. */
  placePending(input: unknown): Promise<ExecutionResult> {
    return this.#entry('place_pending', PlacePendingOrder, input, (i, b) =>
      this.#lifecycle.run(
        { operation: 'place_pending', input: i },
        b,
        null,
        {
          symbol: i.symbol,
          side: i.kind,
          volume: i.volume,
        },
        () => planPending(this.#planner, i),
      ),
    );
  }

  /** Changes a position's SL/TP. */
  modifyPosition(input: unknown): Promise<ExecutionResult> {
    return this.#entry('modify_position', ModifyPosition, input, (i, b) =>
      this.#lifecycle.run(
        { operation: 'modify_position', input: i },
        b,
        null,
        {
          symbol: null,
          side: null,
          volume: null,
          position: i.ticket,
        },
        () => planModifyPosition(this.#planner, i),
      ),
    );
  }

  /** Changes a pending order. */
  modifyOrder(input: unknown): Promise<ExecutionResult> {
    return this.#entry('modify_order', ModifyOrder, input, (i, b) =>
      this.#lifecycle.run(
        { operation: 'modify_order', input: i },
        b,
        null,
        {
          symbol: null,
          side: null,
          volume: null,
          order: i.ticket,
        },
        () => planModifyOrder(this.#planner, i),
      ),
    );
  }

  /** Closes a position fully or partly. */
  closePosition(input: unknown): Promise<ExecutionResult> {
    return this.#entry('close_position', ClosePosition, input, (i, b) => this.#closePosition(i, b, null));
  }

  /** Closes every open position, or those of one symbol. */
  closeAll(input: unknown): Promise<ExecutionResult> {
    return this.#entry('close_all', CloseAll, input, (i, b) =>
      runCloseAll(
        this.#ctx,
        this.#lifecycle,
        i,
        b,
        (ticket, childBase, parentId) => this.#closePosition({ ticket }, childBase, parentId),
        () => {
          this.#reconciler.schedule();
        },
      ),
    );
  }

  /** Deletes a pending order. */
  cancelOrder(input: unknown): Promise<ExecutionResult> {
    return this.#entry('cancel_order', CancelOrder, input, (i, b) =>
      this.#lifecycle.run(
        { operation: 'cancel_order', input: i },
        b,
        null,
        {
          symbol: null,
          side: null,
          volume: null,
          order: i.ticket,
        },
        () => planCancel(this.#planner, i),
      ),
    );
  }

  /** Runs any operation by name (the remote connector's entry point). */
  execute(intent: TradeIntent): Promise<ExecutionResult> {
    switch (intent.operation) {
      case 'open_market':
        return this.openMarket(intent.input);
      case 'place_pending':
        return this.placePending(intent.input);
      case 'modify_position':
        return this.modifyPosition(intent.input);
      case 'modify_order':
        return this.modifyOrder(intent.input);
      case 'close_position':
        return this.closePosition(intent.input);
      case 'close_all':
        return this.closeAll(intent.input);
      case 'cancel_order':
        return this.cancelOrder(intent.input);
    }
  }

  /** Called with every final or uncertain result, including those settled later by reconciliation. */
  onOrderResult(listener: (event: OrderResultEvent) => void): () => void {
    return this.#ctx.results.on(listener);
  }

  /**
   * Called when an order whose outcome was unknown (the trader was told so, or the app stopped before answering)
   * is later found executed: the UI must say so prominently, since the trader may think it did not go through.
   */
  onLateExecution(listener: (event: OrderResultEvent) => void): () => void {
    return this.#ctx.lateExecutions.on(listener);
  }

  /**
   * Settles every entry left `pending`, `sent` or `unknown` (at start-up, after a crash, and whenever a terminal
   * session becomes ready). Runs one pass at a time.
   */
  reconcileOpen(): Promise<ReconcileSummary> {
    return this.#reconciler.reconcileOpen();
  }

  /** Stops reacting to reconnects. In-flight operations finish. */
  close(): void {
    this.#closed = true;
    this.#offSession();
    this.#reconciler.close();
  }

  #closePosition(input: ClosePosition, base: Base, parentId: string | null): Promise<ExecutionResult> {
    return this.#lifecycle.run(
      { operation: 'close_position', input },
      base,
      parentId,
      { symbol: null, side: null, volume: input.volume ?? null, position: input.ticket },
      () => planClose(this.#planner, input),
    );
  }

  /** Validates the input once (it may come from the renderer or the cloud), then de-duplicates and runs. */
  #entry<S extends z.ZodType>(
    operation: Operation,
    schema: S,
    raw: unknown,
    run: (input: z.output<S>, base: Base) => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      return Promise.resolve(
        failure('INVALID_INPUT', 'The order is not complete or not valid.', {
          operation,
          details: {
            issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          },
        }),
      );
    }
    const input = parsed.data as z.output<S> & { requestKey?: string; origin?: Origin };
    const base: Base = { requestKey: input.requestKey ?? null, origin: input.origin ?? 'local' };
    return this.#dedup.run(operation, input, base, () =>
      run(input, base).catch((e: unknown) => {
        this.#ctx.logger.error('executor bug', { operation, error: e });
        return failure('INTERNAL', 'Something went wrong inside Pipdesk; the details are in the log.', {
          operation,
        });
      }),
    );
  }
}
