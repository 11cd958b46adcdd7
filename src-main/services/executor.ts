import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type {
  LookupResult,
  TradeResult,
  WireAccount,
  WireDeal,
  WireOrder,
  WirePosition,
} from '../../src-bridge/protocol/messages';
import { DEAL_ENTRY } from '../../src-bridge/protocol/enums';
import { toSymbolSpec } from '../../src-bridge/protocol/enums';
import type { JournalEntry, JournalState } from '../../src-core/contracts/journal';
import type {
  CloseAllItem,
  ExecutionFailure,
  ExecutionResult,
  ExecutionSuccess,
  Operation,
  Origin,
  PendingKind,
  TradeIntent,
} from '../../src-core/contracts/orders';
import {
  CancelOrder,
  CloseAll,
  ClosePosition,
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  PlacePendingOrder,
} from '../../src-core/contracts/orders';
import type { AppError, Result } from '../../src-core/result';
import { appError, err, ok } from '../../src-core/result';
import { retcodeInfo } from '../../src-core/trading/retcodes';
import type { Quote, Side, SymbolSpec } from '../../src-core/trading/symbol-spec';
import type { Clock } from './clock';
import { Emitter } from './emitter';
import type { Journal, JournalPatch } from './journal';
import type { Logger } from './logger';
import {
  fmtPrice,
  fmtStop,
  fmtVolume,
  NOT_CONNECTED_MESSAGE,
  pendingWords,
  UNKNOWN_OUTCOME_MESSAGE,
} from './messages';
import {
  checkCancel,
  checkClose,
  checkMarketOrder,
  checkOrderChange,
  checkPendingOrder,
  checkPositionChange,
  checkRisk,
  orderKindOf,
  riskMoneyOf,
} from './order-checks';
import type { SettingsStore } from './settings';
import type { BridgeFailure, OrderSendParams, TradingBridge } from './trading-bridge';
import { mayHaveExecuted } from './trading-bridge';

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
}

/** Timer functions, injectable so tests can drive the reconciliation retries. */
export interface ExecutorTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: ExecutorTimers = {
  setTimeout: (callback, ms) => {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

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
}

/** What a reconciliation pass did. */
export interface ReconcileSummary {
  readonly checked: number;
  readonly done: number;
  readonly notExecuted: number;
  readonly stillUnknown: number;
}

/** An order result with its journal entry, for `onOrderResult`. */
export interface OrderResultEvent {
  readonly result: ExecutionResult;
  readonly entry: JournalEntry;
}

type Refusal = AppError & { readonly state?: 'rejected' | 'failed' };

/** What an operation wants sent, worked out from live data. */
interface SendPlan {
  readonly params: DistributiveOmit<OrderSendParams, 'clOrdId' | 'magic'>;
  readonly spec: SymbolSpec;
  readonly journal: JournalPatch;
  /** Plain words for a done result. */
  readonly describe: (r: TradeResult) => string;
  /** A fresh plan for a retry (market orders re-price); absent when the same request can be resent as is. */
  readonly refresh?: () => Promise<Result<SendPlan, Refusal>>;
}

/** What a lookup answer means for an entry. */
type Decision = { state: 'unknown' } | { state: 'done' | 'rejected' | 'failed'; patch: JournalPatch };

/** Reconciliation lookups search history from this long before the entry was created. */
const LOOKUP_HISTORY_MARGIN_MS = 86_400_000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Base {
  readonly requestKey: string | null;
  readonly origin: Origin;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Base36 time + random: sortable, 15 characters, well inside the protocol's 26 and MT5's 31. */
function newClientOrderId(clock: Clock): string {
  const time = clock.now().toString(36).padStart(9, '0').slice(-9);
  const rand = randomBytes(4).readUInt32BE(0).toString(36).padStart(7, '0').slice(-5);
  return `P${time}${rand}`;
}

/**
 * The id sent for attempt `n` of an intent. Attempt 1 uses the journal's id itself; retries of a retryable
 * outcome get `.n` so the EA's de-duplication table (which replays a stored result for a known id) does not
 * answer a retry with the earlier requote. Only the last attempt can be uncertain, so it alone is looked up.
 */
export function attemptClOrdId(clientOrderId: string, attempt: number): string {
  return attempt <= 1 ? clientOrderId : `${clientOrderId}.${attempt}`;
}

function stableKey(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([k, v]) => v !== undefined && k !== 'requestKey' && k !== 'origin')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(',')}}`;
}

/** The terminal's state a new order is planned from (see `#openingContext`). */
interface OpeningContext {
  readonly spec: SymbolSpec & { sessionOpen: boolean };
  readonly quote: Quote;
  readonly account: WireAccount;
  readonly positions: readonly WirePosition[];
}

const sideOfPosition = (p: WirePosition): Side => (p.type === 0 ? 'buy' : 'sell');
const nz = (v: number): number | null => (v === 0 ? null : v);

function failure(
  code: string,
  message: string,
  extra: Partial<Omit<ExecutionFailure, 'ok' | 'code' | 'message'>> = {},
): ExecutionFailure {
  return { ok: false, code, message, ...extra };
}

function refusal(
  code: string,
  message: string,
  details?: Record<string, unknown>,
  state?: 'rejected' | 'failed',
): Refusal {
  const e = appError(code, message, details);
  return state === undefined ? e : { ...e, state };
}

function fromBridgeFailure(f: BridgeFailure, what: string): Refusal {
  switch (f.kind) {
    case 'not_connected':
    case 'not_sent':
    case 'disconnected':
      return refusal('NOT_CONNECTED', NOT_CONNECTED_MESSAGE, undefined, 'failed');
    case 'timeout':
      return refusal(
        'TRADE_NOT_EXECUTED',
        `MetaTrader 5 did not answer in time while ${what}; nothing was sent.`,
        undefined,
        'failed',
      );
    case 'ea_error':
      if (f.eaCode === 'UNKNOWN_SYMBOL')
        return refusal('SYMBOL_NOT_FOUND', `The terminal does not know this symbol (${f.message}).`);
      if (f.eaCode === 'NOT_FOUND')
        return refusal('TICKET_NOT_FOUND', 'That ticket does not exist (any more).');
      if (f.eaCode === 'NO_QUOTE')
        return refusal('NO_QUOTE', 'There is no price for this symbol right now; nothing was sent.');
      return refusal(
        'TRADE_NOT_EXECUTED',
        `MetaTrader 5 could not do this while ${what}: ${f.message}. Nothing was sent.`,
        { eaCode: f.eaCode },
        'failed',
      );
    case 'bad_response':
      return refusal(
        'INTERNAL',
        `MetaTrader 5 sent an answer Pipdesk could not read while ${what}; nothing was sent.`,
        undefined,
        'failed',
      );
  }
}

/**
 * Turns trade intents into exactly one order on the terminal, or a clear reason why not. See
 * docs/order-lifecycle.md for the states, the exactly-once design and the reconciliation rules.
 */
export class Executor {
  readonly #bridge: TradingBridge;
  readonly #journal: Journal;
  readonly #settings: SettingsStore;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #opt: ExecutorOptions;
  readonly #results: Emitter<OrderResultEvent>;
  readonly #byKey = new Map<string, Promise<ExecutionResult>>();
  readonly #byContent = new Map<
    string,
    { promise: Promise<ExecutionResult>; settledAt: number | null; hasKey: boolean }
  >();
  readonly #specs = new Map<string, { spec: SymbolSpec; at: number }>();
  readonly #reconciling = new Map<string, Promise<JournalEntry>>();
  /**
   * Entries whose operation is running in this process (its order_send may still be on its way). A reconciliation
   * pass skips them: "no trace yet" says nothing about a request the terminal has not answered.
   */
  readonly #inFlight = new Set<string>();
  readonly #offSession: () => void;
  #reconcilePass: Promise<ReconcileSummary> | null = null;
  readonly #timers: ExecutorTimers;
  /** The scheduled re-run of reconciliation while entries stay open, and how many ran in a row. */
  #retryTimer: unknown = null;
  #retryRound = 0;
  #closed = false;

