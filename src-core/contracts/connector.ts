import { z } from 'zod';

/**
 * Messages on `WS /ws/connector?connection_id=…` (JSON text frames, snake_case). The desktop connector sends
 * {@link ConnectorClientMessage}s; the cloud answers with {@link ConnectorServerMessage}s. Every inbound frame
 * is validated; a bad one gets an `error` frame naming the problem and the socket stays open.
 */

/** Close codes the cloud uses on this socket (RFC 6455 private range 4000-4999). */
export const CONNECTOR_CLOSE = {
  /** Missing, malformed, expired or revoked access token. */
  UNAUTHORIZED: 4001,
  /** The connection does not exist or is not the caller's, or the Origin is not allowed. */
  FORBIDDEN: 4003,
  /** A newer socket for the same connection took over. */
  REPLACED: 4009,
  /** Too many invalid frames in a row. */
  TOO_MANY_ERRORS: 4008,
  /** No heartbeat answer in time. */
  HEARTBEAT_TIMEOUT: 4010,
} as const;

const Id = z.string().min(1).max(128);
const Decimal = z.number();

/** What the connector knows about its terminal at a moment. */
export const StatusSnapshot = z.object({
  type: z.literal('status'),
  /** Milliseconds since the epoch, the connector's clock. */
  at_ms: z.number().int().nonnegative(),
  terminal_connected: z.boolean(),
  ea_connected: z.boolean(),
  account: z
    .object({
      login: z.string().regex(/^\d{1,20}$/),
      server: z.string().min(1).max(128),
      currency: z.string().min(3).max(6),
      balance: Decimal,
      equity: Decimal,
      margin: Decimal,
      free_margin: Decimal,
      leverage: z.number().int().positive(),
    })
    .nullable(),
  open_positions: z.number().int().nonnegative(),
  pending_orders: z.number().int().nonnegative(),
  /**
   * True when the account is the desktop's paper account (simulated fills on live prices, docs/paper-trading.md):
   * its balance and positions are not money at the broker. Absent means a terminal's account.
   */
  is_paper: z.boolean().optional(),
});
export type StatusSnapshot = z.infer<typeof StatusSnapshot>;

