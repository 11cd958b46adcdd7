import { appError, err, ok, type AppError, type Result } from '../../src-core/result';
import { Emitter } from '../../src-core/emitter';
import type { FramedLink } from '../protocol/link';
import type { Logger } from '../../src-core/logger';
import type { Clock, Timers } from '../../src-core/clock';
import {
  AccountEvent,
  DEFAULT_DEADLINES_MS,
  EaMessageSchemas,
  RequestSchemas,
  ResultSchemas,
  TickEvent,
  TradeEvent,
  TxnEvent,
  type ByeReason,
  type EaErrorCode,
  type Hello,
  type ParamsOf,
  type ProtocolErrorCode,
  type RequestType,
  type ResultOf,
  type TradeEventForm,
} from '../protocol/messages';
import { changeOfTrade, changeOfTxn, type TradeChange } from './trade-change';

/** Why a request failed without a result. */
export type BridgeRequestErrorCode =
  /** There was no open session; nothing was sent. */
  | 'NOT_CONNECTED'
  /** The parameters do not form a valid request; nothing was sent. */
  | 'INVALID_REQUEST'
  /** The link dropped after the request was sent and before its answer. */
  | 'DISCONNECTED'
  /** No answer within the deadline. */
  | 'TIMEOUT'
  /** The EA answered `ok:false` (for order_send: it did not call OrderSend). */
  | 'EA_ERROR'
  /** The EA answered with a result that does not match the protocol. */
  | 'BAD_RESPONSE';

/**
 * A failed request. `delivered` says whether the request was written to the link: an order_send failure with
 * `delivered: true` and code DISCONNECTED, TIMEOUT or BAD_RESPONSE has an unknown outcome (see
 * {@link isOutcomeUnknown}).
 */
export interface BridgeRequestError extends AppError<BridgeRequestErrorCode> {
  readonly delivered: boolean;
  /** The EA's error code, for EA_ERROR. */
  readonly eaCode?: EaErrorCode;
}

/**
 * Whether a failed trade request may have executed: it was delivered and no definite answer came back. Such an
 * order must be reconciled with `lookup`, never resent blindly.
 */
export function isOutcomeUnknown(error: BridgeRequestError): boolean {
  return (
    error.delivered &&
    (error.code === 'DISCONNECTED' || error.code === 'TIMEOUT' || error.code === 'BAD_RESPONSE')
  );
}

/** Options of one request. */
export interface RequestOptions {
  /** Overrides the type's default deadline ({@link DEFAULT_DEADLINES_MS}). */
  readonly deadlineMs?: number;
}

/** Why a session ended. */
export type SessionCloseReason =
  /** A new connection for the same login+server took over. */
  | 'replaced'
  /** Nothing received for silenceMs. */
  | 'silence'
  /** The EA closed the link (or the socket failed). */
  | 'disconnected'
  /** The EA said bye. */
  | 'bye'
  /** Too many bad frames, or a frame over the size limit. */
  | 'protocol_error'
  /** The server is shutting down. */
  | 'shutdown'
  /** The EA stopped reading and the write backlog passed its bound. */
  | 'backpressure'
  /** The trader rotated the pairing token: every EA proves itself again with the new one. */
  | 'token_rotated';

interface Pending {
  readonly type: RequestType;
  readonly timer: unknown;
  readonly resolve: (result: Result<unknown, BridgeRequestError>) => void;
}

/** Internal wiring between a session and its server. */
export interface SessionWiring {
  readonly logger: Logger;
  /** Stamps each request's `expiresAt`; its timers end the wait at the deadline (see BridgeServerOptions). */
  readonly clock: Clock;
  readonly timers: Timers;
  readonly deadlines: Readonly<Record<RequestType, number>>;
  readonly maxBadFramesPerMinute: number;
  readonly onTick: (tick: TickEvent, session: BridgeSession) => void;
  readonly onAccount: (account: AccountEvent, session: BridgeSession) => void;
  readonly onTransaction: (txn: TxnEvent, session: BridgeSession) => void;
  readonly onTradeChange: (change: TradeChange, session: BridgeSession) => void;
  readonly onClosed: (session: BridgeSession, reason: SessionCloseReason) => void;
}

