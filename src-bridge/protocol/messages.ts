import { z } from 'zod';
import { retcodeInfo } from '../../src-core/trading/retcodes';
import { RatesRequest, RatesResult } from './rates';

/**
 * Bridge protocol v2: every message that crosses the pipe between the app (server) and the EA (client).
 * `docs/bridge-protocol.md` is the prose specification of these schemas; keep both in step.
 *
 * Conventions (why they are the way they are):
 * - Messages the app sends are flat (one level, strings/numbers/booleans) because the EA parses them with a
 *   small hand-written MQL5 JSON reader. Arrays of objects appear only in what the EA sends.
 * - Tickets, magic numbers and position ids are decimal strings: MT5 keeps them as `ulong` and JSON numbers
 *   lose precision above 2^53.
 * - Enumerations the app sends are MT5 names without their prefix (`"FOK"`, `"BUY_LIMIT"`), never integers, so
 *   the ORDER_FILLING_* / SYMBOL_FILLING_* mix-up cannot happen on the wire; a trade result's `filling` echoes
 *   such a request parameter and is a name too. Properties the EA reads from MT5 (symbols, positions, orders,
 *   deals, transactions) are MT5's integers as the terminal returns them; `./enums` maps them to names. The
 *   account's modes (`marginMode`, `tradeMode`, `marginSoMode`) are lowercase names.
 * - Prices, volumes and money are JSON numbers: prices with the symbol's digits, volumes with up to 8
 *   decimals, money with the account currency's digits. Receivers round to tick size / volume step.
 * - Times are milliseconds since 1970 on the trade server's clock, as MT5 reports them (`time_msc`).
 * - Unknown fields are ignored (zod objects strip them), so adding an optional field is not a version bump.
 */

/** The only protocol version this build speaks (v1, with the token in hello, is refused). */
export const PROTOCOL_VERSION = 2;
/** Largest frame either side accepts, in bytes of UTF-8 excluding the newline. */
export const MAX_FRAME_BYTES = 1_048_576;
/** Each side sends `hb` when it has sent nothing for this long. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** Each side drops the link after receiving nothing for this long. */
export const SILENCE_TIMEOUT_MS = 15_000;
/** The app refuses a connection that has not said hello within this time of connecting. */
export const HELLO_TIMEOUT_MS = 2_000;
/** The app refuses a connection that has not answered the challenge within this time. */
export const AUTH_TIMEOUT_MS = 2_000;

/** A 64-bit MT5 integer (ticket, magic, position id, login) as a decimal string. */
export const Ticket = z.string().regex(/^[0-9]{1,20}$/, 'a decimal string of up to 20 digits');
export type Ticket = z.infer<typeof Ticket>;

/** A request id chosen by the app; echoed in the response. */
export const RequestId = z.string().min(1).max(64);
export type RequestId = z.infer<typeof RequestId>;

/**
 * A client order id: the app's id of one trade intent. The EA writes it verbatim into the MT5 order comment
 * (31 characters at most in MT5; 26 here for brokers that append to comments), so lookups can find it.
 */
export const ClOrdId = z.string().regex(/^[A-Za-z0-9_.:-]{1,26}$/, 'up to 26 of A-Z a-z 0-9 _ . : -');
export type ClOrdId = z.infer<typeof ClOrdId>;

const SymbolName = z.string().min(1).max(64);
const price = z.number().nonnegative();
const volume = z.number().positive();
const money = z.number();
const timeMs = z.number().int().nonnegative();
const mt5Int = z.number().int();

// ---------------------------------------------------------------------------------------------------------
// Handshake

/** A handshake nonce: 32 random bytes as 64 lowercase hex characters, fresh per connection on each side. */
export const Nonce = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters');
export type Nonce = z.infer<typeof Nonce>;

/** A handshake proof: HMAC-SHA256 as 64 lowercase hex characters (see `./handshake`). */
export const Proof = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters');
export type Proof = z.infer<typeof Proof>;

/**
 * The trade server's clock minus UTC in whole seconds (`TimeTradeServer() - TimeGMT()`). Protocol times stay on
 * the trade server's clock; UTC ms = serverMs - timeOffsetSec * 1000 (docs/clock-model.md).
 */
export const TimeOffsetSec = z.number().int().min(-86_400).max(86_400);
export type TimeOffsetSec = z.infer<typeof TimeOffsetSec>;

/** The terminal part of `hello`. */
export const HelloTerminal = z.object({
  /** TERMINAL_BUILD. */
  build: z.number().int().nonnegative(),
  /** TERMINAL_COMPANY (the broker that distributed the terminal). */
  company: z.string().max(256),
  /** TERMINAL_DATA_PATH. */
  dataPath: z.string().max(1024),
  /** TERMINAL_TRADE_ALLOWED (the Algo Trading button) and MQL_TRADE_ALLOWED together. */
  tradeAllowed: z.boolean(),
  /** TERMINAL_CONNECTED (to the trade server). Optional: older EAs may omit it. */
  connected: z.boolean().optional(),
});
export type HelloTerminal = z.infer<typeof HelloTerminal>;

