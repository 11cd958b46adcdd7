import { z } from 'zod';
import { Operation, Origin, SymbolName, Ticket } from './orders';

/**
 * The trade journal: one entry per trade intent, written before anything is sent and updated as the intent moves
 * through its states. The UI reads it page by page; cloud sync reads its outbox and sends entries idempotently by
 * `id` + `version`. See docs/order-lifecycle.md.
 */

/**
 * Where an intent stands.
 * - `pending`: journalled, not yet handed to the bridge (a crash here means it was never sent, or is about to be).
 * - `sent`: handed to the bridge, no answer yet.
 * - `done`: executed or placed (final).
 * - `rejected`: definitely not executed because a check refused it, ours or the terminal's (final).
 * - `failed`: definitely not executed for a technical reason, e.g. no terminal connected (final).
 * - `unknown`: may or may not have executed; reconciled by client order id until it settles.
 */
export const JournalState = z.enum(['pending', 'sent', 'done', 'rejected', 'unknown', 'failed']);
export type JournalState = z.infer<typeof JournalState>;

/** States that will not change any more. */
export const FINAL_JOURNAL_STATES: readonly JournalState[] = ['done', 'rejected', 'failed'];

/** Any JSON value (the intent, the bridge request and response as they were). */
export const JsonValue = z.unknown();

/**
 * Which kind of account an order went to: a terminal (`real`, an EA or the demo simulator), a paper account or a
 * replay session (docs/replay.md).
 */
export const AccountKind = z.enum(['real', 'paper', 'replay']);
export type AccountKind = z.infer<typeof AccountKind>;

/** One journal entry. Times are milliseconds since the epoch (UTC). */
export const JournalEntry = z.object({
  /** Stable id of the entry, unique across devices (a UUID); cloud sync is idempotent on it. */
  id: z.string().min(1).max(64),
  /**
   * Which kind of account the order went to: `paper` for the app's paper account (docs/paper-trading.md), `real`
   * for a terminal (an EA or the demo simulator), `replay` for a replay session (docs/replay.md). Absent on entries
   * written before paper accounts existed.
   */
  accountKind: AccountKind.optional(),
  /** The id carried in the MT5 order comment; also the EA's de-duplication key. */
  clientOrderId: z.string().min(1).max(31),
  /** For the closes of a `close_all`: the parent entry's id. */
  parentId: z.string().nullable(),
  origin: Origin,
  operation: Operation,
  /** The caller's double-click key, when given. */
  requestKey: z.string().nullable(),
  symbol: SymbolName.nullable(),
  /** buy/sell for market orders and closes, the pending kind for pending orders. */
  side: z.string().nullable(),
  volume: z.number().nullable(),
  /** The operation's input as the caller gave it (a `TradeIntent`). */
  intent: JsonValue,
  state: JournalState,
  /** Outcome class of the last answer (`done`, `rejected`, `retryable`, `unknown`). */
  outcome: z.enum(['done', 'rejected', 'retryable', 'unknown']).nullable(),
  /** The bridge request as sent (last attempt). */
  request: JsonValue.nullable(),
  /** The bridge response as received (last attempt), or the lookup answer that settled it. */
  response: JsonValue.nullable(),
  retcode: z.number().int().nullable(),
  /** MT5's constant name for the retcode, e.g. `TRADE_RETCODE_DONE`. */
  retcodeName: z.string().nullable(),
  /** Plain words a trader understands. */
  message: z.string().nullable(),
  /** SCREAMING_SNAKE code when refused or failed. */
  errorCode: z.string().nullable(),
  /** The price asked for (order price, or the quote side a market order was priced from). */
  requestedPrice: z.number().nullable(),
  /** Executed or placed price. */
  filledPrice: z.number().nullable(),
  filledVolume: z.number().nullable(),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  sl: z.number().nullable(),
  tp: z.number().nullable(),
  /** Margin the terminal calculated for it, and free margin at that moment (account currency). */
  margin: z.number().nullable(),
  freeMargin: z.number().nullable(),
  order: Ticket.nullable(),
  deal: Ticket.nullable(),
  position: Ticket.nullable(),
  /** Number of send attempts (retries of retryable outcomes add to it). */
  attempts: z.number().int().nonnegative(),
  /** Number of reconciliation lookups made. */
  reconcileAttempts: z.number().int().nonnegative(),
  createdAt: z.number().int(),
  sentAt: z.number().int().nullable(),
  completedAt: z.number().int().nullable(),
  /** From sending to the answer, milliseconds. */
  latencyMs: z.number().nullable(),
  updatedAt: z.number().int(),
  /** Increases by one with every change; cloud sync keeps the highest version it has seen. */
  version: z.number().int().positive(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** A page request for the journal view. */
export const JournalQuery = z
  .object({
    states: z.array(JournalState).max(6).optional(),
    symbol: SymbolName.optional(),
    origin: Origin.optional(),
    operation: Operation.optional(),
    /** Inclusive lower bound on `createdAt`. */
    from: z.number().int().optional(),
    /** Exclusive upper bound on `createdAt`. */
    to: z.number().int().optional(),
    limit: z.number().int().min(1).max(500).default(50),
    /** Opaque cursor from the previous page's `nextCursor`. */
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type JournalQuery = z.infer<typeof JournalQuery>;
/** What callers may give before defaults are applied. */
export type JournalQueryInput = z.input<typeof JournalQuery>;

/** One page of entries, newest first. */
export const JournalPage = z.object({
  entries: z.array(JournalEntry),
  /** Absent on the last page. */
  nextCursor: z.string().optional(),
});
export type JournalPage = z.infer<typeof JournalPage>;

/** An outbox item for cloud sync: the entry as it is now and the outbox sequence to acknowledge. */
export const OutboxItem = z.object({
  /** Monotonic outbox sequence; acknowledge with `markSynced([seq…])`. */
  seq: z.number().int().positive(),
  entry: JournalEntry,
});
export type OutboxItem = z.infer<typeof OutboxItem>;