const BYE_FOR: Partial<Record<SessionCloseReason, ByeReason>> = {
  replaced: 'REPLACED',
  silence: 'SILENCE',
  protocol_error: 'PROTOCOL_ERROR',
  shutdown: 'SHUTDOWN',
  token_rotated: 'TOKEN_ROTATED',
};

/**
 * One terminal connected and paired: typed requests to its EA and the events it pushes. Obtain sessions from
 * the server ({@link import('./bridge-server').BridgeServer}); a session never reopens — a reconnecting EA is a
 * new session with the same `key`.
 */
export class BridgeSession {
  /** The server's id for this session (unique per server run). */
  readonly id: string;
  /** `login@server`: what identifies the terminal across reconnects. */
  readonly key: string;
  /** The EA's hello (terminal and account identity). */
  readonly hello: Hello;
  /** When the handshake completed (ms since 1970). */
  readonly openedAt: number;

  readonly #link: FramedLink;
  readonly #wiring: SessionWiring;
  readonly #pending = new Map<string, Pending>();
  readonly #ticks: Emitter<[TickEvent]>;
  readonly #accounts: Emitter<[AccountEvent]>;
  readonly #txns: Emitter<[TxnEvent]>;
  readonly #tradeChanges: Emitter<[TradeChange]>;
  readonly #closes: Emitter<[SessionCloseReason]>;
  #nextId = 0;
  #closeReason: SessionCloseReason | undefined;
  #badFrameTimes: number[] = [];
  #timeOffsetSec: number;
  readonly #unknownEventTypes = new Set<string>();
  #ignoredEvents = 0;
  #tradeEventForm: TradeEventForm = 'txn';

  /** @internal Built by the server after a successful handshake. */
  constructor(id: string, hello: Hello, link: FramedLink, wiring: SessionWiring) {
    this.id = id;
    this.key = sessionKey(hello.account.login, hello.account.server);
    this.hello = hello;
    this.openedAt = Date.now();
    this.#timeOffsetSec = hello.timeOffsetSec;
    this.#link = link;
    this.#wiring = wiring;
    const onListenerError = (error: unknown): void => {
      wiring.logger.error('bridge: event listener threw', { session: id, error: String(error) });
    };
    this.#ticks = new Emitter(onListenerError);
    this.#accounts = new Emitter(onListenerError);
    this.#txns = new Emitter(onListenerError);
    this.#tradeChanges = new Emitter(onListenerError);
    this.#closes = new Emitter(onListenerError);
  }

  /** Whether the session is still open. */
  get isOpen(): boolean {
    return this.#closeReason === undefined;
  }

  /** Why the session ended, once it has. */
  get closeReason(): SessionCloseReason | undefined {
    return this.#closeReason;
  }

  /**
   * The trade server's clock minus UTC in seconds: from hello, updated by `account` events that carry it (DST).
   * Protocol times are on the trade server's clock; UTC ms = serverMs - timeOffsetSec * 1000.
   */
  get timeOffsetSec(): number {
    return this.#timeOffsetSec;
  }

  /**
   * Frames of an event type this app does not know (no `id`: a newer EA's event), ignored so far. Counted apart
   * from bad frames: they never close the link (docs/bridge-protocol.md, "Versioning").
   */
  get ignoredEvents(): number {
    return this.#ignoredEvents;
  }

  /**
   * How the EA reports trade transactions: `txn` (every connection starts so) until it has confirmed `changes`
   * ({@link useTradeChanges}); an EA that predates the request stays at `txn`.
   */
  get tradeEventForm(): TradeEventForm {
    return this.#tradeEventForm;
  }