/** ACCOUNT_MARGIN_MODE as the app uses it: RETAIL_HEDGING → hedging; RETAIL_NETTING and EXCHANGE → netting. */
export const WireMarginMode = z.enum(['netting', 'hedging']);
export type WireMarginMode = z.infer<typeof WireMarginMode>;

/** ACCOUNT_TRADE_MODE: DEMO=0 → demo, CONTEST=1 → contest, REAL=2 → real. */
export const AccountTradeMode = z.enum(['demo', 'contest', 'real']);
export type AccountTradeMode = z.infer<typeof AccountTradeMode>;

/** The account part of `hello`; login + server identify a terminal session. */
export const HelloAccount = z.object({
  login: Ticket,
  server: z.string().min(1).max(128),
  currency: z.string().min(1).max(16),
  leverage: z.number().int().nonnegative(),
  marginMode: WireMarginMode,
  tradeMode: AccountTradeMode,
  /** ACCOUNT_NAME (the holder's name); optional. */
  name: z.string().max(256).optional(),
  /** ACCOUNT_COMPANY (the broker); optional. */
  company: z.string().max(256).optional(),
});
export type HelloAccount = z.infer<typeof HelloAccount>;

/** EA → app, first frame after connecting. It carries no secret: the token never crosses the pipe. */
export const Hello = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  /** The EA's own version string, e.g. `2.10`, or `sim-0.1.0` for the simulator. */
  eaVersion: z.string().min(1).max(32),
  /** The EA's nonce for this connection. */
  nonce: Nonce,
  /** The trade server's clock minus UTC, in seconds. */
  timeOffsetSec: TimeOffsetSec,
  terminal: HelloTerminal,
  account: HelloAccount,
});
export type Hello = z.infer<typeof Hello>;

/** App → EA, the answer to hello: the app's nonce and its proof that it holds the token. */
export const Challenge = z.object({
  type: z.literal('challenge'),
  protocol: z.literal(PROTOCOL_VERSION),
  nonce: Nonce,
  /** `handshakeProof(token, 'app', endpoint, eaNonce, appNonce)`; the EA checks it before anything else. */
  proof: Proof,
});
export type Challenge = z.infer<typeof Challenge>;

/** EA → app, after verifying the challenge: the EA's proof that it holds the token. */
export const Auth = z.object({
  type: z.literal('auth'),
  /** `handshakeProof(token, 'ea', endpoint, eaNonce, appNonce)`. */
  proof: Proof,
});
export type Auth = z.infer<typeof Auth>;

/** App → EA: the handshake succeeded. The EA uses the timing values it is given. */
export const Welcome = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int().positive(),
  sessionId: z.string().min(1).max(64),
  heartbeatMs: z.number().int().positive(),
  silenceMs: z.number().int().positive(),
  maxFrameBytes: z.number().int().positive(),
  app: z.string().max(64),
});
export type Welcome = z.infer<typeof Welcome>;

/** Why the app refused a handshake. */
export const RefusalReason = z.enum([
  /** The EA's proof does not match the current token (or the app has none). Re-read the file before retrying. */
  'BAD_TOKEN',
  /** The EA speaks another protocol version (v1 sends its token in hello): update or reinstall the EA. */
  'PROTOCOL_UNSUPPORTED',
  /** The first frame was not a valid hello, or the second not a valid auth. */
  'BAD_HELLO',
  /** No hello arrived within HELLO_TIMEOUT_MS of connecting. */
  'HELLO_TIMEOUT',
  /** No auth arrived within AUTH_TIMEOUT_MS of the challenge. */
  'AUTH_TIMEOUT',
  /** Every session slot is taken by other terminals. */
  'BUSY',
  /** The app is shutting down. */
  'SHUTTING_DOWN',
]);
export type RefusalReason = z.infer<typeof RefusalReason>;

/** App → EA: the handshake failed; the app closes the link after sending this. */
export const Refused = z.object({
  type: z.literal('refused'),
  reason: RefusalReason,
  message: z.string().max(512),
  /** Protocol versions the app supports (always present for PROTOCOL_UNSUPPORTED). */
  supported: z.string().max(64).optional(),
});
export type Refused = z.infer<typeof Refused>;

/**
 * Why either side is closing an established link. TOKEN_ROTATED: the trader rotated the pairing token; the EA
 * re-reads the token file and proves itself again.
 */
export const ByeReason = z.enum(['REPLACED', 'SHUTDOWN', 'SILENCE', 'PROTOCOL_ERROR', 'TOKEN_ROTATED']);
export type ByeReason = z.infer<typeof ByeReason>;

/** Either direction: the sender is about to close the link. The EA reconnects with backoff. */
export const Bye = z.object({ type: z.literal('bye'), reason: ByeReason, message: z.string().max(512) });
export type Bye = z.infer<typeof Bye>;

