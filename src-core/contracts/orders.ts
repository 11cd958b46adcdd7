import { z } from 'zod';
import { ErrorCode } from '../errors';
import { err, ok, type Result } from '../result';

/**
 * Trade operation contracts: what a caller (the renderer over IPC, the web host, the cloud connector) may ask the
 * executor to do, and the one result shape every operation answers with. The executor validates these once where
 * they enter from something untrusted; everything behind it trusts the parsed values.
 *
 * Numbers: prices and volumes are plain numbers in the symbol's units (the executor normalises them to the tick
 * size and volume step); tickets are decimal strings because MT5 tickets are 64-bit.
 */

/** An MT5 ticket (order, deal or position), as a decimal string: MT5 tickets are 64-bit. */
export const Ticket = z.string().regex(/^[0-9]{1,20}$/, 'a ticket number');
export type Ticket = z.infer<typeof Ticket>;

/** A broker symbol name as the terminal spells it (`EURUSD`, `EURUSDm`, `XAUUSD.`, `BTCUSD!`). */
export const SymbolName = z.string().min(1).max(64);
export type SymbolName = z.infer<typeof SymbolName>;

/** Order side of a market order. */
export const OrderSide = z.enum(['buy', 'sell']);
export type OrderSide = z.infer<typeof OrderSide>;

/** Pending order kinds. Stop-limit orders are not offered. */
export const PendingKind = z.enum(['buy_limit', 'sell_limit', 'buy_stop', 'sell_stop']);
export type PendingKind = z.infer<typeof PendingKind>;

/** Volume in lots; normalised to the symbol's volume step by the executor (never rounded up). */
export const Volume = z.number().positive().max(1_000_000);
export type Volume = z.infer<typeof Volume>;

/** A price in the symbol's quote units. */
export const Price = z.number().positive();
export type Price = z.infer<typeof Price>;

/**
 * A stop loss or take profit, either as an absolute price or as a distance in pips from the entry price (the
 * fill side of the quote for market orders, the order price for pending orders, the position's close side for
 * modifications).
 */
export const StopLevel = z.union([
  z.object({ price: Price }).strict(),
  z.object({ pips: z.number().positive().max(100_000) }).strict(),
]);
export type StopLevel = z.infer<typeof StopLevel>;

/** Who asked: the trader at this machine, or the trader through the cloud portal. */
export const Origin = z.enum(['local', 'remote']);
export type Origin = z.infer<typeof Origin>;

/**
 * Fields every operation accepts.
 * - `requestKey`: chosen by the caller per user action (e.g. one per ticket click). A second request with the same
 *   key answers with the first one's result instead of sending again (double-click protection).
 * - `origin`: defaults to `local`.
 */
const common = {
  requestKey: z.string().min(1).max(64).optional(),
  origin: Origin.optional(),
};

/** Free text a trader may attach; the executor shortens it so it fits beside the client order id (MT5: 31 chars). */
export const OrderComment = z
  .string()
  .max(64)
  .regex(/^[\x20-\x7e]*$/, 'printable ASCII only');
export type OrderComment = z.infer<typeof OrderComment>;

/**
 * Expiration of a pending order, milliseconds since 1970 on the trade server's clock, as MT5 takes it
 * (docs/clock-model.md: the renderer converts what the trader typed). Absent means good till cancelled.
 */
export const Expiration = z.number().int().positive();
export type Expiration = z.infer<typeof Expiration>;

/** Open a position at market. */
export const OpenMarketOrder = z
  .object({
    symbol: SymbolName,
    side: OrderSide,
    volume: Volume,
    sl: StopLevel.optional(),
    tp: StopLevel.optional(),
    /** Maximum slippage in points (used by Instant/Request execution). */
    deviation: z.number().int().min(0).max(100_000).optional(),
    comment: OrderComment.optional(),
    ...common,
  })
  .strict();
export type OpenMarketOrder = z.infer<typeof OpenMarketOrder>;

/** Place a pending order. */
export const PlacePendingOrder = z
  .object({
    symbol: SymbolName,
    kind: PendingKind,
    price: Price,
    volume: Volume,
    sl: StopLevel.optional(),
    tp: StopLevel.optional(),
    expiration: Expiration.optional(),
    comment: OrderComment.optional(),
    ...common,
  })
  .strict();
export type PlacePendingOrder = z.infer<typeof PlacePendingOrder>;

/**
 * A stop level in a modification: a new level, or `null` to remove it. Leaving the field out keeps the current
 * level.
 */
export const StopChange = StopLevel.nullable();
export type StopChange = z.infer<typeof StopChange>;

/** Change a position's SL and/or TP. */
export const ModifyPosition = z
  .object({
    ticket: Ticket,
    sl: StopChange.optional(),
    tp: StopChange.optional(),
    ...common,
  })
  .strict();
export type ModifyPosition = z.infer<typeof ModifyPosition>;

/** Change a pending order's price, SL, TP or expiration (`null` expiration: good till cancelled). */
export const ModifyOrder = z
  .object({
    ticket: Ticket,
    price: Price.optional(),
    sl: StopChange.optional(),
    tp: StopChange.optional(),
    expiration: Expiration.nullable().optional(),
    ...common,
  })
  .strict();
export type ModifyOrder = z.infer<typeof ModifyOrder>;

/** Close a position, fully or partly (`volume` below the position's volume). */
export const ClosePosition = z
  .object({
    ticket: Ticket,
    volume: Volume.optional(),
    ...common,
  })
  .strict();
