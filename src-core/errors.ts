import { z } from 'zod';

/**
 * The one list of error codes (SCREAMING_SNAKE), each with a one-line meaning. Every `AppError.code` the desktop
 * produces, in any layer, is a key of {@link ERROR_CODES}: `AppError`'s code is typed as {@link ErrorCode}, so an
 * unlisted code is a compile error. The messages shown to users are written where the error is made and carry the
 * numbers; this list says what the code means in general. The cloud answers its own lower-case codes over HTTP;
 * docs/errors.md says how each one maps onto this list when it reaches the desktop.
 *
 * To add codes: append them under your area's heading (or add a heading), one line each, keep them unique.
 */
export const ERROR_CODES = {
  // ── General ───────────────────────────────────────────────────────────────────────────────────────────────
  /** A bug or an unexpected failure; logged with its stack, which never reaches a user. */
  INTERNAL: 'Unexpected internal error.',
  /** Input failed schema validation at a boundary. */
  VALIDATION_FAILED: 'The input is not valid.',

  // ── Trading core: numbers, conversion, margin (src-core/trading) ────────────────────────────────────────────
  MISSING_CONVERSION_RATE:
    'No exchange rate path (direct, inverse, or through a third currency) between two currencies.',
  INVALID_LEVERAGE: 'Account leverage must be a positive number.',
  INVALID_SYMBOL_SPEC: 'The symbol specification lacks a field this calculation needs.',

  // ── Trading core: position sizing ──────────────────────────────────────────────────────────────────────────
  INVALID_BALANCE: 'The balance or equity used for sizing must be above zero.',
  INVALID_RISK_PERCENT: 'Risk percent must be above 0 and at most 100.',
  INVALID_RISK_AMOUNT: 'Risk money must be above zero.',
  INVALID_PRICE: 'A price is missing, not a number, or not above zero.',
  INVALID_STOP_LOSS: 'The stop loss is missing, invalid, or equal to the entry price.',
  STOP_LOSS_WRONG_SIDE: 'The stop loss is on the wrong side: below the price for a buy, above it for a sell.',
  INVALID_COMMISSION: 'Commission per lot must be zero or more.',

  // ── Trading core: order rules (new orders and modifications) ───────────────────────────────────────────────
  NO_QUOTE: 'There is no valid bid/ask quote for the symbol.',
  TRADE_DISABLED: 'Trading is disabled for the symbol.',
  LONG_ONLY: 'Only buy positions may be opened on the symbol.',
  SHORT_ONLY: 'Only sell positions may be opened on the symbol.',
  CLOSE_ONLY: 'The symbol is close-only: no new positions or orders.',
  ORDER_TYPE_NOT_ALLOWED: 'The symbol does not allow this order type (SYMBOL_ORDER_MODE).',
  INVALID_VOLUME: 'The volume is not a positive number.',
  VOLUME_BELOW_MIN: 'The volume is below the symbol minimum.',
  VOLUME_ABOVE_MAX: 'The volume is above the symbol maximum.',
  VOLUME_NOT_STEP: 'The volume is not a multiple of the symbol volume step.',
  PRICE_NOT_NORMALIZED: 'A price is not a multiple of the symbol tick size.',
  PENDING_PRICE_WRONG_SIDE: 'The pending order price is on the wrong side of the market for its type.',
  PENDING_PRICE_TOO_CLOSE: 'The pending order price is closer to the market than the stops level allows.',
  STOP_LIMIT_PRICE_INVALID:
    'The limit price of a stop-limit order is missing or on the wrong side of its stop.',
  STOP_LOSS_NOT_ALLOWED: 'The symbol does not accept a stop loss on orders (SYMBOL_ORDER_SL).',
  TAKE_PROFIT_NOT_ALLOWED: 'The symbol does not accept a take profit on orders (SYMBOL_ORDER_TP).',
  STOP_LOSS_TOO_CLOSE: 'The stop loss is closer to the market than the stops level allows.',
  TAKE_PROFIT_WRONG_SIDE:
    'The take profit is on the wrong side: above the price for a buy, below it for a sell.',
  TAKE_PROFIT_TOO_CLOSE: 'The take profit is closer to the market than the stops level allows.',
  FROZEN: 'The order or position is inside the freeze level and cannot be changed now.',
  EXPIRATION_NOT_SUPPORTED: 'The symbol does not support this expiration type.',
  EXPIRATION_IN_PAST: 'The expiration time is missing or not in the future.',
  NO_CHANGES: 'The modification does not change anything.',

  // ── Trading core: risk limits ──────────────────────────────────────────────────────────────────────────────
  MAX_LOT_SIZE_EXCEEDED: 'The volume is above the configured maximum lot size.',
  MAX_OPEN_POSITIONS_EXCEEDED: 'The trade would exceed the configured maximum number of open positions.',
  INSUFFICIENT_MARGIN: 'The margin required is more than the free margin.',
  MAX_RISK_PER_TRADE_EXCEEDED: 'The money at risk is above the configured maximum risk per trade.',
  RISK_NOT_COMPUTABLE:
    'The order has a stop loss but its money at risk cannot be computed (the terminal sent no tick value for the symbol), so a maximum risk per trade cannot be checked.',

  // ── Trade executor (src-main/services; see docs/order-lifecycle.md) ─────────────────────────────────────────
  INVALID_INPUT: 'An order request did not match its schema; nothing was journalled or sent.',
  TRADE_REJECTED: 'The terminal or trade server refused the order; it was not executed.',
  TRADE_NOT_EXECUTED: 'The order was definitely not executed (e.g. a requote, retries off or exhausted).',
  OUTCOME_UNKNOWN: 'The order may or may not have executed; it is kept visible and reconciled, never resent.',
  TICKET_NOT_FOUND: 'The position or pending order is not open on the terminal.',
  SYMBOL_NOT_FOUND: 'The terminal does not know the symbol.',
  MARKET_CLOSED: 'The market for the symbol is closed now.',
  INVALID_SETTINGS: 'A settings change did not validate; the stored settings are unchanged.',
  INVALID_CLOSE_VOLUME: 'A partial close volume is not a valid step below the position volume.',
  ONE_CLICK_DISABLED: 'One-click trading is switched off in settings and the request asked for one-click.',

  // ── Charts (src-core/chart, docs/charts.md) ─────────────────────────────────────────────────────────────────
  INVALID_ATR_PERIOD: 'The ATR period is not a whole number from 1 to 1000.',
  INVALID_ATR_MULTIPLIER: 'The ATR multiplier is not above 0 and at most 100.',
  NOT_ENOUGH_BARS: 'The chart has fewer bars than the calculation needs.',

  // ── Desktop IPC and web host (src-core/contracts/ipc.ts, src-main/ipc, src-main/host) ─────────────────────────
  BAD_REQUEST: 'An IPC request did not match its channel schema; the message names the field and the rule.',
  UNKNOWN_CHANNEL: 'The IPC channel is not part of the contract.',
  NOT_CONNECTED: 'No MT5 terminal (EA or demo simulator) is connected.',
  TRANSPORT: 'The connection between the window and the app failed (web host socket closed).',
  UNAUTHORIZED: 'The caller is not allowed: wrong web host token or an unexpected IPC sender.',
  DEMO_FAILED: 'The demo simulator could not be started or stopped.',
  PAPER_NO_SOURCE:
    'A paper account needs a live terminal (a real EA) connected to take its prices from (docs/paper-trading.md).',
  PAPER_FAILED:
    'The paper account could not be opened, reset or closed, or its costs set (it is not open); the message says why.',
  REPLAY_NOT_OPEN: 'No replay is open, so there is nothing to play, pause, step or jump (docs/replay.md).',
  REPLAY_FILE_NOT_FOUND:
    "The replay file is not in the data folder's replays/ or recordings/ folder (any more).",
  REPLAY_TOO_LARGE: 'The replay file is larger than a replay opens (docs/replay.md, "Files").',
  REPLAY_BACKWARDS:
    'A replay only moves forward: trades already made happened at those prices. Open the file again to start over.',
  REPLAY_NO_DIALOG:
    "This window has no file dialog (the web host): put the file into the data folder's replays/ folder instead.",
  REPLAY_FAILED: 'The replay session could not be started or stopped; the message says why.',
  EA_INSTALL_FAILED: 'The EA files could not be copied into the MT5 data folder.',
  TOKEN_ROTATION_FAILED: 'The new pairing token could not be written; the EAs keep the old one.',
  REPORT_SAVE_FAILED: 'An exported report could not be written where the trader chose; the message says why.',
  TERMINAL_TIMEOUT: 'MetaTrader 5 did not answer a data request (account, quotes, positions) in time.',
  TERMINAL_ERROR: 'MetaTrader 5 could not answer a data request; the message carries its reason.',
  SESSION_NOT_FOUND: 'The terminal session chosen is not connected.',
  BAD_OPTIONS: 'A command-line option or PIPDESK_* environment variable is not valid.',
  SECRET_UNAVAILABLE:
    'The OS keyring behind safeStorage is not available, so a secret is not stored on disk.',
  SECRET_UNREADABLE: 'A stored secret cannot be decrypted here (another machine or user); sign in again.',

  // ── Bridge requests (src-bridge/server; the app turns these into the codes above before a user sees them) ───
  INVALID_REQUEST: 'The parameters do not form a valid bridge request; nothing was sent to the terminal.',
  DISCONNECTED: 'The link to the terminal dropped after the request was sent and before its answer.',
  TIMEOUT: 'The terminal did not answer a bridge request within its deadline.',
  EA_ERROR: 'The EA answered that it could not do the request; `eaCode` says why.',
  BAD_RESPONSE: 'The EA answered with a result that does not match the protocol.',
  UNSUPPORTED_SYMBOL: "The terminal's symbol uses a calc, trade or execution mode Pipdesk does not support.",

  // ── MT5 simulator (src-bridge/simulator) ───────────────────────────────────────────────────────────────────
  UNKNOWN_SYMBOL: 'The simulated trade server has no such symbol.',
  BAD_REPLAY: 'A replay or bar file has a line that is not a valid tick or bar (the message names the line).',

  // ── Cloud sync on the desktop (src-main/services/cloud-sync; see docs/errors.md for the cloud's own codes) ──
  NOT_SIGNED_IN: 'The desktop is not signed in to the cloud.',
  ACCOUNT_NOT_FOUND: 'The bridge has not seen this MT5 account, so it cannot be linked.',
  ACCOUNT_NOT_LINKED: 'The MT5 account is not linked to a cloud connection yet.',
  CLOUD_UNREACHABLE: 'The cloud cannot be reached (network down, wrong URL, or a 15 s timeout).',
  CLOUD_ERROR: 'The cloud failed (HTTP 5xx or an error body that is not its contract).',
  CLOUD_BAD_ANSWER: 'The cloud answered success with a body that does not match its contract.',
  INVALID_CREDENTIALS: 'The cloud refused the email or password (one answer for both).',
  TOTP_REQUIRED: 'The cloud account has two-factor sign-in: ask for the code and sign in again.',
  INVALID_TOTP_CODE: 'The cloud refused the two-factor or recovery code.',
  CLOUD_SESSION_EXPIRED:
    'The cloud refused the stored sign-in (expired, revoked or reused token): sign in again.',
  RATE_LIMITED: 'The cloud asks to slow down; try again in a moment.',
  CLOUD_REFUSED:
    'The cloud refused the request for a reason the desktop does not act on; `details.cloudCode` names it.',
} as const satisfies Readonly<Record<string, string>>;

/** Any code in {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The schema of {@link ErrorCode}, for contracts that carry a code across a boundary. */
export const ErrorCode = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** Whether a string is one of the listed error codes (for checking codes that crossed a boundary). */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

/**
 * A code read back from storage (the journal keeps rows written by earlier versions) as a listed code, or
 * `fallback` when it is absent or no longer listed.
 */
export function toErrorCode(value: string | null | undefined, fallback: ErrorCode): ErrorCode {
  return value !== null && value !== undefined && isErrorCode(value) ? value : fallback;
}
