import { z } from 'zod';
import type { OutcomeClass } from './outcome';

/**
 * MT5 trade server return codes (MqlTradeResult.retcode), with what each means for a trader and for the
 * executor. Source: MQL5 docs "Trade Server Return Codes" (enum_trade_return_codes) (docs/trading-core.md, "Retcodes"). There is no
 * 10005 and no 10037.
 */

/** MT5's integer for each trade retcode name (`TRADE_RETCODE_<name>`); 0 is "no code" (OrderCheck's success). */
export const TRADE_RETCODE = {
  NONE: 0,
  REQUOTE: 10004,
  REJECT: 10006,
  CANCEL: 10007,
  PLACED: 10008,
  DONE: 10009,
  DONE_PARTIAL: 10010,
  ERROR: 10011,
  TIMEOUT: 10012,
  INVALID: 10013,
  INVALID_VOLUME: 10014,
  INVALID_PRICE: 10015,
  INVALID_STOPS: 10016,
  TRADE_DISABLED: 10017,
  MARKET_CLOSED: 10018,
  NO_MONEY: 10019,
  PRICE_CHANGED: 10020,
  PRICE_OFF: 10021,
  INVALID_EXPIRATION: 10022,
  ORDER_CHANGED: 10023,
  TOO_MANY_REQUESTS: 10024,
  NO_CHANGES: 10025,
  SERVER_DISABLES_AT: 10026,
  CLIENT_DISABLES_AT: 10027,
  LOCKED: 10028,
  FROZEN: 10029,
  INVALID_FILL: 10030,
  CONNECTION: 10031,
  ONLY_REAL: 10032,
  LIMIT_ORDERS: 10033,
  LIMIT_VOLUME: 10034,
  INVALID_ORDER: 10035,
  POSITION_CLOSED: 10036,
  INVALID_CLOSE_VOLUME: 10038,
  CLOSE_ORDER_EXIST: 10039,
  LIMIT_POSITIONS: 10040,
  REJECT_CANCEL: 10041,
  LONG_ONLY: 10042,
  SHORT_ONLY: 10043,
  CLOSE_ONLY: 10044,
  FIFO_CLOSE: 10045,
  HEDGE_PROHIBITED: 10046,
} as const;

/** A retcode's short name, e.g. `REQUOTE` for TRADE_RETCODE_REQUOTE. */
export type RetcodeName = keyof typeof TRADE_RETCODE;

/**
 * What the executor should do next, beyond the outcome class:
 * - `none`: nothing, report the result;
 * - `fresh-price`: not executed; may resend once with a fresh quote if the user's settings allow;
 * - `next-filling`: not executed; resend with the next filling candidate (filling.ts);
 * - `back-off`: not executed; the server is busy, wait and resend;
 * - `wait-for-market`: not executed; the session or quotes are off, a user decision to retry later;
 * - `reread-state`: not executed as asked; the order or position changed, read it again before deciding;
 * - `reconcile`: outcome uncertain; look for the client order id in positions, orders and deals first.
 */
export const RetcodeAction = z.enum([
  'none',
  'fresh-price',
  'next-filling',
  'back-off',
  'wait-for-market',
  'reread-state',
  'reconcile',
]);
export type RetcodeAction = z.infer<typeof RetcodeAction>;

/** Everything the app knows about one retcode. */
export interface RetcodeInfo {
  /** The number MT5 sent. */
  readonly code: number;
  /** Short name (`REQUOTE`), or `UNKNOWN` for a number not in MT5's list. */
  readonly name: RetcodeName | 'UNKNOWN';
  /** MT5's constant, e.g. `TRADE_RETCODE_REQUOTE`. */
  readonly constant: string;
  /** One sentence a trader understands. */
  readonly message: string;
  /** Executed, definitely not executed (final or retryable), or unknown. */
  readonly outcome: OutcomeClass;
  /** What to do next. */
  readonly action: RetcodeAction;
}

type Row = readonly [message: string, outcome: OutcomeClass, action: RetcodeAction];