  constructor(deps: ExecutorDeps) {
    this.#bridge = deps.bridge;
    this.#journal = deps.journal;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
    this.#clock = deps.clock;
    this.#opt = { ...DEFAULT_EXECUTOR_OPTIONS, ...deps.options };
    this.#timers = deps.timers ?? NODE_TIMERS;
    this.#results = new Emitter<OrderResultEvent>((e) => {
      this.#logger.error('order result listener failed', { error: e });
    });
    // A new session may be a restarted terminal: forget cached specs and settle whatever is still open.
    this.#offSession = this.#bridge.onSessionReady(() => {
      this.#specs.clear();
      void this.reconcileOpen().catch((e: unknown) => {
        this.#logger.error('reconciliation after reconnect failed', { error: e });
      });
    });
  }

  // ── Public operations ─────────────────────────────────────────────────────────────────────────────────────

  /** Opens a position at market. */
  openMarket(input: unknown): Promise<ExecutionResult> {
    return this.#entry('open_market', OpenMarketOrder, input, (i, b) => this.#openMarket(i, b));
  }

  /** Places a pending order. */
  placePending(input: unknown): Promise<ExecutionResult> {
    return this.#entry('place_pending', PlacePendingOrder, input, (i, b) => this.#placePending(i, b));
  }

  /** Changes a position's SL/TP. */
  modifyPosition(input: unknown): Promise<ExecutionResult> {
    return this.#entry('modify_position', ModifyPosition, input, (i, b) => this.#modifyPosition(i, b));
  }

  /** Changes a pending order. */
  modifyOrder(input: unknown): Promise<ExecutionResult> {
    return this.#entry('modify_order', ModifyOrder, input, (i, b) => this.#modifyOrder(i, b));
  }

  /** Closes a position fully or partly. */
  closePosition(input: unknown): Promise<ExecutionResult> {
    return this.#entry('close_position', ClosePosition, input, (i, b) => this.#closePosition(i, b, null));
  }

  /** Closes every open position, or those of one symbol. */
  closeAll(input: unknown): Promise<ExecutionResult> {
    return this.#entry('close_all', CloseAll, input, (i, b) => this.#closeAll(i, b));
  }

  /** Deletes a pending order. */
  cancelOrder(input: unknown): Promise<ExecutionResult> {
    return this.#entry('cancel_order', CancelOrder, input, (i, b) => this.#cancelOrder(i, b));
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
    return this.#results.on(listener);
  }

  /** Stops reacting to reconnects. In-flight operations finish. */
  close(): void {
    this.#closed = true;
    this.#offSession();
    if (this.#retryTimer !== null) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  // ── Entry: validation of the input, de-duplication ────────────────────────────────────────────────────────

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
    const now = this.#clock.now();

    // Same request key: the same user action. Answer with the first one's result, in flight or journalled.
    if (base.requestKey !== null) {
      const inFlight = this.#byKey.get(base.requestKey);
      if (inFlight !== undefined) return inFlight.then((r) => ({ ...r, duplicate: true }));
      const earlier = this.#journal.findByRequestKey(base.requestKey);
      if (earlier !== undefined) return Promise.resolve({ ...this.#resultOf(earlier), duplicate: true });
    }
    // Same content shortly after (a double click without a key): one order. Two distinct keys are two orders.
    const contentKey = `${operation}|${stableKey(input)}`;
    const recent = this.#byContent.get(contentKey);
    if (
      recent !== undefined &&
      (base.requestKey === null || !recent.hasKey) &&
      (recent.settledAt === null || now - recent.settledAt < this.#opt.dedupWindowMs)
    ) {
      this.#logger.info('duplicate request answered with the earlier result', { operation });
      return recent.promise.then((r) => ({ ...r, duplicate: true }));
    }

    const promise = run(input, base).catch((e: unknown) => {
      this.#logger.error('executor bug', { operation, error: e });
      return failure('INTERNAL', 'Something went wrong inside Pipdesk; the details are in the log.', {
        operation,
      });
    });
    const slot = { promise, settledAt: null as number | null, hasKey: base.requestKey !== null };
    this.#byContent.set(contentKey, slot);
    if (base.requestKey !== null) this.#byKey.set(base.requestKey, promise);
    void promise.then(() => {
      slot.settledAt = this.#clock.now();
      if (base.requestKey !== null) this.#byKey.delete(base.requestKey);
      const timer = setTimeout(() => {
        if (this.#byContent.get(contentKey) === slot) this.#byContent.delete(contentKey);
      }, this.#opt.dedupWindowMs);
      timer.unref();
    });
    return promise;
  }

  // ── Live data ─────────────────────────────────────────────────────────────────────────────────────────────

  async #spec(symbol: string): Promise<Result<SymbolSpec & { sessionOpen: boolean }, Refusal>> {
    const cached = this.#specs.get(symbol);
    const now = this.#clock.now();
    if (cached !== undefined && now - cached.at < this.#opt.specTtlMs) {
      return ok(cached.spec as SymbolSpec & { sessionOpen: boolean });
    }
    const r = await this.#bridge.symbolSpec(symbol);
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the symbol'));
    const spec = toSymbolSpec(r.value);
    if (!spec.ok)
      return err(
        refusal('SYMBOL_NOT_FOUND', `${symbol} cannot be traded from Pipdesk: ${spec.error.message}.`),
      );
    const full = { ...spec.value, sessionOpen: r.value.sessionOpen };
    this.#specs.set(symbol, { spec: full, at: now });
    return ok(full);
  }

  async #quote(symbol: string): Promise<Result<Quote, Refusal>> {
    const r = await this.#bridge.quote(symbol);
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the price'));
    const q = r.value;
    if (!(q.bid > 0) || !(q.ask > 0))
      return err(refusal('NO_QUOTE', `There is no price for ${symbol} right now; nothing was sent.`));
    return ok({ symbol: q.symbol, bid: q.bid, ask: q.ask, timeMs: q.timeMsc });
  }

  // ── Operations: planning ──────────────────────────────────────────────────────────────────────────────────

  #openMarket(input: OpenMarketOrder, base: Base): Promise<ExecutionResult> {
    const intent: TradeIntent = { operation: 'open_market', input };
    return this.#run(
      intent,
      base,
      null,
      { symbol: input.symbol, side: input.side, volume: input.volume },
      () => this.#planMarket(input),
    );
  }

  async #planMarket(input: OpenMarketOrder): Promise<Result<SendPlan, Refusal>> {
    const context = await this.#openingContext(input.symbol);
    if (!context.ok) return context;
    const { spec, quote, account, positions } = context.value;
    const checked = checkMarketOrder(spec, quote, input);
    if (!checked.ok) return err(checked.error);
    const c = checked.value;

    // Netting: an opposite order reduces the one position; only the part beyond it needs margin or a new slot.
    let newPositions = 1;
    let marginVolume = c.volume;
    if (account.marginMode === 'netting') {
      const existing = positions.find((p) => p.symbol === spec.name);
      if (existing !== undefined) {
        newPositions = 0;
        if (sideOfPosition(existing) !== input.side) marginVolume = Math.max(0, c.volume - existing.volume);
      }
    }
    let margin = 0;
    if (marginVolume > 0) {
      const m = await this.#bridge.calcMargin({
        symbol: spec.name,
        orderType: input.side === 'buy' ? 'BUY' : 'SELL',
        volume: marginVolume,
        price: c.price,
      });
      if (!m.ok) return err(fromBridgeFailure(m.error, 'calculating the margin'));
      margin = m.value;
    }
    const riskMoney = riskMoneyOf(spec, c.price, c.sl, c.volume);
    this.#logger.info('order margin', {
      symbol: spec.name,
      side: input.side,
      volume: c.volume,
      price: c.price,
      margin,
      freeMargin: account.marginFree,
      equity: account.equity,
      marginLevel: account.marginLevel,
      currency: account.currency,
      riskMoney,
    });
    const risk = checkRisk(this.#settings.peek().riskLimits, {
      volume: c.volume,
      openPositions: positions.length,
      opensNewPosition: newPositions > 0,
      margin,
      freeMargin: account.marginFree,
      balance: account.balance,
      riskMoney,
      currency: account.currency,
      currencyDigits: account.currencyDigits,
    });
    if (!risk.ok) return err(risk.error);

    const action = input.side === 'buy' ? 'Bought' : 'Sold';
    return ok({
      spec,
      params: {
        action: 'DEAL',
        symbol: spec.name,
        orderType: input.side === 'buy' ? 'BUY' : 'SELL',
        volume: c.volume,
        price: c.price,
        ...(c.sl > 0 ? { sl: c.sl } : {}),
        ...(c.tp > 0 ? { tp: c.tp } : {}),
        deviation: input.deviation ?? this.#settings.peek().defaultDeviationPoints,
      },
      journal: {
        volume: c.volume,
        requestedPrice: c.price,
        bid: quote.bid,
        ask: quote.ask,
        sl: nz(c.sl),
        tp: nz(c.tp),
        margin,
        freeMargin: account.marginFree,
      },
      describe: (r) =>
        `${action} ${fmtVolume(r.volume > 0 ? r.volume : c.volume, spec.volumeStep)} ${spec.name} at ${fmtPrice(r.price, spec.digits)}` +
        (r.retcode === 10010 ? ' (only part of the volume was filled)' : ''),
      refresh: () => this.#planMarket(input),
    });
  }

  /**
   * What every new order (market or pending) is planned from, read from the terminal at once and refused in
   * MT5's order: the link, the symbol, the account, the positions, trading permissions, then the quote.
   */
  async #openingContext(symbol: string): Promise<Result<OpeningContext, Refusal>> {
    if (!this.#bridge.isConnected())
      return err(refusal('NOT_CONNECTED', NOT_CONNECTED_MESSAGE, undefined, 'failed'));
    const [specR, quoteR, accountR, positionsR] = await Promise.all([
      this.#spec(symbol),
      this.#quote(symbol),
      this.#bridge.account(),
      this.#bridge.positions(),
    ]);
    if (!specR.ok) return specR;
    if (!accountR.ok) return err(fromBridgeFailure(accountR.error, 'reading the account'));
    if (!positionsR.ok) return err(fromBridgeFailure(positionsR.error, 'reading the positions'));
    const gate = this.#tradeGate(specR.value, accountR.value);
    if (!gate.ok) return gate;
    if (!quoteR.ok) return quoteR;
    return ok({
      spec: specR.value,
      quote: quoteR.value,
      account: accountR.value,
      positions: positionsR.value,
    });
  }

  /** Trading permissions and the session, checked in MT5's order (permissions, trade mode, session). */
  #tradeGate(
    spec: SymbolSpec & { sessionOpen: boolean },
    account: { tradeAllowed: boolean; tradeExpert: boolean },
  ): Result<true, Refusal> {
    if (!account.tradeAllowed) {
      return err(
        refusal(
          'TRADE_DISABLED',
          'This account cannot trade: MetaTrader 5 is logged in read-only (investor password) or trading is disabled for it.',
        ),
      );
    }
    if (!account.tradeExpert) {
      return err(refusal('TRADE_DISABLED', 'The broker does not allow automated trading on this account.'));
    }
    if (spec.tradeMode === 'DISABLED')
      return err(refusal('TRADE_DISABLED', `Trading is disabled for ${spec.name}.`));
    if (!spec.sessionOpen)
      return err(refusal('MARKET_CLOSED', `The market for ${spec.name} is closed right now.`));
    return ok(true);
  }

  #placePending(input: PlacePendingOrder, base: Base): Promise<ExecutionResult> {
    const intent: TradeIntent = { operation: 'place_pending', input };
    return this.#run(
      intent,
      base,
      null,
      { symbol: input.symbol, side: input.kind, volume: input.volume },
      () => this.#planPending(input),
    );
  }

  async #planPending(input: PlacePendingOrder): Promise<Result<SendPlan, Refusal>> {
    const context = await this.#openingContext(input.symbol);
    if (!context.ok) return context;
    const { spec, quote, account, positions } = context.value;
    const checked = checkPendingOrder(spec, quote, input, this.#clock.now());
    if (!checked.ok) return err(checked.error);
    const c = checked.value;
    const side = input.kind.startsWith('buy') ? 'BUY' : 'SELL';
    const m = await this.#bridge.calcMargin({
      symbol: spec.name,
      orderType: side,
      volume: c.volume,
      price: c.price,
    });
    if (!m.ok) return err(fromBridgeFailure(m.error, 'calculating the margin'));
    const margin = m.value;
    const riskMoney = riskMoneyOf(spec, c.price, c.sl, c.volume);
    this.#logger.info('order margin', {
      symbol: spec.name,
      kind: input.kind,
      volume: c.volume,
      price: c.price,
      margin,
      freeMargin: account.marginFree,
      equity: account.equity,
      currency: account.currency,
      riskMoney,
    });
    const risk = checkRisk(this.#settings.peek().riskLimits, {
      volume: c.volume,
      openPositions: positions.length,
      opensNewPosition: false,
      margin,
      freeMargin: account.marginFree,
      balance: account.balance,
      riskMoney,
      currency: account.currency,
      currencyDigits: account.currencyDigits,
    });
    if (!risk.ok) return err(risk.error);
    return ok({
      spec,
      params: {
        action: 'PENDING',
        symbol: spec.name,
        orderType:
          input.kind === 'buy_limit'
            ? 'BUY_LIMIT'
            : input.kind === 'sell_limit'
              ? 'SELL_LIMIT'
              : input.kind === 'buy_stop'
                ? 'BUY_STOP'
                : 'SELL_STOP',
        volume: c.volume,
        price: c.price,
        sl: c.sl,
        tp: c.tp,
        typeTime: c.typeTime,
        ...(c.expiration === null ? {} : { expiration: c.expiration }),
      },
      journal: {
        volume: c.volume,
        requestedPrice: c.price,
        bid: quote.bid,
        ask: quote.ask,
        sl: nz(c.sl),
        tp: nz(c.tp),
        margin,
        freeMargin: account.marginFree,
      },
      describe: (r) =>
        `Placed a ${pendingWords(input.kind)} order for ${fmtVolume(c.volume, spec.volumeStep)} ${spec.name} at ` +
        `${fmtPrice(c.price, spec.digits)} (order #${r.order})`,
    });
  }

  async #findPosition(ticket: string): Promise<Result<WirePosition, Refusal>> {
    if (!this.#bridge.isConnected())
      return err(refusal('NOT_CONNECTED', NOT_CONNECTED_MESSAGE, undefined, 'failed'));
    const r = await this.#bridge.positions();
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the positions'));
    const p = r.value.find((x) => x.ticket === ticket);
    return p === undefined
      ? err(refusal('TICKET_NOT_FOUND', `Position #${ticket} is not open (any more).`))
      : ok(p);
  }

  async #findOrder(ticket: string): Promise<Result<WireOrder, Refusal>> {
    if (!this.#bridge.isConnected())
      return err(refusal('NOT_CONNECTED', NOT_CONNECTED_MESSAGE, undefined, 'failed'));
    const r = await this.#bridge.orders();
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the pending orders'));
    const o = r.value.find((x) => x.ticket === ticket);
    return o === undefined
      ? err(refusal('TICKET_NOT_FOUND', `Pending order #${ticket} does not exist (any more).`))
      : ok(o);
  }

  #modifyPosition(input: ModifyPosition, base: Base): Promise<ExecutionResult> {
    const intent: TradeIntent = { operation: 'modify_position', input };
    return this.#run(
      intent,
      base,
      null,
      { symbol: null, side: null, volume: null, position: input.ticket },
      async () => {
        const pos = await this.#findPosition(input.ticket);
        if (!pos.ok) return pos;
        const p = pos.value;
        const [specR, quoteR] = await Promise.all([this.#spec(p.symbol), this.#quote(p.symbol)]);
        if (!specR.ok) return specR;
        if (!quoteR.ok) return quoteR;
        const spec = specR.value;
        const checked = checkPositionChange(spec, quoteR.value, p, input);
        if (!checked.ok) return err(checked.error);
        const { sl, tp } = checked.value;
        return ok({
          spec,
          params: { action: 'SLTP', position: p.ticket, symbol: p.symbol, sl, tp },
          journal: {
            symbol: p.symbol,
            side: sideOfPosition(p),
            volume: p.volume,
            bid: quoteR.value.bid,
            ask: quoteR.value.ask,
            sl: nz(sl),
            tp: nz(tp),
          },
          describe: () =>
            `Position #${p.ticket} (${p.symbol}) now has ${fmtStop('SL', sl, spec.digits)} and ${fmtStop('TP', tp, spec.digits)}`,
        });
      },
    );
  }

  #modifyOrder(input: ModifyOrder, base: Base): Promise<ExecutionResult> {
    const intent: TradeIntent = { operation: 'modify_order', input };
    return this.#run(
      intent,
      base,
      null,
      { symbol: null, side: null, volume: null, order: input.ticket },
      async () => {
        const found = await this.#findOrder(input.ticket);
        if (!found.ok) return found;
        const o = found.value;
        const [specR, quoteR] = await Promise.all([this.#spec(o.symbol), this.#quote(o.symbol)]);
        if (!specR.ok) return specR;
        if (!quoteR.ok) return quoteR;
        const spec = specR.value;
        const checked = checkOrderChange(spec, quoteR.value, o, input, this.#clock.now());
        if (!checked.ok) return err(checked.error);
        const c = checked.value;
        const kind = orderKindOf(o.type);
        return ok({
          spec,
          params: {
            action: 'MODIFY',
            order: o.ticket,
            price: c.price,
            sl: c.sl,
            tp: c.tp,
            typeTime: c.typeTime,
            ...(c.expiration === null ? {} : { expiration: c.expiration }),
          },
          journal: {
            symbol: o.symbol,
            side: kind ?? null,
            volume: o.volumeCurrent,
            requestedPrice: c.price,
            bid: quoteR.value.bid,
            ask: quoteR.value.ask,
            sl: nz(c.sl),
            tp: nz(c.tp),
          },
          describe: () =>
            `Pending order #${o.ticket} (${o.symbol}) now at ${fmtPrice(c.price, spec.digits)} with ` +
            `${fmtStop('SL', c.sl, spec.digits)} and ${fmtStop('TP', c.tp, spec.digits)}`,
        });
      },
    );
  }

  #closePosition(input: ClosePosition, base: Base, parentId: string | null): Promise<ExecutionResult> {
    const intent: TradeIntent = { operation: 'close_position', input };
    return this.#run(
      intent,
      base,
      parentId,
      { symbol: null, side: null, volume: input.volume ?? null, position: input.ticket },
      () => this.#planClose(input),
    );
  }

  async #planClose(input: ClosePosition): Promise<Result<SendPlan, Refusal>> {
    const pos = await this.#findPosition(input.ticket);
    if (!pos.ok) return pos;
    const p = pos.value;
    const [specR, quoteR] = await Promise.all([this.#spec(p.symbol), this.#quote(p.symbol)]);
    if (!specR.ok) return specR;
    if (!quoteR.ok) return quoteR;
    const spec = specR.value;
    if (!spec.sessionOpen)
      return err(refusal('MARKET_CLOSED', `The market for ${spec.name} is closed right now.`));
    const checked = checkClose(spec, quoteR.value, p, input.volume);
    if (!checked.ok) return err(checked.error);
    const { volume, price } = checked.value;
    const isPartial = volume < p.volume;
    return ok({
      spec,
      params: {
        action: 'DEAL',
        symbol: p.symbol,
        orderType: sideOfPosition(p) === 'buy' ? 'SELL' : 'BUY',
        volume,
        price,
        position: p.ticket,
        deviation: this.#settings.peek().defaultDeviationPoints,
      },
      journal: {
        symbol: p.symbol,
        side: sideOfPosition(p),
        volume,
        requestedPrice: price,
        bid: quoteR.value.bid,
        ask: quoteR.value.ask,
      },
      describe: (r) =>
        `Closed ${isPartial ? `${fmtVolume(r.volume > 0 ? r.volume : volume, spec.volumeStep)} of ` : ''}position #${p.ticket} ` +
        `(${p.symbol}) at ${fmtPrice(r.price, spec.digits)}`,
      refresh: () => this.#planClose(input),
    });
  }

  #cancelOrder(input: CancelOrder, base: Base): Promise<ExecutionResult> {
    const intent: TradeIntent = { operation: 'cancel_order', input };
    return this.#run(
      intent,
      base,
      null,
      { symbol: null, side: null, volume: null, order: input.ticket },
      async () => {
        const found = await this.#findOrder(input.ticket);
        if (!found.ok) return found;
        const o = found.value;
        const [specR, quoteR] = await Promise.all([this.#spec(o.symbol), this.#quote(o.symbol)]);
        if (!specR.ok) return specR;
        if (!quoteR.ok) return quoteR;
        const checked = checkCancel(specR.value, quoteR.value, o);
        if (!checked.ok) return err(checked.error);
        return ok({
          spec: specR.value,
          params: { action: 'REMOVE', order: o.ticket },
          journal: {
            symbol: o.symbol,
            side: orderKindOf(o.type) ?? null,
            volume: o.volumeCurrent,
            requestedPrice: o.priceOpen,
          },
          describe: () => `Cancelled pending order #${o.ticket} (${o.symbol})`,
        });
      },
    );
  }

  async #closeAll(input: CloseAll, base: Base): Promise<ExecutionResult> {
    const intent: TradeIntent = { operation: 'close_all', input };
    if (!this.#bridge.isConnected()) {
      return this.#refuseOnly(
        intent,
        base,
        null,
        { symbol: input.symbol ?? null, side: null, volume: null },
        refusal('NOT_CONNECTED', NOT_CONNECTED_MESSAGE, undefined, 'failed'),
      );
    }
    const listed = await this.#bridge.positions(input.symbol);
    if (!listed.ok) {
      return this.#refuseOnly(
        intent,
        base,
        null,
        { symbol: input.symbol ?? null, side: null, volume: null },
        fromBridgeFailure(listed.error, 'reading the positions'),
      );
    }
    const parent = this.#journal.insert(
      {
        clientOrderId: newClientOrderId(this.#clock),
        parentId: null,
        origin: base.origin,
        operation: 'close_all',
        requestKey: base.requestKey,
        symbol: input.symbol ?? null,
        side: null,
        volume: null,
        intent,
        state: 'pending',
        // The plan, durable before the first close: a crash mid-loop must not later read as "closed all" the
        // closes that happened to run (the parent is settled against this list, not against its children).
        request: { tickets: listed.value.map((p) => p.ticket), symbols: listed.value.map((p) => p.symbol) },
      },
      { durable: this.#opt.isPendingWriteFsynced, account: this.#bridge.activeAccount() ?? null },
    );
    this.#inFlight.add(parent.id);
    try {
      for (const p of listed.value) {
        // Children are journalled before they are sent like any order; they carry no request key of their own.
        await this.#closePosition({ ticket: p.ticket }, { requestKey: null, origin: base.origin }, parent.id);
      }
    } finally {
      this.#inFlight.delete(parent.id);
      this.#scheduleReconcile();
    }
    const settled = this.#settleParent(parent.id);
    return this.#resultOf(settled);
  }

  /** The tickets a close_all set out to close (null for rows journalled before the plan was recorded). */
  #plannedCloses(parent: JournalEntry): { ticket: string; symbol: string }[] | null {
    const req = parent.request;
    if (req === null || typeof req !== 'object' || Array.isArray(req)) return null;
    const { tickets, symbols } = req as { tickets?: unknown; symbols?: unknown };
    if (!Array.isArray(tickets)) return null;
    return tickets.map((t, i) => ({
      ticket: String(t),
      symbol: Array.isArray(symbols) && typeof symbols[i] === 'string' ? symbols[i] : '',
    }));
  }

  /** A close_all's child for a planned ticket, if one was journalled. */
  #childFor(children: readonly JournalEntry[], ticket: string): JournalEntry | undefined {
    return children.find((c) => c.position === ticket);
  }

  /**
   * A close_all's state follows its plan: unknown while any close is unknown, done when every planned ticket was
   * closed, otherwise rejected, naming the tickets not closed (a ticket with no close journalled was never sent:
   * each close is journalled durably before it is sent). Only called once the loop is over (or died).
   */
  #settleParent(parentId: string): JournalEntry {
    const children = this.#journal.listChildren(parentId);
    const parent = this.#journal.get(parentId);
    const planned = parent === undefined ? null : this.#plannedCloses(parent);
    const done = children.filter((c) => c.state === 'done').length;
    const open = children.filter(
      (c) => c.state === 'unknown' || c.state === 'pending' || c.state === 'sent',
    ).length;
    const neverSent =
      planned === null ? [] : planned.filter((p) => this.#childFor(children, p.ticket) === undefined);
    const total = planned === null ? children.length : Math.max(planned.length, children.length);
    let state: JournalState;
    let message: string;
    let errorCode: string | null = null;
    if (total === 0) {
      state = 'done';
      message = 'There were no open positions to close.';
    } else if (open > 0) {
      state = 'unknown';
      errorCode = 'OUTCOME_UNKNOWN';
      message = `Closed ${done} of ${total} positions; ${open} not confirmed yet (see the journal).`;
      if (neverSent.length > 0)
        message += ` ${this.#notClosedWords(
          neverSent.map((p) => p.ticket),
          [],
        )}`;
    } else if (done === total && neverSent.length === 0) {
      state = 'done';
      message = total === 1 ? 'Closed 1 position.' : `Closed all ${total} positions.`;
    } else {
      state = 'rejected';
      errorCode = 'TRADE_REJECTED';
      const failed = children.filter((c) => c.state !== 'done');
      message =
        `Closed ${done} of ${total} positions. ` +
        this.#notClosedWords(
          neverSent.map((p) => p.ticket),
          failed,
        );
    }
    const now = this.#clock.now();
    return this.#journal.update(parentId, {
      state,
      message,
      errorCode,
      outcome: state === 'done' ? 'done' : state === 'unknown' ? 'unknown' : 'rejected',
      ...(state === 'unknown' ? {} : { completedAt: now }),
    });
  }

  #notClosedWords(neverSent: readonly string[], failed: readonly JournalEntry[]): string {
    const parts = [
      ...failed.map((c) => `#${c.position ?? '?'} (${c.message ?? 'not closed'})`),
      ...neverSent.map((t) => `#${t} (never sent: Pipdesk stopped before closing it)`),
    ];
    return parts.length === 0 ? '' : `Not closed: ${parts.join(', ')}.`;
  }

  // ── The lifecycle: journal, send, classify, retry, reconcile ──────────────────────────────────────────────

  #refuseOnly(
    intent: TradeIntent,
    base: Base,
    parentId: string | null,
    head: {
      symbol: string | null;
      side: string | null;
      volume: number | null;
      position?: string | null;
      order?: string | null;
    },
    r: Refusal,
  ): ExecutionResult {
    const now = this.#clock.now();
    const entry = this.#journal.insert(
      {
        clientOrderId: newClientOrderId(this.#clock),
        parentId,
        origin: base.origin,
        operation: intent.operation,
        requestKey: base.requestKey,
        ...head,
        intent,
        state: r.state ?? 'rejected',
        outcome: 'rejected',
        errorCode: r.code,
        message: r.message,
        completedAt: now,
      },
      { durable: false },
    );
    this.#logger.info('order refused before sending', {
      clientOrderId: entry.clientOrderId,
      code: r.code,
      message: r.message,
    });
    const result = failure(r.code, r.message, {
      clientOrderId: entry.clientOrderId,
      entryId: entry.id,
      operation: intent.operation,
      ...(r.details === undefined ? {} : { details: { ...r.details } }),
    });
    this.#results.emit({ result, entry });
    return result;
  }

  async #run(
    intent: TradeIntent,
    base: Base,
    parentId: string | null,
    head: {
      symbol: string | null;
      side: string | null;
      volume: number | null;
      position?: string;
      order?: string;
    },
    plan: () => Promise<Result<SendPlan, Refusal>>,
  ): Promise<ExecutionResult> {
    const started = performance.now();
    const headFields = { symbol: head.symbol, side: head.side, volume: head.volume };
    const first = await plan();
    if (!first.ok) {
      // The ticket is kept so a close_all can tell which of its planned closes this refusal was.
      const tickets = { position: head.position ?? null, order: head.order ?? null };
      return this.#refuseOnly(intent, base, parentId, { ...headFields, ...tickets }, first.error);
    }
    const current: SendPlan = first.value;

    const clientOrderId = newClientOrderId(this.#clock);
    // The session this order goes to, for every attempt and for its reconciliation (never another account's).
    const account = this.#bridge.activeAccount();
    const entry = this.#journal.insert(
      {
        clientOrderId,
        parentId,
        origin: base.origin,
        operation: intent.operation,
        requestKey: base.requestKey,
        ...headFields,
        ...current.journal,
        position: head.position ?? null,
        order: head.order ?? null,
        intent,
        state: 'pending',
        request: { ...current.params, clOrdId: clientOrderId, magic: this.#opt.magic },
      },
      // The one write that must survive a power cut: after it the order may reach the market.
      { durable: this.#opt.isPendingWriteFsynced, account: account ?? null },
    );
    this.#logger.debug('executor overhead', { clientOrderId, ms: performance.now() - started });
    this.#inFlight.add(entry.id);
    try {
      return await this.#sendAttempts(intent, clientOrderId, entry, current, account);
    } finally {
      this.#inFlight.delete(entry.id);
      this.#scheduleReconcile();
    }
  }

  /** The attempts of one journalled intent: send, classify, retry a retryable answer, reconcile an unknown one. */
  async #sendAttempts(
    intent: TradeIntent,
    clientOrderId: string,
    inserted: JournalEntry,
    firstPlan: SendPlan,
    account: string | undefined,
  ): Promise<ExecutionResult> {
    let entry = inserted;
    let current = firstPlan;

    const limits = this.#settings.peek().riskLimits;
    const maxAttempts = 1 + (limits.isRetryAllowed ? limits.maxRetries : 0);
    for (let attempt = 1; ; attempt += 1) {
      const p: SendPlan = current;
      const params = {
        ...p.params,
        clOrdId: attemptClOrdId(clientOrderId, attempt),
        magic: this.#opt.magic,
      };
      const sentAt = this.#clock.now();
      entry = this.#journal.update(entry.id, {
        state: 'sent',
        sentAt,
        attempts: attempt,
        request: params,
        ...p.journal,
      });
      const t0 = performance.now();
      const r = await this.#bridge.orderSend(params, this.#opt.sendDeadlineMs, account);
      const latencyMs = Math.round((performance.now() - t0) * 1000) / 1000;

      if (!r.ok) {
        if (mayHaveExecuted(r.error.kind)) {
          entry = this.#journal.update(entry.id, {
            state: 'unknown',
            outcome: 'unknown',
            latencyMs,
            errorCode: 'OUTCOME_UNKNOWN',
            message: UNKNOWN_OUTCOME_MESSAGE,
            response: { failure: r.error.kind, message: r.error.message },
          });
          this.#logger.warn('order outcome unknown; reconciling', { clientOrderId, reason: r.error.kind });
          return this.#afterUnknown(entry);
        }
        const f = fromBridgeFailure(r.error, 'sending the order');
        return this.#finish(entry, {
          state: f.state ?? 'failed',
          outcome: 'rejected',
          latencyMs,
          errorCode: f.code,
          message: f.message,
          response: {
            failure: r.error.kind,
            message: r.error.message,
            ...(r.error.eaCode === undefined ? {} : { eaCode: r.error.eaCode }),
          },
        });
      }

      const res = r.value;
      const info = retcodeInfo(res.retcode);
      const common: JournalPatch = {
        response: res,
        retcode: res.retcode,
        retcodeName: info.constant,
        outcome: info.outcome,
        latencyMs,
      };
      this.#logger.info('order answered', {
        clientOrderId: params.clOrdId,
        retcode: res.retcode,
        outcome: info.outcome,
        latencyMs,
        duplicate: res.duplicate,
      });
      switch (info.outcome) {
        case 'done':
          return this.#finish(entry, {
            ...common,
            state: 'done',
            errorCode: null,
            message:
              res.retcode === 10025 ? 'Nothing to change: the values were already set.' : p.describe(res),
            ...this.#fillFields(res, intent.operation),
          });
        case 'rejected':
          return this.#finish(entry, {
            ...common,
            state: 'rejected',
            errorCode: 'TRADE_REJECTED',
            message: `Not executed: ${info.message}`,
          });
        case 'retryable': {
          if (attempt < maxAttempts) {
            entry = this.#journal.update(entry.id, {
              ...common,
              message: `Attempt ${attempt}: ${info.message} Retrying.`,
            });
            await sleep(this.#opt.retryBackoffMs * attempt);
            if (p.refresh !== undefined) {
              const next: Result<SendPlan, Refusal> = await p.refresh();
              if (!next.ok) {
                return this.#finish(entry, {
                  state: next.error.state ?? 'rejected',
                  errorCode: next.error.code,
                  message: next.error.message,
                });
              }
              current = next.value;
            }
            continue;
          }
          return this.#finish(entry, {
            ...common,
            state: 'rejected',
            errorCode: 'TRADE_NOT_EXECUTED',
            message:
              `Not executed: ${info.message}` +
              (limits.isRetryAllowed
                ? ` (tried ${attempt} times)`
                : ' Automatic retries are off in settings.'),
          });
        }
        case 'unknown':
          entry = this.#journal.update(entry.id, {
            ...common,
            state: 'unknown',
            errorCode: 'OUTCOME_UNKNOWN',
            message: UNKNOWN_OUTCOME_MESSAGE,
          });
          this.#logger.warn('order outcome unknown; reconciling', { clientOrderId, retcode: res.retcode });
          return this.#afterUnknown(entry);
      }
    }
  }

  #fillFields(res: TradeResult, operation: Operation): JournalPatch {
    const positive = (t: string): string | undefined => (t === '0' ? undefined : t);
    const patch: JournalPatch = {};
    if (res.volume > 0) patch.filledVolume = res.volume;
    if (res.price > 0) patch.filledPrice = res.price;
    if (res.bid > 0) patch.bid = res.bid;
    if (res.ask > 0) patch.ask = res.ask;
    const order = positive(res.order);
    const deal = positive(res.deal);
    if (order !== undefined) patch.order = order;
    if (deal !== undefined) patch.deal = deal;
    // MT5's position id equals the opening order's ticket; hedging closes keep the position they were sent for.
    if (operation === 'open_market' && order !== undefined) patch.position = order;
    return patch;
  }

  #finish(entry: JournalEntry, patch: JournalPatch): ExecutionResult {
    const final = this.#journal.update(entry.id, { ...patch, completedAt: this.#clock.now() });
    const result = this.#resultOf(final);
    this.#results.emit({ result, entry: final });
    return result;
  }

  async #afterUnknown(entry: JournalEntry): Promise<ExecutionResult> {
    let current = entry;
    for (let i = 0; i < this.#opt.reconcileAttempts && !this.#closed; i += 1) {
      current = await this.#reconcileEntry(current, true);
      if (current.state !== 'unknown') break;
    }
    const result = this.#resultOf(current);
    // Settled results were announced by the reconciliation itself.
    if (current.state === 'unknown') this.#results.emit({ result, entry: current });
    return result;
  }

  /** Waits up to `ms` for `account`'s session (undefined: the active one) to be open. */
  #waitForSession(ms: number, account: string | undefined): Promise<boolean> {
    if (this.#bridge.isConnected(account)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(this.#bridge.isConnected(account));
      }, ms);
      const off = this.#bridge.onSessionReady((opened) => {
        if (account !== undefined && opened !== account) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  // ── Reconciliation ────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Settles every entry left `pending`, `sent` or `unknown` (at start-up, after a crash, and whenever a terminal
   * session becomes ready). Runs one pass at a time.
   */
  reconcileOpen(): Promise<ReconcileSummary> {
    if (this.#reconcilePass !== null) return this.#reconcilePass;
    const pass = this.#reconcileAll().finally(() => {
      this.#reconcilePass = null;
      this.#scheduleReconcile();
    });
    this.#reconcilePass = pass;
    return pass;
  }

  /**
   * Schedules the next reconciliation pass while entries not owned by a running operation are open, with backoff;
   * stops (and resets the backoff) once none is left.
   */
  #scheduleReconcile(): void {
    if (this.#closed || this.#retryTimer !== null || this.#reconcilePass !== null) return;
    const waiting = this.#journal.listOpen().some((e) => !this.#inFlight.has(e.id));
    if (!waiting) {
      this.#retryRound = 0;
      return;
    }
    const delays = this.#opt.reconcileRetryDelaysMs;
    const delay = delays[Math.min(this.#retryRound, delays.length - 1)] ?? 60_000;
    this.#retryRound += 1;
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      void this.reconcileOpen().catch((e: unknown) => {
        this.#logger.error('scheduled reconciliation failed', { error: e });
      });
    }, delay);
  }

  async #reconcileAll(): Promise<ReconcileSummary> {
    // Entries (and close_all parents) still running here are settled by their own call, not by a pass.
    const open = this.#journal.listOpen().filter((e) => !this.#inFlight.has(e.id));
    let done = 0;
    let notExecuted = 0;
    let stillUnknown = 0;
    const parents: string[] = [];
    for (const e of open) {
      if (e.operation === 'close_all' && e.parentId === null) {
        parents.push(e.id);
        continue;
      }
      const settled = await this.#reconcileEntry(e, false);
      if (settled.state === 'done') done += 1;
      else if (settled.state === 'rejected' || settled.state === 'failed') notExecuted += 1;
      else stillUnknown += 1;
    }
    for (const id of parents) {
      const p = this.#settleParent(id);
      if (p.state !== 'unknown') this.#results.emit({ result: this.#resultOf(p), entry: p });
    }
    const summary = { checked: open.length, done, notExecuted, stillUnknown };
    if (open.length > 0) this.#logger.info('reconciliation pass', { ...summary });
    return summary;
  }

  /**
   * One reconciliation step for one entry; returns the entry as stored afterwards. Concurrent callers for the same
   * entry (the call that got the unknown answer and a pass started by a reconnect) share one step.
   */
  #reconcileEntry(entry: JournalEntry, isWaitingForSession: boolean): Promise<JournalEntry> {
    const running = this.#reconciling.get(entry.id);
    if (running !== undefined) return running;
    const step = this.#reconcileOnce(entry.id, isWaitingForSession).finally(() => {
      this.#reconciling.delete(entry.id);
    });
    this.#reconciling.set(entry.id, step);
    return step;
  }

  async #reconcileOnce(id: string, isWaitingForSession: boolean): Promise<JournalEntry> {
    const settled = await this.#reconcileStep(id, isWaitingForSession);
    if (settled.state !== 'unknown' && settled.state !== 'pending' && settled.state !== 'sent') {
      this.#results.emit({ result: this.#resultOf(settled), entry: settled });
    }
    return settled;
  }

  async #reconcileStep(id: string, isWaitingForSession: boolean): Promise<JournalEntry> {
    const entry = this.#journal.get(id);
    if (entry === undefined) throw new Error(`reconcile: no journal entry ${id}`);
    // Another path settled it meanwhile.
    if (entry.state !== 'unknown' && entry.state !== 'pending' && entry.state !== 'sent') return entry;
    {
      const since = entry.sentAt ?? entry.createdAt;
      const wait = since + this.#opt.reconcileGraceMs - this.#clock.now();
      if (wait > 0) await sleep(wait);
      // Only the account the order was sent to can tell what happened to it; rows from before accounts were
      // journalled (null) fall back to the active session.
      const account = this.#journal.accountOf(entry.id) ?? undefined;
      if (isWaitingForSession) await this.#waitForSession(this.#opt.reconnectWaitMs, account);
      if (!this.#bridge.isConnected(account)) {
        return this.#markStillUnknown(entry, `the terminal of ${account ?? 'the account'} is not connected`);
      }
      // Every attempt id the entry may have used: `attempts` is written without fsync, so after a power cut it
      // can name an earlier attempt than the one that reached the market (a filled retry must not read as
      // "not executed"). History is searched from a day before the entry was created (the EA's default window
      // would miss an order settled after a long absence).
      const limits = this.#settings.peek().riskLimits;
      const lastAttempt = Math.max(1, entry.attempts, 1 + (limits.isRetryAllowed ? limits.maxRetries : 0));
      const sinceMs = Math.max(0, entry.createdAt - LOOKUP_HISTORY_MARGIN_MS);
      let chosen: { coid: string; look: LookupResult; decision: Decision } | undefined;
      let isAnyUnknown = false;
      for (let n = 1; n <= lastAttempt; n += 1) {
        const coid = attemptClOrdId(entry.clientOrderId, n);
        const found = await this.#bridge.lookup(
          coid,
          this.#opt.lookupDeadlineMs,
          account === undefined ? { sinceMs } : { account, sinceMs },
        );
        // An error (terminal busy, offline from the trade server, still synchronising) proves nothing.
        if (!found.ok) return this.#markStillUnknown(entry, found.error.message);
        const d = await this.#decide(entry, found.value, account);
        if (d.state === 'done') {
          chosen = { coid, look: found.value, decision: d };
          break;
        }
        if (d.state === 'unknown') isAnyUnknown = true;
        // Among "not executed" answers, the latest attempt that left a trace says the most.
        else if (chosen === undefined || found.value.found) chosen = { coid, look: found.value, decision: d };
      }
      if (chosen === undefined) return this.#markStillUnknown(entry, 'no lookup answer');
      const decision: Decision =
        isAnyUnknown && chosen.decision.state !== 'done' ? { state: 'unknown' } : chosen.decision;
      const coid = chosen.coid;
      const base: JournalPatch = {
        reconcileAttempts: entry.reconcileAttempts + 1,
        response: { lookup: chosen.look, previous: entry.response },
      };
      this.#logger.info('reconciled', {
        clientOrderId: coid,
        decision: decision.state,
        found: chosen.look.found,
      });
      if (decision.state === 'unknown') {
        return this.#journal.update(entry.id, {
          ...base,
          state: 'unknown',
          outcome: 'unknown',
          message: UNKNOWN_OUTCOME_MESSAGE,
          errorCode: 'OUTCOME_UNKNOWN',
        });
      }
      return this.#journal.update(entry.id, {
        ...base,
        ...decision.patch,
        state: decision.state,
        completedAt: this.#clock.now(),
      });
    }
  }

  #markStillUnknown(entry: JournalEntry, why: string): JournalEntry {
    this.#logger.warn('reconciliation postponed', { clientOrderId: entry.clientOrderId, why });
    return this.#journal.update(entry.id, {
      state: 'unknown',
      outcome: 'unknown',
      errorCode: 'OUTCOME_UNKNOWN',
      message: UNKNOWN_OUTCOME_MESSAGE,
      reconcileAttempts: entry.reconcileAttempts + 1,
    });
  }

  /**
   * What a lookup answer means for an entry.
   * - The EA's dedup table has the result: its retcode decides.
   * - Opening deals / a position / an order carrying the id: executed.
   * - Nothing found: not executed. This is sound because the lookup runs after the grace period on a link where the
   *   EA answers in order, and an EA refuses requests read after their `expiresAt`.
   * - Modifications and cancels leave no trace by comment once the dedup table is lost (EA restart), so they are
   *   settled by comparing the live position/order with what was asked.
   */
  async #decide(entry: JournalEntry, look: LookupResult, account: string | undefined): Promise<Decision> {
    const last = look.lastResult;
    if (last !== undefined) {
      const info = retcodeInfo(last.retcode);
      const common: JournalPatch = {
        retcode: last.retcode,
        retcodeName: info.constant,
        outcome: info.outcome,
      };
      if (info.outcome === 'done') {
        return {
          state: 'done',
          patch: {
            ...common,
            ...this.#fillFields({ ...last, outcome: info.outcome }, entry.operation),
            errorCode: null,
            message: `Confirmed after checking with MetaTrader 5: ${this.#doneWords(entry, last.price, last.volume)}`,
          },
        };
      }
      if (info.outcome === 'rejected' || info.outcome === 'retryable') {
        return {
          state: 'rejected',
          patch: { ...common, errorCode: 'TRADE_REJECTED', message: `Not executed: ${info.message}` },
        };
      }
    }
    const notExecuted = {
      state: 'failed' as const,
      patch: {
        errorCode: 'TRADE_NOT_EXECUTED',
        outcome: 'rejected' as const,
        message:
          'Not executed: MetaTrader 5 has no trace of this request, so nothing happened. You can try again.',
      },
    };
    // The dedup table's own "unknown" answer (10011/10012/10031) proves nothing; only a trace in the account does.
    const hasTrace = look.positions.length + look.orders.length + look.deals.length > 0;
    const opening = (d: WireDeal): boolean => d.entry === DEAL_ENTRY.IN || d.entry === DEAL_ENTRY.INOUT;
    const closing = (d: WireDeal): boolean =>
      d.entry === DEAL_ENTRY.OUT || d.entry === DEAL_ENTRY.OUT_BY || d.entry === DEAL_ENTRY.INOUT;
    // The lookup also returns every other deal of a position the id touched (an earlier partial close, the deals
    // of a netting position this order added to): only the request's own deals describe what it did.
    const ownOrders = new Set(look.orders.filter((o) => o.comment === look.clOrdId).map((o) => o.ticket));
    const own = (d: WireDeal): boolean => d.comment === look.clOrdId || ownOrders.has(d.order);
    const fromDeals = (deals: readonly WireDeal[]): JournalPatch => {
      const volume = deals.reduce((s, d) => s + d.volume, 0);
      const first = deals[0];
      return {
        filledVolume: volume,
        ...(first === undefined
          ? {}
          : { filledPrice: first.price, deal: first.ticket, order: first.order, position: first.positionId }),
      };
    };
    switch (entry.operation) {
      case 'open_market': {
        const deals = look.deals.filter((d) => opening(d) && own(d));
        if (deals.length > 0) {
          const patch = fromDeals(deals);
          return {
            state: 'done',
            patch: {
              ...patch,
              errorCode: null,
              outcome: 'done',
              message: `Confirmed after checking with MetaTrader 5: ${this.#doneWords(entry, patch.filledPrice ?? 0, patch.filledVolume ?? 0)}`,
            },
          };
        }
        const p = look.positions[0];
        if (p !== undefined) {
          return {
            state: 'done',
            patch: {
              filledPrice: p.priceOpen,
              filledVolume: p.volume,
              position: p.ticket,
              errorCode: null,
              outcome: 'done',
              message: `Confirmed after checking with MetaTrader 5: ${this.#doneWords(entry, p.priceOpen, p.volume)}`,
            },
          };
        }
        return hasTrace ? { state: 'unknown' } : notExecuted;
      }
      case 'place_pending': {
        const o = look.orders[0];
        if (o !== undefined) {
          return {
            state: 'done',
            patch: {
              order: o.ticket,
              filledPrice: o.priceOpen,
              filledVolume: o.volumeInitial,
              errorCode: null,
              outcome: 'done',
              message: `Confirmed after checking with MetaTrader 5: the pending order #${o.ticket} is placed.`,
            },
          };
        }
        const deals = look.deals.filter(opening);
        if (deals.length > 0 || look.positions.length > 0) {
          return {
            state: 'done',
            patch: {
              ...fromDeals(deals),
              errorCode: null,
              outcome: 'done',
              message:
                'Confirmed after checking with MetaTrader 5: the pending order was placed and has already been filled.',
            },
          };
        }
        return hasTrace ? { state: 'unknown' } : notExecuted;
      }
      case 'close_position': {
        const deals = look.deals.filter((d) => closing(d) && own(d));
        if (deals.length > 0) {
          const patch = fromDeals(deals);
          return {
            state: 'done',
            patch: {
              ...patch,
              position: entry.position,
              errorCode: null,
              outcome: 'done',
              message: `Confirmed after checking with MetaTrader 5: position #${entry.position ?? ''} closed${typeof patch.filledVolume === 'number' ? ` (${fmtVolume(patch.filledVolume)} lots)` : ''}.`,
            },
          };
        }
        if (hasTrace) return { state: 'unknown' };
        const still = await this.#bridge.positions(undefined, account);
        if (!still.ok) return { state: 'unknown' };
        const isOpen = still.value.some((p) => p.ticket === entry.position);
        if (isOpen) return notExecuted;
        return {
          state: 'rejected',
          patch: {
            errorCode: 'TICKET_NOT_FOUND',
            outcome: 'rejected',
            message: `Position #${entry.position ?? ''} was already closed by something else (for example its stop loss or take profit).`,
          },
        };
      }
      case 'modify_position': {
        const still = await this.#bridge.positions(undefined, account);
        if (!still.ok) return { state: 'unknown' };
        const p = still.value.find((x) => x.ticket === entry.position);
        if (p === undefined)
          return {
            state: 'rejected',
            patch: {
              errorCode: 'TICKET_NOT_FOUND',
              outcome: 'rejected',
              message: `Position #${entry.position ?? ''} is no longer open.`,
            },
          };
        const isSame = (a: number, b: number | null): boolean => Math.abs(a - (b ?? 0)) < 1e-9;
        if (isSame(p.sl, entry.sl) && isSame(p.tp, entry.tp)) {
          return {
            state: 'done',
            patch: {
              errorCode: null,
              outcome: 'done',
              message: `Confirmed after checking with MetaTrader 5: position #${p.ticket} has the requested SL and TP.`,
            },
          };
        }
        return notExecuted;
      }
      case 'modify_order': {
        const still = await this.#bridge.orders(undefined, account);
        if (!still.ok) return { state: 'unknown' };
        const o = still.value.find((x) => x.ticket === entry.order);
        if (o === undefined)
          return {
            state: 'rejected',
            patch: {
              errorCode: 'TICKET_NOT_FOUND',
              outcome: 'rejected',
              message: `Pending order #${entry.order ?? ''} no longer exists.`,
            },
          };
        const isSame = (a: number, b: number | null): boolean => Math.abs(a - (b ?? 0)) < 1e-9;
        if (isSame(o.priceOpen, entry.requestedPrice) && isSame(o.sl, entry.sl) && isSame(o.tp, entry.tp)) {
          return {
            state: 'done',
            patch: {
              errorCode: null,
              outcome: 'done',
              message: `Confirmed after checking with MetaTrader 5: order #${o.ticket} has the requested values.`,
            },
          };
        }
        return notExecuted;
      }
      case 'cancel_order': {
        const [orders, positions] = await Promise.all([
          this.#bridge.orders(undefined, account),
          this.#bridge.positions(undefined, account),
        ]);
        if (!orders.ok || !positions.ok) return { state: 'unknown' };
        if (orders.value.some((o) => o.ticket === entry.order)) return notExecuted;
        if (positions.value.some((p) => p.identifier === entry.order)) {
          return {
            state: 'rejected',
            patch: {
              errorCode: 'TRADE_REJECTED',
              outcome: 'rejected',
              message: `Pending order #${entry.order ?? ''} was filled before it could be cancelled.`,
            },
          };
        }
        return {
          state: 'done',
          patch: {
            errorCode: null,
            outcome: 'done',
            message: `Confirmed after checking with MetaTrader 5: pending order #${entry.order ?? ''} is no longer pending.`,
          },
        };
      }
      case 'close_all':
        return { state: 'unknown' };
    }
  }

  #doneWords(entry: JournalEntry, price: number, volume: number): string {
    const spec = entry.symbol === null ? undefined : this.#specs.get(entry.symbol)?.spec;
    const digits = spec?.digits ?? 5;
    const v = fmtVolume(volume > 0 ? volume : (entry.volume ?? 0), spec?.volumeStep);
    if (entry.operation === 'open_market') {
      return `${entry.side === 'sell' ? 'Sold' : 'Bought'} ${v} ${entry.symbol ?? ''} at ${fmtPrice(price, digits)}`;
    }
    if (entry.operation === 'close_position')
      return `Closed position #${entry.position ?? ''} at ${fmtPrice(price, digits)}`;
    return 'the request was executed.';
  }

  // ── Results ───────────────────────────────────────────────────────────────────────────────────────────────

  /** The one place a journal entry becomes an {@link ExecutionResult}, so live and replayed answers agree. */
  #resultOf(entry: JournalEntry): ExecutionResult {
    const ids = { clientOrderId: entry.clientOrderId, entryId: entry.id, operation: entry.operation };
    const items =
      entry.operation === 'close_all'
        ? this.#journal.listChildren(entry.id).map((c) => this.#item(c))
        : undefined;
    if (entry.state === 'done') {
      const s: ExecutionSuccess = { ok: true, ...ids, message: entry.message ?? 'Done.' };
      if (entry.retcode !== null) s.retcode = entry.retcode;
      if (entry.order !== null) s.order = entry.order;
      if (entry.deal !== null) s.deal = entry.deal;
      if (entry.position !== null) s.position = entry.position;
      if (entry.filledVolume !== null) s.volume = entry.filledVolume;
      if (entry.filledPrice !== null) s.price = entry.filledPrice;
      if (entry.sl !== null) s.sl = entry.sl;
      if (entry.tp !== null) s.tp = entry.tp;
      if (entry.bid !== null) s.bid = entry.bid;
      if (entry.ask !== null) s.ask = entry.ask;
      if (entry.latencyMs !== null) s.latencyMs = entry.latencyMs;
      if (entry.reconcileAttempts > 0) s.reconciled = true;
      if (items !== undefined) s.items = items;
      return s;
    }
    const isOpen = entry.state === 'unknown' || entry.state === 'pending' || entry.state === 'sent';
    const f = failure(
      isOpen ? 'OUTCOME_UNKNOWN' : (entry.errorCode ?? 'TRADE_REJECTED'),
      entry.message ?? UNKNOWN_OUTCOME_MESSAGE,
      ids,
    );
    if (entry.retcode !== null) f.retcode = entry.retcode;
    if (items !== undefined) f.items = items;
    return f;
  }

  #item(c: JournalEntry): CloseAllItem {
    const item: CloseAllItem = {
      ticket: c.position ?? '0',
      symbol: c.symbol ?? '',
      clientOrderId: c.clientOrderId,
      ok: c.state === 'done',
      message: c.message ?? '',
    };
    if (c.state !== 'done')
      item.code = c.state === 'unknown' ? 'OUTCOME_UNKNOWN' : (c.errorCode ?? 'TRADE_REJECTED');
    if (c.retcode !== null) item.retcode = c.retcode;
    if (c.filledVolume !== null) item.volume = c.filledVolume;
    if (c.filledPrice !== null) item.price = c.filledPrice;
    return item;
  }
}

export type { PendingKind };