/** Either direction: a heartbeat, sent when nothing else was sent for `heartbeatMs`. */
export const Heartbeat = z.object({ type: z.literal('hb') });
export type Heartbeat = z.infer<typeof Heartbeat>;

/** Codes of `error` frames (a frame the receiver could not handle; not an answer to a valid request). */
export const ProtocolErrorCode = z.enum([
  /** Not JSON, not an object, or not UTF-8. */
  'BAD_JSON',
  /** JSON but not a valid message of its type (missing or wrong-typed field). */
  'BAD_MESSAGE',
  /** A `type` the receiver does not know, on a frame without an `id`. */
  'UNKNOWN_TYPE',
  /** A frame longer than maxFrameBytes; the receiver closes the link after this error. */
  'FRAME_TOO_LARGE',
  /** A message that is not allowed in the current state (e.g. a request before `welcome`). */
  'UNEXPECTED',
  /** A response to an id the app is not waiting for (late after a timeout, or never sent). */
  'UNKNOWN_ID',
]);
export type ProtocolErrorCode = z.infer<typeof ProtocolErrorCode>;

/** Either direction: the receiver rejected a frame. `id` is set when the bad frame carried one. */
export const ProtocolError = z.object({
  type: z.literal('error'),
  code: ProtocolErrorCode,
  message: z.string().max(1024),
  id: z.string().max(64).optional(),
});
export type ProtocolError = z.infer<typeof ProtocolError>;

// ---------------------------------------------------------------------------------------------------------
// Data the EA reports

/** A quote (SymbolInfoTick). `last` and `volume` are 0 where the symbol has none. */
export const WireTick = z.object({
  symbol: SymbolName,
  bid: price,
  ask: price,
  last: price.optional(),
  volume: z.number().nonnegative().optional(),
  timeMsc: timeMs,
});
export type WireTick = z.infer<typeof WireTick>;

/** ACCOUNT_* properties. Money in the account currency. */
export const WireAccount = z.object({
  login: Ticket,
  server: z.string().min(1).max(128),
  currency: z.string().min(1).max(16),
  /** ACCOUNT_CURRENCY_DIGITS. */
  currencyDigits: z.number().int().min(0).max(8),
  leverage: z.number().int().nonnegative(),
  marginMode: WireMarginMode,
  tradeMode: AccountTradeMode,
  name: z.string().max(256).optional(),
  company: z.string().max(256).optional(),
  balance: money,
  credit: money,
  /** Floating profit of open positions. */
  profit: money,
  equity: money,
  margin: money,
  marginFree: money,
  /** Percent; 0 when no margin is used. */
  marginLevel: money,
  /** ACCOUNT_MARGIN_SO_MODE: PERCENT=0, MONEY=1. */
  marginSoMode: z.enum(['percent', 'money']),
  marginSoCall: money,
  marginSoSo: money,
  /** ACCOUNT_TRADE_ALLOWED (false when logged in with the investor password). */
  tradeAllowed: z.boolean(),
  /** ACCOUNT_TRADE_EXPERT (the server allows EAs to trade). */
  tradeExpert: z.boolean(),
  /** ACCOUNT_LIMIT_ORDERS, 0 = unlimited. */
  limitOrders: z.number().int().nonnegative(),
  fifoClose: z.boolean(),
  /** The trade server's clock minus UTC, in seconds (as in hello). Optional. */
  timeOffsetSec: TimeOffsetSec.optional(),
});
export type WireAccount = z.infer<typeof WireAccount>;

/** One entry of the `symbols` list. */
export const WireSymbolEntry = z.object({
  name: SymbolName,
  description: z.string().max(256),
  /** SYMBOL_PATH, e.g. `Forex\Majors\EURUSD`. */
  path: z.string().max(512),
  /** In Market Watch (SYMBOL_SELECT). */
  selected: z.boolean(),
  /** SYMBOL_TRADE_MODE integer. */
  tradeMode: mt5Int,
});
export type WireSymbolEntry = z.infer<typeof WireSymbolEntry>;