  /** Requests sent and not yet answered. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Sends a request and resolves with its typed result, or with a {@link BridgeRequestError} (never rejects).
   * The deadline is the type's default unless `options.deadlineMs` is given.
   */
  request<T extends RequestType>(
    type: T,
    params: ParamsOf<T>,
    options: RequestOptions = {},
  ): Promise<Result<ResultOf<T>, BridgeRequestError>> {
    if (!this.isOpen) {
      return Promise.resolve(err(requestError('NOT_CONNECTED', `session ${this.key} is closed`, false)));
    }
    this.#nextId += 1;
    const id = `r-${this.#nextId}`;
    const deadlineMs = options.deadlineMs ?? this.#wiring.deadlines[type];
    const message = { type, id, deadlineMs, expiresAt: this.#wiring.clock.now() + deadlineMs, ...params };
    const checked = RequestSchemas[type].safeParse(message);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue === undefined ? '' : `${issue.path.join('.')}: ${issue.message}`;
      return Promise.resolve(
        err(requestError('INVALID_REQUEST', `invalid ${type} request: ${where}`, false)),
      );
    }
    return new Promise((resolve) => {
      const timer = this.#wiring.timers.setTimeout(() => {
        if (this.#pending.delete(id)) {
          this.#wiring.logger.warn('bridge: request timed out', { session: this.key, id, type, deadlineMs });
          resolve(err(requestError('TIMEOUT', `${type} ${id}: no answer within ${deadlineMs} ms`, true)));
        }
      }, deadlineMs);
      this.#pending.set(id, {
        type,
        timer,
        resolve: resolve as (result: Result<unknown, BridgeRequestError>) => void,
      });
      if (!this.#link.send(message)) {
        this.#wiring.timers.clearTimeout(timer);
        this.#pending.delete(id);
        resolve(err(requestError('NOT_CONNECTED', `session ${this.key} is closed`, false)));
      }
    });
  }

  /** Ticks of subscribed symbols (subscribe with `request('subscribe', { symbol })`). Safe to pass unbound. */
  readonly onTick = (listener: (tick: TickEvent) => void): (() => void) => this.#ticks.on(listener);

  /** Account figure changes. */
  readonly onAccount = (listener: (account: AccountEvent) => void): (() => void) =>
    this.#accounts.on(listener);

  /** Trade transactions (hints that positions, orders or deals changed). */
  readonly onTransaction = (listener: (txn: TxnEvent) => void): (() => void) => this.#txns.on(listener);

  /**
   * Trade state changed: from `trade` events, or from each `txn` event of an EA that sends those (see
   * {@link TradeChange}). What the app's consumers listen to.
   */
  readonly onTradeChange = (listener: (change: TradeChange) => void): (() => void) =>
    this.#tradeChanges.on(listener);

  /**
   * Asks the EA for coalesced `trade` events instead of a `txn` per transaction (docs/bridge-protocol.md,
   * "trade_events"). Resolves with the form in use afterwards; an EA that does not know the request answers
   * UNKNOWN_TYPE and keeps sending `txn` events, which {@link onTradeChange} reports just the same.
   */
  async useTradeChanges(): Promise<TradeEventForm> {
    const answer = await this.request('trade_events', { form: 'changes' });
    if (answer.ok) {
      this.#tradeEventForm = answer.value.form;
    } else if (answer.error.eaCode === 'UNKNOWN_TYPE') {
      this.#wiring.logger.info('bridge: this EA predates trade_events; it reports every trade transaction', {
        session: this.key,
        eaVersion: this.hello.eaVersion,
      });
    } else if (this.isOpen) {
      this.#wiring.logger.warn(
        'bridge: trade_events failed; the EA keeps reporting every trade transaction',
        {
          session: this.key,
          error: answer.error.message,
        },
      );
    }
    return this.#tradeEventForm;
  }

  /** The session ended (once). */
  readonly onClose = (listener: (reason: SessionCloseReason) => void): (() => void) =>
    this.#closes.on(listener);

  /** Ends the session, telling the EA why where the protocol has a word for it. */
  close(reason: SessionCloseReason, message = ''): void {
    if (!this.isOpen) return;
    this.#closeReason = reason;
    const bye = BYE_FOR[reason];
    this.#link.close(bye === undefined ? undefined : { type: 'bye', reason: bye, message });
    for (const [id, pending] of this.#pending) {
      this.#wiring.timers.clearTimeout(pending.timer);
      pending.resolve(
        err(
          requestError(
            'DISCONNECTED',
            `${pending.type} ${id}: session ended (${reason}) before an answer`,
            true,
          ),
        ),
      );
    }
    this.#pending.clear();
    this.#wiring.logger.info('bridge: session closed', { session: this.key, id: this.id, reason });
    this.#closes.emit(reason);
    this.#closes.clear();
    this.#ticks.clear();
    this.#accounts.clear();
    this.#txns.clear();
    this.#tradeChanges.clear();
    this.#wiring.onClosed(this, reason);
  }

  /** @internal A frame from the EA after the handshake. */
  handleMessage(message: Record<string, unknown>, type: string | undefined): void {
    switch (type) {
      case 'response':
        this.#onResponse(message);
        return;
      case 'tick': {
        const parsed = TickEvent.safeParse(message);
        if (parsed.success) {
          this.#ticks.emit(parsed.data);
          this.#wiring.onTick(parsed.data, this);
        } else this.#bad('BAD_MESSAGE', `tick: ${firstIssue(parsed.error)}`);
        return;
      }
      case 'account': {
        const parsed = AccountEvent.safeParse(message);
        if (parsed.success) {
          if (parsed.data.timeOffsetSec !== undefined) this.#timeOffsetSec = parsed.data.timeOffsetSec;
          this.#accounts.emit(parsed.data);
          this.#wiring.onAccount(parsed.data, this);
        } else this.#bad('BAD_MESSAGE', `account: ${firstIssue(parsed.error)}`);
        return;
      }
      case 'txn': {
        const parsed = TxnEvent.safeParse(message);
        if (parsed.success) {
          this.#txns.emit(parsed.data);
          this.#wiring.onTransaction(parsed.data, this);
          this.#emitTradeChange(changeOfTxn(parsed.data));
        } else this.#bad('BAD_MESSAGE', `txn: ${firstIssue(parsed.error)}`);
        return;
      }
      case 'trade': {
        const parsed = TradeEvent.safeParse(message);
        if (parsed.success) this.#emitTradeChange(changeOfTrade(parsed.data));
        else this.#bad('BAD_MESSAGE', `trade: ${firstIssue(parsed.error)}`);
        return;
      }
      case 'hb':
        return;
      case 'error': {
        // Never answer an error with an error (two confused peers would ping-pong forever).
        const parsed = EaMessageSchemas.error.safeParse(message);
        this.#wiring.logger.warn('bridge: EA reported a protocol error', {
          session: this.key,
          error: parsed.success ? parsed.data : message,
        });
        this.#countBad();
        return;
      }
      case 'bye': {
        const parsed = EaMessageSchemas.bye.safeParse(message);
        this.#wiring.logger.info('bridge: EA said bye', {
          session: this.key,
          reason: parsed.success ? parsed.data.reason : 'invalid bye',
        });
        this.close('bye');
        return;
      }
      case 'hello':
      case 'auth':
        this.#bad('UNEXPECTED', `${type} after the handshake`);
        return;
      default: {
        const id = typeof message['id'] === 'string' ? message['id'] : undefined;
        if (type !== undefined && id === undefined) {
          // An event type from a newer EA: compatible by design (docs/bridge-protocol.md, "Versioning"), so it
          // is ignored without an error and never counts towards the bad-frame limit. Logged once per type.
          this.#ignoreUnknownEvent(type);
          return;
        }
        this.#bad(
          'UNKNOWN_TYPE',
          `unknown message type ${type === undefined ? '(none)' : JSON.stringify(type).slice(0, 80)}`,
          id?.slice(0, 64),
        );
      }
    }
  }

  /** @internal A frame that could not be parsed at all. */
  handleBadFrame(code: ProtocolErrorCode, message: string): void {
    if (code === 'FRAME_TOO_LARGE') {
      this.#link.send({ type: 'error', code, message });
      this.close('protocol_error', message);
      return;
    }
    this.#bad(code, message);
  }

  #onResponse(message: Record<string, unknown>): void {
    const envelope = EaMessageSchemas.response.safeParse(message);
    const rawId = message['id'];
    const id = typeof rawId === 'string' ? rawId : undefined;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (!envelope.success) {
      this.#bad('BAD_MESSAGE', `response: ${firstIssue(envelope.error)}`, id);
      if (pending !== undefined && id !== undefined) {
        this.#settle(id, pending, err(requestError('BAD_RESPONSE', 'malformed response envelope', true)));
      }
      return;
    }
    if (pending === undefined || id === undefined) {
      this.#wiring.logger.warn('bridge: response to an unknown or expired request', {
        session: this.key,
        id,
      });
      this.#link.send({
        type: 'error',
        code: 'UNKNOWN_ID',
        message: 'no request is waiting for this id',
        id,
      });
      return;
    }
    const response = envelope.data;
    if (!response.ok) {
      this.#settle(
        id,
        pending,
        err({
          ...requestError(
            'EA_ERROR',
            `${pending.type}: ${response.error.code}: ${response.error.message}`,
            true,
          ),
          eaCode: response.error.code,
        }),
      );
      return;
    }
    const result = ResultSchemas[pending.type].safeParse(response.result);
    if (!result.success) {
      const detail = `${pending.type} result: ${firstIssue(result.error)}`;
      this.#bad('BAD_MESSAGE', detail, id);
      this.#settle(id, pending, err(requestError('BAD_RESPONSE', detail, true)));
      return;
    }
    this.#settle(id, pending, ok(result.data));
  }

  #emitTradeChange(change: TradeChange): void {
    this.#tradeChanges.emit(change);
    this.#wiring.onTradeChange(change, this);
  }

  #ignoreUnknownEvent(type: string): void {
    this.#ignoredEvents += 1;
    if (this.#unknownEventTypes.has(type) || this.#unknownEventTypes.size >= 16) return;
    this.#unknownEventTypes.add(type);
    this.#wiring.logger.info('bridge: ignoring an event type this app does not know', {
      session: this.key,
      type: type.slice(0, 64),
    });
  }

  #settle(id: string, pending: Pending, result: Result<unknown, BridgeRequestError>): void {
    this.#wiring.timers.clearTimeout(pending.timer);
    this.#pending.delete(id);
    pending.resolve(result);
  }

  #bad(code: ProtocolErrorCode, message: string, id?: string): void {
    this.#wiring.logger.warn('bridge: bad frame from EA', { session: this.key, code, message });
    this.#link.send(
      id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id },
    );
    this.#countBad();
  }

  #countBad(): void {
    const now = Date.now();
    this.#badFrameTimes = this.#badFrameTimes.filter((t) => now - t < 60_000);
    this.#badFrameTimes.push(now);
    if (this.#badFrameTimes.length >= this.#wiring.maxBadFramesPerMinute) {
      this.close('protocol_error', 'too many bad frames');
    }
  }
}

/** `login@server`, the key of a terminal's session. */
export function sessionKey(login: string, server: string): string {
  return `${login}@${server}`;
}

function requestError(code: BridgeRequestErrorCode, message: string, delivered: boolean): BridgeRequestError {
  return { ...appError(code, message), delivered };
}

function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  return `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`;
}

/** The default deadlines, re-exported for callers that show them. */
export { DEFAULT_DEADLINES_MS };