export type ClosePosition = z.infer<typeof ClosePosition>;

/** Close every open position, or those of one symbol. */
export const CloseAll = z
  .object({
    symbol: SymbolName.optional(),
    ...common,
  })
  .strict();
export type CloseAll = z.infer<typeof CloseAll>;

/** Delete a pending order. */
export const CancelOrder = z
  .object({
    ticket: Ticket,
    ...common,
  })
  .strict();
export type CancelOrder = z.infer<typeof CancelOrder>;

/** The operation names, as stored in the journal and used on the wire. */
export const Operation = z.enum([
  'open_market',
  'place_pending',
  'modify_position',
  'modify_order',
  'close_position',
  'close_all',
  'cancel_order',
]);
export type Operation = z.infer<typeof Operation>;

/** Any operation with its name: what the journal stores as the intent and what a remote caller sends. */
export const TradeIntent = z.discriminatedUnion('operation', [
  z.object({ operation: z.literal('open_market'), input: OpenMarketOrder }),
  z.object({ operation: z.literal('place_pending'), input: PlacePendingOrder }),
  z.object({ operation: z.literal('modify_position'), input: ModifyPosition }),
  z.object({ operation: z.literal('modify_order'), input: ModifyOrder }),
  z.object({ operation: z.literal('close_position'), input: ClosePosition }),
  z.object({ operation: z.literal('close_all'), input: CloseAll }),
  z.object({ operation: z.literal('cancel_order'), input: CancelOrder }),
]);
export type TradeIntent = z.infer<typeof TradeIntent>;

/** One close inside a `close_all`. */
export const CloseAllItem = z.object({
  ticket: Ticket,
  symbol: SymbolName,
  clientOrderId: z.string(),
  ok: z.boolean(),
  /** As stored in the journal, which keeps rows written before a code was renamed: SCREAMING_SNAKE, not typed. */
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  message: z.string(),
  retcode: z.number().int().optional(),
  volume: z.number().optional(),
  price: z.number().optional(),
});
export type CloseAllItem = z.infer<typeof CloseAllItem>;

/** The successful answer: what happened, in numbers and in plain words. */
export const ExecutionSuccess = z.object({
  ok: z.literal(true),
  /** The id carried in the order comment and in the journal. */
  clientOrderId: z.string(),
  /** The journal entry's stable id. */
  entryId: z.string(),
  operation: Operation,
  /** Plain words for the trader, e.g. "Bought 0.10 EURUSD at 1.08512". */
  message: z.string(),
  retcode: z.number().int().optional(),
  /** Order ticket (the pending order, or the market order that produced the deal). */
  order: Ticket.optional(),
  deal: Ticket.optional(),
  /** The position opened, changed or closed. */
  position: Ticket.optional(),
  /** Volume executed or placed. */
  volume: z.number().optional(),
  /** Fill price (market) or order price (pending). */
  price: z.number().optional(),
  sl: z.number().optional(),
  tp: z.number().optional(),
  bid: z.number().optional(),
  ask: z.number().optional(),
  /** Time from sending to the answer, in milliseconds. */
  latencyMs: z.number().optional(),
  /** True when the result was established by reconciliation after an uncertain answer. */
  reconciled: z.boolean().optional(),
  /** True when this answer is the earlier one for a duplicate request (same requestKey or same content). */
  duplicate: z.boolean().optional(),
  /** close_all: one item per position. */
  items: z.array(CloseAllItem).optional(),
});
export type ExecutionSuccess = z.infer<typeof ExecutionSuccess>;

/** The failed answer: a code, plain words, and the trade server's retcode when it gave one. */
export const ExecutionFailure = z.object({
  ok: z.literal(false),
  code: ErrorCode,
  message: z.string(),
  retcode: z.number().int().optional(),
  /** Present when the intent reached the journal. */
  clientOrderId: z.string().optional(),
  entryId: z.string().optional(),
  operation: Operation.optional(),
  /** Which limit and by how much, field errors, etc. */
  details: z.record(z.string(), z.unknown()).optional(),
  duplicate: z.boolean().optional(),
  /** close_all: one item per position (some may have closed). */
  items: z.array(CloseAllItem).optional(),
});
export type ExecutionFailure = z.infer<typeof ExecutionFailure>;

/** Every operation answers with one of these. */
export const ExecutionResult = z.discriminatedUnion('ok', [ExecutionSuccess, ExecutionFailure]);
export type ExecutionResult = z.infer<typeof ExecutionResult>;

/** A done order operation as the value of a `Result`: {@link ExecutionSuccess} without its own `ok`. */
export const OrderSuccess = ExecutionSuccess.omit({ ok: true });
export type OrderSuccess = z.infer<typeof OrderSuccess>;

/**
 * A failed order operation as the error half of a `Result`: an `AppError` (code, message, details) plus what the
 * executor knows about the order (retcode, client order id, journal entry, close-all items).
 */
export const OrderFailure = ExecutionFailure.omit({ ok: true });
export type OrderFailure = z.infer<typeof OrderFailure>;

/** What an order channel answers over IPC: one `Result` layer, the success or the failure of the order itself. */
export type OrderAnswer = Result<OrderSuccess, OrderFailure>;

/** The executor's {@link ExecutionResult} as an {@link OrderAnswer} (its `ok` becomes the Result's). */
export function toOrderAnswer(result: ExecutionResult): OrderAnswer {
  if (result.ok) {
    const { ok: _done, ...success } = result;
    return ok(success);
  }
  const { ok: _failed, ...failure } = result;
  return err(failure);
}