/** SYMBOL_* properties of one symbol. Enumerations are MT5 integers; `toSymbolSpec` maps them. */
export const WireSymbolSpec = z.object({
  name: SymbolName,
  description: z.string().max(256),
  path: z.string().max(512).optional(),
  digits: z.number().int().min(0).max(10),
  point: z.number().positive(),
  tickSize: z.number().positive(),
  /** SYMBOL_TRADE_TICK_VALUE_LOSS in account currency per tick per lot. */
  tickValue: z.number().nonnegative(),
  /** SYMBOL_TRADE_TICK_VALUE_PROFIT; optional. */
  tickValueProfit: z.number().nonnegative().optional(),
  contractSize: z.number().positive(),
  volumeMin: z.number().positive(),
  volumeMax: z.number().positive(),
  volumeStep: z.number().positive(),
  /** SYMBOL_VOLUME_LIMIT, 0 = none. */
  volumeLimit: z.number().nonnegative(),
  currencyBase: z.string().max(16),
  currencyProfit: z.string().max(16),
  currencyMargin: z.string().max(16),
  /** ENUM_SYMBOL_CALC_MODE integer. */
  calcMode: mt5Int,
  /** SYMBOL_MARGIN_INITIAL (0 when the broker uses the formula). */
  marginInitial: z.number().nonnegative(),
  /** Initial margin rate for buys (SymbolInfoMarginRate), 1 when unknown. */
  marginRate: z.number().nonnegative(),
  /** SYMBOL_MARGIN_HEDGED, in contract units. */
  marginHedged: z.number().nonnegative().optional(),
  /** ENUM_SYMBOL_TRADE_MODE integer. */
  tradeMode: mt5Int,
  /** ENUM_SYMBOL_TRADE_EXECUTION integer. */
  executionMode: mt5Int,
  /** SYMBOL_FILLING_MODE flags: FOK=1, IOC=2, BOC=4. */
  fillingFlags: z.number().int().min(0).max(255),
  /** SYMBOL_EXPIRATION_MODE flags: GTC=1, DAY=2, SPECIFIED=4, SPECIFIED_DAY=8. */
  expirationFlags: z.number().int().min(0).max(255),
  /** SYMBOL_ORDER_MODE flags: MARKET=1, LIMIT=2, STOP=4, STOP_LIMIT=8, SL=16, TP=32, CLOSEBY=64. */
  orderFlags: z.number().int().min(0).max(1023),
  /** SYMBOL_TRADE_STOPS_LEVEL in points. */
  stopsLevel: z.number().int().nonnegative(),
  /** SYMBOL_TRADE_FREEZE_LEVEL in points. */
  freezeLevel: z.number().int().nonnegative(),
  /** SYMBOL_SPREAD in points at the time of the answer. */
  spread: z.number().int().nonnegative(),
  /** Current bid/ask (0 when the terminal has no quote yet). */
  bid: price,
  ask: price,
  /** Whether the symbol's trade session is open now (SymbolInfoSessionTrade against TimeTradeServer). */
  sessionOpen: z.boolean(),
});
export type WireSymbolSpec = z.infer<typeof WireSymbolSpec>;

/** An open position (PositionGet*). */
export const WirePosition = z.object({
  ticket: Ticket,
  /** POSITION_IDENTIFIER (equals the opening order's ticket). */
  identifier: Ticket,
  symbol: SymbolName,
  /** ENUM_POSITION_TYPE: BUY=0, SELL=1. */
  type: z.union([z.literal(0), z.literal(1)]),
  volume: volume,
  priceOpen: price,
  priceCurrent: price,
  sl: price,
  tp: price,
  profit: money,
  swap: money,
  magic: Ticket,
  comment: z.string().max(64),
  timeMsc: timeMs,
  timeUpdateMsc: timeMs,
});
export type WirePosition = z.infer<typeof WirePosition>;

/** A working (pending) order (OrderGet*). */
export const WireOrder = z.object({
  ticket: Ticket,
  symbol: SymbolName,
  /** ENUM_ORDER_TYPE integer. */
  type: mt5Int,
  /** ENUM_ORDER_STATE integer. */
  state: mt5Int,
  volumeInitial: volume,
  volumeCurrent: z.number().nonnegative(),
  priceOpen: price,
  priceStopLimit: price,
  priceCurrent: price,
  sl: price,
  tp: price,
  /** ENUM_ORDER_TYPE_TIME integer. */
  typeTime: mt5Int,
  /** ORDER_TIME_EXPIRATION in ms, 0 = none. */
  expirationMs: timeMs,
  /** ENUM_ORDER_TYPE_FILLING integer. */
  typeFilling: mt5Int,
  /** ORDER_POSITION_ID ("0" when none). */
  positionId: Ticket,
  magic: Ticket,
  comment: z.string().max(64),
  timeSetupMsc: timeMs,
});
export type WireOrder = z.infer<typeof WireOrder>;

/** A deal from history (HistoryDealGet*). */
export const WireDeal = z.object({
  ticket: Ticket,
  order: Ticket,
  positionId: Ticket,
  symbol: z.string().max(64),
  /** ENUM_DEAL_TYPE integer. */
  type: mt5Int,
  /** ENUM_DEAL_ENTRY integer: IN=0, OUT=1, INOUT=2, OUT_BY=3. */
  entry: mt5Int,
  /** ENUM_DEAL_REASON integer. */
  reason: mt5Int,
  volume: z.number().nonnegative(),
  price: price,
  profit: money,
  swap: money,
  commission: money,
  magic: Ticket,
  comment: z.string().max(64),
  timeMsc: timeMs,
});
export type WireDeal = z.infer<typeof WireDeal>;

