import { z } from 'zod';
import { StatusSnapshot } from './connector';
import { JournalState, type JournalEntry } from './journal';
import { Operation, Origin, TradeIntent } from './orders';

/**
 * Cloud sync (docs/cloud-sync.md): what the portal reads about a connection (live status, the synced trade journal), the
 * remote order ticket, and the connector frames that carry remote orders between the cloud and the desktop.
 * HTTP bodies are snake_case like the rest of `/api/v1`; the journal entry itself is mapped from the desktop's
 * {@link JournalEntry} by {@link toSyncedJournalEntry}.
 */

const IsoTime = z.string().describe('ISO 8601 UTC time');
const Id = z.string().min(1).max(128);

// ---- status ---------------------------------------------------------------------------------------------

/** The latest status the cloud holds for a connection, and whether a desktop is attached right now. */
export const ConnectionStatus = z.object({
  connection_id: Id,
  /** A connector socket for this connection is open on some cloud instance. */
  online: z.boolean(),
  /** As last reported by the desktop; off by default, changed only on the desktop. */
  remote_trading: z.boolean(),
  /** When the cloud last heard from the connector. */
  last_seen_at: IsoTime.nullable(),
  /** The latest snapshot (kept after the desktop goes away, so the portal shows the last known numbers). */
  snapshot: StatusSnapshot.omit({ type: true }).nullable(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

// ---- journal --------------------------------------------------------------------------------------------

/** One journal entry as the portal shows it: the desktop entry's latest version, in snake_case. */
export const SyncedJournalEntry = z.object({
  id: Id,
  version: z.number().int().positive(),
  client_order_id: z.string(),
  origin: Origin,
  operation: Operation,
  symbol: z.string().nullable(),
  side: z.string().nullable(),
  volume: z.number().nullable(),
  state: JournalState,
  message: z.string().nullable(),
  error_code: z.string().nullable(),
  retcode: z.number().int().nullable(),
  retcode_name: z.string().nullable(),
  requested_price: z.number().nullable(),
  filled_price: z.number().nullable(),
  filled_volume: z.number().nullable(),
  sl: z.number().nullable(),
  tp: z.number().nullable(),
  order: z.string().nullable(),
  deal: z.string().nullable(),
  position: z.string().nullable(),
  latency_ms: z.number().nullable(),
  created_at: IsoTime,
  completed_at: IsoTime.nullable(),
  updated_at: IsoTime,
});
export type SyncedJournalEntry = z.infer<typeof SyncedJournalEntry>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Maps a desktop journal entry to its portal shape. */
export function toSyncedJournalEntry(entry: JournalEntry): SyncedJournalEntry {
  return {
    id: entry.id,
    version: entry.version,
    client_order_id: entry.clientOrderId,
    origin: entry.origin,
    operation: entry.operation,
    symbol: entry.symbol,
    side: entry.side,
    volume: entry.volume,
    state: entry.state,
    message: entry.message,
    error_code: entry.errorCode,
    retcode: entry.retcode,
    retcode_name: entry.retcodeName,
    requested_price: entry.requestedPrice,
    filled_price: entry.filledPrice,
    filled_volume: entry.filledVolume,
    sl: entry.sl,
    tp: entry.tp,
    order: entry.order,
    deal: entry.deal,
    position: entry.position,
    latency_ms: entry.latencyMs,
    created_at: iso(entry.createdAt),
    completed_at: entry.completedAt === null ? null : iso(entry.completedAt),
    updated_at: iso(entry.updatedAt),
  };
}

/** The `kind` of a connector journal frame entry that carries a desktop {@link JournalEntry} as its payload. */
export const TRADE_JOURNAL_KIND = 'trade';

/** Comma-separated states in a query string, e.g. `state=done,rejected`. */
const StateList = z
  .string()
  .max(200)
  .transform((s) => s.split(',').filter((x) => x !== ''))
  .pipe(z.array(JournalState).min(1).max(6));

/** `GET /api/v1/connections/{id}/journal` query: newest first, filters combine with AND. */
export const SyncJournalQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** Opaque, from the previous page's `next_cursor`. */
    cursor: z.string().max(200).optional(),
    state: StateList.optional(),
    symbol: z.string().trim().min(1).max(64).optional(),
    origin: Origin.optional(),
    operation: Operation.optional(),
    /** Inclusive lower bound on `created_at`. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Exclusive upper bound on `created_at`. */
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type SyncJournalQuery = z.infer<typeof SyncJournalQuery>;

export const SyncJournalPage = z.object({
  entries: z.array(SyncedJournalEntry),
  /** Null on the last page. */
  next_cursor: z.string().nullable(),
});
export type SyncJournalPage = z.infer<typeof SyncJournalPage>;

// ---- live events (server-sent events on GET /api/v1/connections/{id}/events) ----------------------------

/** `event: status`: the connection's status changed (snapshot, presence or the remote trading switch). */
export const LiveStatusEvent = z.object({ type: z.literal('status'), status: ConnectionStatus });
/** `event: journal`: entries stored or updated. */
export const LiveJournalEvent = z.object({
  type: z.literal('journal'),
  entries: z.array(SyncedJournalEntry),
});
export const LiveEvent = z.discriminatedUnion('type', [LiveStatusEvent, LiveJournalEvent]);
export type LiveEvent = z.infer<typeof LiveEvent>;

// ---- remote orders --------------------------------------------------------------------------------------

/**
 * `POST /api/v1/connections/{id}/orders`: one trade intent (the executor's own operation shapes), plus a
 * `request_key` chosen by the portal per ticket submission so that a repeated submission is answered from the
 * executor's first result instead of being sent twice.
 */
export const RemoteOrderRequest = z
  .object({
    request_key: z.string().min(8).max(64),
    intent: TradeIntent,
  })
  .strict();
export type RemoteOrderRequest = z.infer<typeof RemoteOrderRequest>;

/** The executor's answer, in snake_case. `ok: false` is a refusal or failure the executor reported. */
export const RemoteOrderResult = z.object({
  ok: z.boolean(),
  code: z.string().nullable(),
  message: z.string(),
  client_order_id: z.string().nullable(),
  entry_id: z.string().nullable(),
  retcode: z.number().int().nullable(),
  order: z.string().nullable(),
  deal: z.string().nullable(),
  position: z.string().nullable(),
  volume: z.number().nullable(),
  price: z.number().nullable(),
  duplicate: z.boolean(),
});
export type RemoteOrderResult = z.infer<typeof RemoteOrderResult>;

export const RemoteOrderResponse = z.object({ result: RemoteOrderResult });
export type RemoteOrderResponse = z.infer<typeof RemoteOrderResponse>;

// Errors: `remote_trading_disabled` (409), `connector_offline` (503) and `outcome_unknown` (504) are in
// cloud-api.ts's CloudErrorCode, the cloud's one list.

// ---- remote orders over the connector (connector.ts's command / command_result envelopes) ---------------

/** The `name` of a {@link ConnectorCommand} carrying a remote order; `args` is a {@link RemoteOrderCommandArgs}. */
export const PLACE_ORDER_COMMAND = 'place_order';

export const RemoteOrderCommandArgs = z.object({ request_key: z.string(), intent: TradeIntent });
export type RemoteOrderCommandArgs = z.infer<typeof RemoteOrderCommandArgs>;