const ROWS: Readonly<Record<RetcodeName, Row>> = {
  // 0 is OrderCheck's "passed". From OrderSend it means no server answer was recorded (the request may not even
  // have left the terminal, or the answer was lost), so as a trade result it is treated as unknown.
  NONE: ['No answer code from the trade server.', 'unknown', 'reconcile'],
  REQUOTE: ['The dealer offered a different price; the order was not filled.', 'retryable', 'fresh-price'],
  REJECT: ['The trade server rejected the request.', 'rejected', 'none'],
  CANCEL: ['The request was cancelled by the trader.', 'rejected', 'none'],
  PLACED: ['The order was placed.', 'done', 'none'],
  DONE: ['The request was completed.', 'done', 'none'],
  // Partly filled (IOC): executed, but the caller must use result.volume rather than the requested volume.
  DONE_PARTIAL: ['Only part of the volume was filled.', 'done', 'none'],
  // MT5 gives no guarantee that nothing happened on ERROR or TIMEOUT: the order may be live on the server.
  ERROR: [
    'The trade server reported a processing error; the trade may or may not have gone through.',
    'unknown',
    'reconcile',
  ],
  TIMEOUT: ['The request timed out; the trade may or may not have gone through.', 'unknown', 'reconcile'],
  INVALID: ['The request was invalid.', 'rejected', 'none'],
  INVALID_VOLUME: [
    'The volume is not allowed for this symbol (check minimum, maximum and step).',
    'rejected',
    'none',
  ],
  // Final as sent: the price is off the tick grid or on the wrong side. A new request needs a new price, which is
  // a new decision, not an automatic retry (unlike PRICE_CHANGED, where the server asks for exactly that).
  INVALID_PRICE: ['The price is not valid for this order.', 'rejected', 'none'],
  INVALID_STOPS: [
    'The stop loss or take profit is too close to the market or on the wrong side.',
    'rejected',
    'none',
  ],
  TRADE_DISABLED: ['Trading is disabled for this symbol or account.', 'rejected', 'none'],
  // Not executed. Retrying is pointless until the session opens, so it is not "retryable" for the executor.
  MARKET_CLOSED: ['The market is closed.', 'rejected', 'wait-for-market'],
  NO_MONEY: ['Not enough free margin for this trade.', 'rejected', 'none'],
  PRICE_CHANGED: [
    'The price moved before the order was filled; nothing was executed.',
    'retryable',
    'fresh-price',
  ],
  // "Off quotes": the dealer had no price at that moment; nothing executed, a fresh quote may succeed.
  PRICE_OFF: ['There were no quotes to fill the order; nothing was executed.', 'retryable', 'fresh-price'],
  INVALID_EXPIRATION: ['The order expiration is not allowed for this symbol.', 'rejected', 'none'],
  // The order was triggered, filled or deleted while we asked to change it; our request did nothing.
  ORDER_CHANGED: [
    'The order changed before the request was processed; check it again.',
    'rejected',
    'reread-state',
  ],
  TOO_MANY_REQUESTS: [
    'Too many requests; the server asked to slow down. Nothing was executed.',
    'retryable',
    'back-off',
  ],
  // The requested SL/TP (or order) already has these values: the state the trader asked for holds.
  NO_CHANGES: ['Nothing to change: the values are already set.', 'done', 'none'],
  SERVER_DISABLES_AT: ['The broker has disabled automated trading for this account.', 'rejected', 'none'],
  CLIENT_DISABLES_AT: [
    'Algo Trading is switched off in MetaTrader 5; turn it on to trade from Pipdesk.',
    'rejected',
    'none',
  ],
  // "Request locked for processing" says nothing about whether an earlier copy of the request already went
  // through, so it proves nothing was executed no more than TIMEOUT does: reconcile before any resend.
  LOCKED: [
    'The request is locked for processing; the trade may or may not have gone through.',
    'unknown',
    'reconcile',
  ],
  // Not executed; becomes possible again once the price leaves the freeze zone, which is the trader's call.
  FROZEN: [
    'The order or position is too close to the market to be changed right now (freeze level).',
    'rejected',
    'none',
  ],
  // Not executed: the filling type is not supported. filling.ts gives the next candidate to try.
  INVALID_FILL: [
    'The broker does not support this filling type for the symbol.',
    'retryable',
    'next-filling',
  ],
  // The terminal lost the trade server, possibly after the request left: the outcome is not known.
  CONNECTION: [
    'No connection to the trade server; the trade may or may not have gone through.',
    'unknown',
    'reconcile',
  ],
  ONLY_REAL: ['This operation is only allowed on live accounts.', 'rejected', 'none'],
  LIMIT_ORDERS: ['The limit on the number of pending orders has been reached.', 'rejected', 'none'],
  LIMIT_VOLUME: ['The volume limit for this symbol has been reached.', 'rejected', 'none'],
  INVALID_ORDER: ['This order type is not allowed for the symbol.', 'rejected', 'none'],
  // For a close this usually means an earlier close already went through; the executor re-reads before saying so.
  POSITION_CLOSED: ['The position is already closed.', 'rejected', 'reread-state'],
  INVALID_CLOSE_VOLUME: ['The close volume is larger than the position.', 'rejected', 'none'],
  CLOSE_ORDER_EXIST: ['A close order for this position already exists.', 'rejected', 'reread-state'],
  LIMIT_POSITIONS: ['The limit on the number of open positions has been reached.', 'rejected', 'none'],
  REJECT_CANCEL: ['The pending order could not be activated and was cancelled.', 'rejected', 'none'],
  LONG_ONLY: ['Only buy positions are allowed on this symbol.', 'rejected', 'none'],
  SHORT_ONLY: ['Only sell positions are allowed on this symbol.', 'rejected', 'none'],
  CLOSE_ONLY: ['This symbol is close-only: positions can be closed but not opened.', 'rejected', 'none'],
  FIFO_CLOSE: ['Positions must be closed oldest first (FIFO rule).', 'rejected', 'none'],
  HEDGE_PROHIBITED: [
    'Opposite positions on the same symbol are not allowed on this account.',
    'rejected',
    'none',
  ],
};

const BY_CODE: ReadonlyMap<number, RetcodeInfo> = new Map(
  (Object.keys(TRADE_RETCODE) as RetcodeName[]).map((name) => {
    const [message, outcome, action] = ROWS[name];
    const code = TRADE_RETCODE[name];
    const info: RetcodeInfo = { code, name, constant: `TRADE_RETCODE_${name}`, message, outcome, action };
    return [code, Object.freeze(info)];
  }),
);

/** Every known retcode, in numeric order. */
export const ALL_RETCODES: readonly RetcodeInfo[] = Object.freeze([...BY_CODE.values()]);

/**
 * What a retcode means. A number MT5 does not define (a newer server, a bridge bug) is never guessed at: it is
 * reported as `UNKNOWN` with outcome `unknown`, so the executor reconciles instead of resending.
 */
export function retcodeInfo(code: number): RetcodeInfo {
  const known = BY_CODE.get(code);
  if (known !== undefined) return known;
  return {
    code,
    name: 'UNKNOWN',
    constant: 'UNKNOWN',
    message: `The trade server answered with an unrecognised code (${code}); the trade may or may not have gone through.`,
    outcome: 'unknown',
    action: 'reconcile',
  };
}

/** Whether the server executed or placed the request (10008, 10009, 10010, and 10025 as a no-op success). */
export function isRetcodeDone(code: number): boolean {
  return retcodeInfo(code).outcome === 'done';
}