/**
 * ENUM_ORDER_TYPE_FILLING names. A filling is always a name on the wire, in both directions: the app sends it in
 * a trade request and the EA echoes the one it finally sent in the result, so the app can send it back as is.
 * (`typeFilling` of an order is the ORDER_TYPE_FILLING property the terminal reports: an integer, like every
 * property the EA reads from MT5.)
 */
export const FillingName = z.enum(['FOK', 'IOC', 'RETURN', 'BOC']);
export type FillingName = z.infer<typeof FillingName>;

/**
 * The answer of the trade server to order_send (MqlTradeResult), as the EA sends it. The EA does not classify
 * the retcode: the app derives the outcome class from `retcode` alone (see {@link TradeResult}), so one table
 * (src-core/trading/retcodes.ts) decides what is safe to retry.
 */
export const TradeResultWire = z.object({
  retcode: z.number().int(),
  /** MqlTradeResult.comment (the server's text). */
  message: z.string().max(512),
  /** Order ticket ("0" when none). */
  order: Ticket,
  /** Deal ticket ("0" when none). */
  deal: Ticket,
  /** Volume executed (or placed). */
  volume: z.number().nonnegative(),
  /** Execution price (0 for pending orders). */
  price: price,
  bid: price,
  ask: price,
  /** MqlTradeResult.request_id. */
  requestId: z.number().int().nonnegative(),
  retcodeExternal: z.number().int(),
  /** The filling mode actually sent (after any 10030 retry), for DEAL and PENDING only; a name, as sent. */
  filling: FillingName.optional(),
  /** True when this is the stored result of an earlier order_send with the same clOrdId; nothing was sent. */
  duplicate: z.boolean(),
});
export type TradeResultWire = z.infer<typeof TradeResultWire>;

/**
 * An order_send result as the app sees it: the wire result plus its outcome class. The outcome is added to the
 * object zod just built rather than to a copy: `{ ...r, outcome }` takes V8's slow path for a spread followed by
 * more properties (microseconds per answer on Node 20, the cost of an order's whole parse; docs/benchmarks.md).
 */
export const TradeResult = TradeResultWire.transform((r) =>
  Object.assign(r, { outcome: retcodeInfo(r.retcode).outcome }),
);
export type TradeResult = z.infer<typeof TradeResult>;

/** The answer to order_check (MqlTradeCheckResult), as the EA sends it. Retcode 0 means the check passed. */
export const CheckResultWire = z.object({
  retcode: z.number().int(),
  message: z.string().max(512),
  balance: money,
  equity: money,
  profit: money,
  margin: money,
  marginFree: money,
  marginLevel: money,
});
export type CheckResultWire = z.infer<typeof CheckResultWire>;

/** An order_check result as the app sees it; retcode 0 (check passed) is `done`. */
export const CheckResult = CheckResultWire.transform((r) =>
  Object.assign(r, { outcome: r.retcode === 0 ? ('done' as const) : retcodeInfo(r.retcode).outcome }),
);
export type CheckResult = z.infer<typeof CheckResult>;

// ---------------------------------------------------------------------------------------------------------
// Requests (app → EA)

/**
 * How the EA reports trade transactions (request `trade_events`): `txn`, one `txn` event per OnTradeTransaction
 * call (what every connection starts with, and all an EA that predates the request does); `changes`, `trade`
 * events that each stand for the calls since the previous one and name the deals they added.
 */
export const TradeEventForm = z.enum(['txn', 'changes']);
export type TradeEventForm = z.infer<typeof TradeEventForm>;

/** Fields every request carries. */
const requestBase = {
  id: RequestId,
  /** The app's budget for this request in ms; the app gives up (and treats trades as `unknown`) after it. */
  deadlineMs: z.number().int().positive().max(600_000),
  /**
   * `Date.now()` on the app's clock + deadlineMs. An EA that reads the request after this time (seconds
   * resolution is enough) answers DEADLINE_EXCEEDED without doing anything.
   */
  expiresAt: timeMs,
};

/** ENUM_ORDER_TYPE names (without `ORDER_TYPE_`), as the app sends them. */
export const OrderTypeName = z.enum([
  'BUY',
  'SELL',
  'BUY_LIMIT',
  'SELL_LIMIT',
  'BUY_STOP',
  'SELL_STOP',
  'BUY_STOP_LIMIT',
  'SELL_STOP_LIMIT',
]);
export type OrderTypeName = z.infer<typeof OrderTypeName>;

/** ENUM_ORDER_TYPE_TIME names. */
export const TypeTimeName = z.enum(['GTC', 'DAY', 'SPECIFIED', 'SPECIFIED_DAY']);
export type TypeTimeName = z.infer<typeof TypeTimeName>;

/** Fields of every order_send/order_check. */
const tradeBase = {
  ...requestBase,
  /** Written verbatim into MqlTradeRequest.comment; the key of the EA's dedup table. */
  clOrdId: ClOrdId,
  magic: Ticket,
};

