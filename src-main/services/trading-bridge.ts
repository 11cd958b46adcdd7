import type {
  EaErrorCode,
  LookupResult,
  ParamsOf,
  TradeResult,
  WireAccount,
  WireOrder,
  WirePosition,
  WireSymbolSpec,
  WireTick,
} from '../../src-bridge/protocol/messages';
import type { Result } from '../../src-core/result';

/**
 * How a bridge call failed, in the terms the executor needs to decide whether an order may have executed:
 * - `not_connected`: no terminal session; nothing was written.
 * - `not_sent`: the request could not be written (link closing, frame too large); nothing was written.
 * - `ea_error`: the EA answered `ok:false`; for order_send the protocol guarantees nothing was sent.
 * - `timeout`: written, no answer within the deadline: an order may have executed.
 * - `disconnected`: written, then the link dropped before the answer: an order may have executed.
 * - `bad_response`: written, the answer did not match the schema: an order may have executed.
 */
export type BridgeFailureKind =
  'not_connected' | 'not_sent' | 'ea_error' | 'timeout' | 'disconnected' | 'bad_response';

/** A failed bridge call. */
export interface BridgeFailure {
  readonly kind: BridgeFailureKind;
  readonly message: string;
  /** Set for `ea_error`. */
  readonly eaCode?: EaErrorCode;
}

/** Whether a failed order_send may nonetheless have reached the trade server. */
export function mayHaveExecuted(kind: BridgeFailureKind): boolean {
  return kind === 'timeout' || kind === 'disconnected' || kind === 'bad_response';
}

/** The order_send parameters (the protocol's, without the envelope). */
export type OrderSendParams = ParamsOf<'order_send'>;

/** Options of {@link TradingBridge.lookup}. */
export interface LookupOptions {
  /** The session (login@server) to ask; default the active one. */
  readonly account?: string;
  /** How far back the terminal searches its history (ms since 1970); absent: the EA's default. */
  readonly sinceMs?: number;
}

/**
 * The narrow view of the MT5 bridge the executor needs: the active terminal session (where new orders go), its
 * data, order_send and lookup, and for reconciliation the same calls addressed to a given session (`account`,
 * login@server): an order is only ever checked with the account it was sent to. `createServerBridge`
 * (server-bridge.ts) implements it over the pipe server of src-bridge/server; unit tests use a fake.
 */
export interface TradingBridge {
  /** Whether a terminal session is active now, or, given an account, whether that account's session is open. */
  isConnected(account?: string): boolean;
  /** login@server of the active session, if any. */
  activeAccount(): string | undefined;
  /**
   * The id of the session (one connection of a terminal) a request to `account` (default the active one) would go
   * to right now, or undefined when none is open. A reconnect of the same terminal, or a second instance of the
   * same account taking over, is a new id; ids are never reused within a process. A request made in the same
   * synchronous step goes to this session, so the executor can tell which session saw an order and which answered
   * a lookup (docs/order-lifecycle.md, "When absence is proof").
   */
  sessionId(account?: string): string | undefined;
  account(): Promise<Result<WireAccount, BridgeFailure>>;
  symbolSpec(symbol: string): Promise<Result<WireSymbolSpec, BridgeFailure>>;
  quote(symbol: string): Promise<Result<WireTick, BridgeFailure>>;
  positions(symbol?: string, account?: string): Promise<Result<readonly WirePosition[], BridgeFailure>>;
  orders(symbol?: string, account?: string): Promise<Result<readonly WireOrder[], BridgeFailure>>;
  /** OrderCalcMargin, in the account currency. */
  calcMargin(params: ParamsOf<'calc_margin'>): Promise<Result<number, BridgeFailure>>;
  /** Sends to `account`'s session (default the active one); `not_connected` if that session is not open. */
  orderSend(
    params: OrderSendParams,
    deadlineMs: number,
    account?: string,
  ): Promise<Result<TradeResult, BridgeFailure>>;
  lookup(
    clOrdId: string,
    deadlineMs: number,
    options?: LookupOptions,
  ): Promise<Result<LookupResult, BridgeFailure>>;
  /**
   * Called with login@server when a terminal session opens (first connection or reconnect, active or not).
   * Returns unsubscribe.
   */
  onSessionReady(listener: (account: string) => void): () => void;
}