/** One row of the desktop's trade journal, idempotent by `id` (the desktop's outbox id). */
export const JournalEntry = z.object({
  id: Id,
  /** Milliseconds since the epoch. */
  at_ms: z.number().int().nonnegative(),
  kind: z.string().min(1).max(64),
  /** The journal row itself; its shape is docs/cloud-sync.md's, bounded here only in size. */
  payload: z.record(z.string(), z.unknown()),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/**
 * A batch of journal entries. Only the envelope is checked with the frame: each entry is checked on its own
 * against {@link JournalEntry}, so a bad entry is refused by itself (see {@link JournalAck}).
 */
export const JournalBatch = z.object({
  type: z.literal('journal'),
  entries: z.array(z.unknown()).min(1).max(500),
});
export type JournalBatch = z.infer<typeof JournalBatch>;

/** Application-level heartbeat from the connector; the cloud answers `pong` with the same id. */
export const ConnectorPing = z.object({ type: z.literal('ping'), id: Id });
export type ConnectorPing = z.infer<typeof ConnectorPing>;

/**
 * The connector's answer to a {@link ConnectorCommand}, by the command's id (docs/cloud-sync.md). `status` is
 * `done` when the command ran (`result` then holds the command's own answer, e.g. cloud-sync.ts's
 * RemoteOrderResult), or why the desktop refused it before running it.
 */
export const ConnectorCommandResult = z.object({
  type: z.literal('command_result'),
  id: Id,
  status: z.enum(['done', 'remote_trading_disabled', 'invalid']),
  result: z.record(z.string(), z.unknown()).nullable(),
  message: z.string().max(2000).optional(),
});
export type ConnectorCommandResult = z.infer<typeof ConnectorCommandResult>;

/** Per-connection settings the desktop reports on connect and on change (docs/cloud-sync.md). */
export const ConnectorSettings = z.object({ type: z.literal('settings'), remote_trading: z.boolean() });
export type ConnectorSettings = z.infer<typeof ConnectorSettings>;

export const ConnectorClientMessage = z.discriminatedUnion('type', [
  StatusSnapshot,
  JournalBatch,
  ConnectorPing,
  ConnectorCommandResult,
  ConnectorSettings,
]);
export type ConnectorClientMessage = z.infer<typeof ConnectorClientMessage>;
export type ConnectorClientMessageType = ConnectorClientMessage['type'];

/**
 * The cloud's request id (docs/operations.md, "Request ids"): on welcome, ack and error frames the id of the
 * socket's upgrade request, on a command the id of the portal request that sent it. The desktop logs it so its
 * log lines can be matched with the cloud's.
 */
export const RequestId = z.string().max(128);
export type RequestId = z.infer<typeof RequestId>;

/** Sent once the socket is accepted. */
export const ConnectorWelcome = z.object({
  type: z.literal('welcome'),
  connection_id: Id,
  request_id: RequestId.optional(),
  /** How often the cloud pings (protocol-level ping frames), in milliseconds. */
  heartbeat_ms: z.number().int().positive(),
});
export type ConnectorWelcome = z.infer<typeof ConnectorWelcome>;

export const ConnectorPong = z.object({ type: z.literal('pong'), id: Id });
export type ConnectorPong = z.infer<typeof ConnectorPong>;

/** Why the cloud refused one journal entry for good (sending it again gives the same answer). */
export const RefusedEntry = z.object({
  /** The entry's id as sent (cut to 128 characters), or null when it had no usable id. */
  id: z.string().max(128).nullable(),
  /** Position of the entry in its batch. */
  index: z.number().int().nonnegative(),
  /** Plain words naming the field and the rule, e.g. `id: must not contain a NUL character`. */
  reason: z.string().max(500),
});
export type RefusedEntry = z.infer<typeof RefusedEntry>;

/**
 * Journal entries the cloud has taken, by id; the connector may drop them from its outbox. `refused` lists
 * entries that can never be taken (invalid): the connector moves them aside, shows them to the trader, and
 * goes on with the rest. One bad entry never holds up the others.
 */
export const JournalAck = z.object({
  type: z.literal('ack'),
  request_id: RequestId.optional(),
  ids: z.array(Id),
  refused: z.array(RefusedEntry).optional(),
});
export type JournalAck = z.infer<typeof JournalAck>;

export const ConnectorErrorCode = z.enum([
  'invalid_json',
  'invalid_message',
  'message_too_large',
  'internal',
]);
export type ConnectorErrorCode = z.infer<typeof ConnectorErrorCode>;

export const ConnectorError = z.object({
  type: z.literal('error'),
  request_id: RequestId.optional(),
  code: ConnectorErrorCode,
  message: z.string(),
  /** Field paths that failed validation, when `code` is `invalid_message`. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ConnectorError = z.infer<typeof ConnectorError>;

/**
 * A command from the cloud to the connector (e.g. relayed from the portal). docs/cloud-sync.md defines the kinds;
 * the envelope is fixed so the hub can route it to whichever instance holds the socket.
 */
export const ConnectorCommand = z.object({
  type: z.literal('command'),
  request_id: RequestId.optional(),
  id: Id,
  name: z.string().min(1).max(64),
  args: z.record(z.string(), z.unknown()),
});
export type ConnectorCommand = z.infer<typeof ConnectorCommand>;

export const ConnectorServerMessage = z.discriminatedUnion('type', [
  ConnectorWelcome,
  ConnectorPong,
  JournalAck,
  ConnectorError,
  ConnectorCommand,
]);
export type ConnectorServerMessage = z.infer<typeof ConnectorServerMessage>;