const dealFields = {
  action: z.literal('DEAL'),
  symbol: SymbolName,
  orderType: z.enum(['BUY', 'SELL']),
  volume: volume,
  /** Required for Request/Instant execution; 0 or absent lets the EA use the current price. */
  price: price.optional(),
  /** 0 or absent: none. */
  sl: price.optional(),
  tp: price.optional(),
  /** Maximum deviation in points (Request/Instant execution). */
  deviation: z.number().int().nonnegative().max(100_000).optional(),
  /** Absent: the EA picks from the symbol's flags and execution mode, retrying once on 10030. */
  filling: FillingName.optional(),
  /** The position to close or reduce (mandatory for closes on hedging accounts). */
  position: Ticket.optional(),
};

const pendingFields = {
  action: z.literal('PENDING'),
  symbol: SymbolName,
  orderType: z.enum([
    'BUY_LIMIT',
    'SELL_LIMIT',
    'BUY_STOP',
    'SELL_STOP',
    'BUY_STOP_LIMIT',
    'SELL_STOP_LIMIT',
  ]),
  volume: volume,
  price: z.number().positive(),
  /** The limit price of a stop-limit order. */
  stopLimit: price.optional(),
  sl: price.optional(),
  tp: price.optional(),
  filling: FillingName.optional(),
  /** Absent: GTC. */
  typeTime: TypeTimeName.optional(),
  /** ms since 1970 (trade server clock), for SPECIFIED / SPECIFIED_DAY. */
  expiration: timeMs.optional(),
};

const sltpFields = {
  action: z.literal('SLTP'),
  /** The position to modify. */
  position: Ticket,
  symbol: SymbolName,
  /** New SL / TP; 0 removes it. Both are always set, as MT5 does. */
  sl: price,
  tp: price,
};

const modifyFields = {
  action: z.literal('MODIFY'),
  /** The pending order to modify. */
  order: Ticket,
  price: z.number().positive(),
  stopLimit: price.optional(),
  sl: price,
  tp: price,
  typeTime: TypeTimeName.optional(),
  expiration: timeMs.optional(),
};

const removeFields = { action: z.literal('REMOVE'), order: Ticket };

const closeByFields = { action: z.literal('CLOSE_BY'), position: Ticket, positionBy: Ticket };

/** Builds the action-discriminated union of trade requests for one request `type`. */
function tradeRequest<T extends 'order_send' | 'order_check'>(type: T) {
  const t = z.literal(type);
  return z.discriminatedUnion('action', [
    z.object({ type: t, ...tradeBase, ...dealFields }),
    z.object({ type: t, ...tradeBase, ...pendingFields }),
    z.object({ type: t, ...tradeBase, ...sltpFields }),
    z.object({ type: t, ...tradeBase, ...modifyFields }),
    z.object({ type: t, ...tradeBase, ...removeFields }),
    z.object({ type: t, ...tradeBase, ...closeByFields }),
  ]);
}

/**
 * Request schemas by type. Each request is flat: `type`, `id`, `deadlineMs`, `expiresAt` and its parameters.
 */
export const RequestSchemas = {
  /** ACCOUNT_* properties. */
  account: z.object({ type: z.literal('account'), ...requestBase }),
  /** All symbols the broker offers (SymbolsTotal(false)). */
  symbols: z.object({ type: z.literal('symbols'), ...requestBase }),
  /** One symbol's specification; the EA selects the symbol in Market Watch first. */
  symbol_spec: z.object({ type: z.literal('symbol_spec'), ...requestBase, symbol: SymbolName }),
  /** The current quote. */
  quote: z.object({ type: z.literal('quote'), ...requestBase, symbol: SymbolName }),
  /** Start pushing `tick` events for a symbol (one per call). The EA pushes the current tick at once. */
  subscribe: z.object({ type: z.literal('subscribe'), ...requestBase, symbol: SymbolName }),
  /** Stop pushing ticks for a symbol; `*` stops all. */
  unsubscribe: z.object({ type: z.literal('unsubscribe'), ...requestBase, symbol: SymbolName }),
  /** Open positions, optionally of one symbol. */
  positions: z.object({ type: z.literal('positions'), ...requestBase, symbol: SymbolName.optional() }),
  /** Working orders, optionally of one symbol. */
  orders: z.object({ type: z.literal('orders'), ...requestBase, symbol: SymbolName.optional() }),
  /** Deals in [fromMs, toMs] (trade server clock), optionally of one symbol. */
  history_deals: z.object({
    type: z.literal('history_deals'),
    ...requestBase,
    fromMs: timeMs,
    toMs: timeMs,
    symbol: SymbolName.optional(),
  }),
  /** OrderCalcMargin. */
  calc_margin: z.object({
    type: z.literal('calc_margin'),
    ...requestBase,
    symbol: SymbolName,
    orderType: z.enum(['BUY', 'SELL']),
    volume: volume,
    price: z.number().positive(),
  }),
  /** OrderCheck (a dry run; nothing is sent to the trade server). */
  order_check: tradeRequest('order_check'),
  /** OrderSend, de-duplicated by clOrdId. */
  order_send: tradeRequest('order_send'),
  /** What the terminal knows about a clOrdId: positions, orders and deals whose comment equals it. */
  lookup: z.object({
    type: z.literal('lookup'),
    ...requestBase,
    clOrdId: ClOrdId,
    /** How far back to search history, ms since 1970 (trade server clock); absent: 7 days. */
    sinceMs: timeMs.optional(),
  }),
  /** CopyRates: bars of one symbol and timeframe (rates.ts). */
  rates: RatesRequest,
  /** How trade transactions are reported from now on, for this connection (see {@link TradeEventForm}). */
  trade_events: z.object({ type: z.literal('trade_events'), ...requestBase, form: TradeEventForm }),
} as const;

/** Every request type of the protocol. */
export type RequestType = keyof typeof RequestSchemas;
/** The request types, in the order of the spec. */
export const REQUEST_TYPES = Object.keys(RequestSchemas) as RequestType[];

/** A full request message of type `T`, as it travels. */
export type RequestOf<T extends RequestType> = z.infer<(typeof RequestSchemas)[T]>;

/** The parameters of a request of type `T` (what the caller gives; the client adds the envelope). */
export type ParamsOf<T extends RequestType> =
  RequestOf<T> extends infer R
    ? R extends unknown
      ? Omit<R, 'type' | 'id' | 'deadlineMs' | 'expiresAt'>
      : never
    : never;

/** Any request of the protocol. */
export const Request = z.union([
  RequestSchemas.account,
  RequestSchemas.symbols,
  RequestSchemas.symbol_spec,
  RequestSchemas.quote,
  RequestSchemas.subscribe,
  RequestSchemas.unsubscribe,
  RequestSchemas.positions,
  RequestSchemas.orders,
  RequestSchemas.history_deals,
  RequestSchemas.calc_margin,
  RequestSchemas.order_check,
  RequestSchemas.order_send,
  RequestSchemas.lookup,
  RequestSchemas.rates,
  RequestSchemas.trade_events,
]);
export type Request = z.infer<typeof Request>;

/** Default deadline of each request type in ms (the EA's single thread may be inside a slow OrderSend). */
export const DEFAULT_DEADLINES_MS: Readonly<Record<RequestType, number>> = {
  account: 5_000,
  symbols: 10_000,
  symbol_spec: 5_000,
  quote: 2_000,
  subscribe: 5_000,
  unsubscribe: 5_000,
  positions: 5_000,
  orders: 5_000,
  history_deals: 15_000,
  calc_margin: 5_000,
  order_check: 10_000,
  order_send: 30_000,
  lookup: 10_000,
  rates: 10_000,
  trade_events: 5_000,
};

// ---------------------------------------------------------------------------------------------------------
// Responses (EA → app)

/** The `result` of a lookup. */
export const LookupResult = z.object({
  clOrdId: ClOrdId,
  /** True when anything below is non-empty or the EA's dedup table holds a result. */
  found: z.boolean(),
  positions: z.array(WirePosition),
  orders: z.array(WireOrder),
  /** Deals whose comment is the clOrdId, or that belong to a position or order that carried it. */
  deals: z.array(WireDeal),
  /** The stored result from the EA's dedup table, when it has one (lost when the EA restarts). */
  lastResult: TradeResult.optional(),
});
export type LookupResult = z.infer<typeof LookupResult>;

/** The `result` schema of each request type. */
export const ResultSchemas = {
  account: WireAccount,
  symbols: z.object({ symbols: z.array(WireSymbolEntry) }),
  symbol_spec: WireSymbolSpec,
  quote: WireTick,
  subscribe: z.object({ symbol: SymbolName, subscribed: z.literal(true) }),
  unsubscribe: z.object({ symbol: SymbolName, subscribed: z.literal(false) }),
  positions: z.object({ positions: z.array(WirePosition) }),
  orders: z.object({ orders: z.array(WireOrder) }),
  history_deals: z.object({ deals: z.array(WireDeal) }),
  calc_margin: z.object({ margin: money }),
  order_check: CheckResult,
  order_send: TradeResult,
  lookup: LookupResult,
  rates: RatesResult,
  trade_events: z.object({ form: TradeEventForm }),
} as const satisfies Record<RequestType, z.ZodType>;

/** The `result` of a request of type `T`, as the app sees it (after parsing). */
export type ResultOf<T extends RequestType> = z.output<(typeof ResultSchemas)[T]>;
/** The `result` of a request of type `T`, as the EA sends it. */
export type WireResultOf<T extends RequestType> = z.input<(typeof ResultSchemas)[T]>;

/** Codes of an EA's `ok:false` response. For order_send, every one of them means nothing was sent. */
export const EaErrorCode = z.enum([
  /** The request type is not implemented by this EA. */
  'UNKNOWN_TYPE',
  /** A parameter is missing, has the wrong type or is out of range. */
  'INVALID_PARAMS',
  /** The symbol does not exist at this broker. */
  'UNKNOWN_SYMBOL',
  /** No quote for the symbol yet. */
  'NO_QUOTE',
  /** The position or order ticket does not exist. */
  'NOT_FOUND',
  /** The EA read the request after `expiresAt` and did nothing. */
  'DEADLINE_EXCEEDED',
  /** An MQL5 function failed; `message` carries GetLastError(). */
  'TERMINAL_ERROR',
  /** Anything else. */
  'INTERNAL',
]);
export type EaErrorCode = z.infer<typeof EaErrorCode>;

/** An EA's failure to answer a request. */
export const EaError = z.object({ code: EaErrorCode, message: z.string().max(1024) });
export type EaError = z.infer<typeof EaError>;

/**
 * EA → app: the answer to a request. The envelope is validated first; `result` is validated against the
 * schema of the request type the app sent under that id.
 */
export const Response = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: EaError }),
]);
export type Response = z.infer<typeof Response>;

// ---------------------------------------------------------------------------------------------------------
// Events (EA → app)

/** A changed quote of a subscribed symbol. */
export const TickEvent = WireTick.extend({ type: z.literal('tick') });
export type TickEvent = z.infer<typeof TickEvent>;

/** Account figures changed (sent at most every 250 ms, only when something changed). */
export const AccountEvent = z.object({
  type: z.literal('account'),
  balance: money,
  credit: money,
  profit: money,
  equity: money,
  margin: money,
  marginFree: money,
  marginLevel: money,
  leverage: z.number().int().nonnegative(),
  tradeAllowed: z.boolean(),
  /** The trade server's clock minus UTC, in seconds; sent when it may have changed (DST). Optional. */
  timeOffsetSec: TimeOffsetSec.optional(),
});
export type AccountEvent = z.infer<typeof AccountEvent>;

/**
 * An OnTradeTransaction call. A hint that something changed: arrival order is not guaranteed, so the app
 * re-reads positions/orders/deals rather than rebuilding state from these.
 */
export const TxnEvent = z.object({
  type: z.literal('txn'),
  /** ENUM_TRADE_TRANSACTION_TYPE integer. */
  txnType: mt5Int,
  order: Ticket,
  deal: Ticket,
  position: Ticket,
  positionBy: Ticket,
  symbol: z.string().max(64),
  /** ENUM_ORDER_TYPE integer. */
  orderType: mt5Int,
  /** ENUM_ORDER_STATE integer. */
  orderState: mt5Int,
  /** ENUM_DEAL_TYPE integer. */
  dealType: mt5Int,
  price: price,
  volume: z.number().nonnegative(),
  sl: price,
  tp: price,
  /** For txnType REQUEST (10): MqlTradeResult.retcode, request_id and the request's comment (the clOrdId). */
  retcode: z.number().int().optional(),
  requestId: z.number().int().nonnegative().optional(),
  comment: z.string().max(64).optional(),
});
export type TxnEvent = z.infer<typeof TxnEvent>;

/** Most deal tickets one `trade` event carries; an EA with more sends another event. */
export const MAX_TRADE_EVENT_DEALS = 1_000;

/**
 * In the `changes` form of trade_events: one or more OnTradeTransaction calls since the previous `trade` event,
 * coalesced. A hint like `txn`, with only what the app acts on: that something changed, and the deals added.
 */
export const TradeEvent = z.object({
  type: z.literal('trade'),
  /** How many OnTradeTransaction calls this event stands for. */
  txns: z.number().int().positive(),
  /** The `deal` of each DEAL_ADD (6) among them, in arrival order; empty when none added a deal. */
  deals: z.array(Ticket).max(MAX_TRADE_EVENT_DEALS),
});
export type TradeEvent = z.infer<typeof TradeEvent>;

// ---------------------------------------------------------------------------------------------------------
// Direction unions

/** The schema of every frame the EA may send after `welcome`, by `type`. */
export const EaMessageSchemas = {
  hb: Heartbeat,
  response: Response,
  tick: TickEvent,
  account: AccountEvent,
  txn: TxnEvent,
  trade: TradeEvent,
  error: ProtocolError,
  bye: Bye,
} as const;
/** A frame the EA may send after `welcome`. */
export type EaMessage = z.infer<(typeof EaMessageSchemas)[keyof typeof EaMessageSchemas]>;

/** Every frame the app may send. */
export type AppMessage = Challenge | Welcome | Refused | Bye | Heartbeat | ProtocolError | Request;
/** The schema of every frame the app may send, by `type` (what an EA or the simulator parses). */
export const AppMessageSchemas = {
  challenge: Challenge,
  welcome: Welcome,
  refused: Refused,
  bye: Bye,
  hb: Heartbeat,
  error: ProtocolError,
  ...RequestSchemas,
} as const;
