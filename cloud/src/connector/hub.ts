import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import {
  CONNECTOR_CLOSE,
  ConnectorClientMessage,
  JournalEntry as JournalEntrySchema,
  type RefusedEntry,
  type ConnectorCommandResult,
  type ConnectorError,
  type ConnectorSettings,
  type ConnectorServerMessage,
  type JournalEntry,
  type StatusSnapshot,
} from '../../../src-core/contracts/connector';
import { findInputProblem } from '../http/hostile-input';
import type { Metrics } from '../observability/metrics';
import {
  CONNECTION_DELETED_REASON,
  SESSION_ENDED_REASON,
  type PeerVerifier,
  type RevocationRelay,
  type SocketRevocation,
} from './revocation';

/** Who holds an accepted connector socket. */
export interface ConnectorPeer {
  readonly connectionId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly ip: string;
  readonly connectedAt: number;
  /** The upgrade request's id, sent in welcome, ack and error frames and logged with the socket's lines. */
  readonly requestId: string;
}

/** A journal entry that passed the envelope checks, with its position in the batch. */
export interface IndexedEntry {
  readonly index: number;
  readonly entry: JournalEntry;
}

/** What a journal handler did with a batch: ids taken (stored or already known), entries refused for good. */
export interface JournalVerdict {
  readonly taken: readonly string[];
  readonly refused: readonly RefusedEntry[];
}

/** Stores journal entries and says which were taken and which refused. The sync work plugs one in. */
export type JournalHandler = (
  peer: ConnectorPeer,
  entries: readonly IndexedEntry[],
) => Promise<JournalVerdict>;
export type StatusHandler = (peer: ConnectorPeer, status: StatusSnapshot) => Promise<void>;
/**
 * Cloud sync (docs/cloud-sync.md): a connector's answer to a command, its settings, and socket presence on this
 * instance.
 */
export type CommandResultHandler = (peer: ConnectorPeer, message: ConnectorCommandResult) => Promise<void>;
export type SettingsHandler = (peer: ConnectorPeer, message: ConnectorSettings) => Promise<void>;
export type PresenceHandler = (peer: ConnectorPeer, isOnline: boolean) => void;

/**
 * Carries a message to the instance that holds a connection's socket (e.g. Redis pub/sub). The hub calls it
 * only when the socket is not on this instance.
 */
export interface ConnectorRelay {
  publish(connectionId: string, message: ConnectorServerMessage): Promise<boolean>;
}

export interface Held {
  readonly peer: ConnectorPeer;
  readonly socket: WebSocket;
  isAlive: boolean;
  errorsInRow: number;
}

/** Consecutive invalid frames tolerated before the socket is closed. */
const MAX_ERRORS_IN_ROW = 20;

/**
 * The connector sockets this instance holds, one per connection (a newer socket replaces an older one).
 * Validates every inbound frame, answers pings, acknowledges journal entries through the pluggable
 * {@link JournalHandler}, keeps the last status, and pings every socket on one shared timer.
 */
export class ConnectorHub {
  private readonly held = new Map<string, Held>();
  private readonly statuses = new Map<string, StatusSnapshot>();
  private journalHandler: JournalHandler = (_peer, entries) =>
    Promise.resolve({ taken: entries.map((e) => e.entry.id), refused: [] });
  private readonly statusHandlers: StatusHandler[] = [];
  private commandResultHandler: CommandResultHandler = () => Promise.resolve();
  private settingsHandler: SettingsHandler = () => Promise.resolve();
  private readonly presenceHandlers: PresenceHandler[] = [];
  private relay: ConnectorRelay | undefined;
  private revocationRelay: RevocationRelay | undefined;
  private verifier: PeerVerifier | undefined;
  private isVerifying = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: FastifyBaseLogger,
    readonly heartbeatMs: number,
    private readonly metrics?: Metrics,
  ) {}

  /** Replaces the journal handler (the default acknowledges without storing). */
  onJournal(handler: JournalHandler): void {
    this.journalHandler = handler;
  }

  onStatus(handler: StatusHandler): void {
    this.statusHandlers.push(handler);
  }

  onCommandResult(handler: CommandResultHandler): void {
    this.commandResultHandler = handler;
  }

  onSettings(handler: SettingsHandler): void {
    this.settingsHandler = handler;
  }

  /** Called with true when a socket is attached, false when the current socket of a connection closes. */
  onPresence(handler: PresenceHandler): void {
    this.presenceHandlers.push(handler);
  }

  setRelay(relay: ConnectorRelay | undefined): void {
    this.relay = relay;
  }

  /** Carries {@link revoke} to the other instances (Redis pub/sub); without one, only this instance acts. */
  setRevocationRelay(relay: RevocationRelay | undefined): void {
    this.revocationRelay = relay;
  }

  /** Re-checks every held socket on each heartbeat (session live, connection still the user's). */
  setVerifier(verifier: PeerVerifier | undefined): void {
    this.verifier = verifier;
  }

  get size(): number {
    return this.held.size;
  }

  isConnected(connectionId: string): boolean {
    return this.held.has(connectionId);
  }

  lastStatus(connectionId: string): StatusSnapshot | undefined {
    return this.statuses.get(connectionId);
  }

  /** Sends to a socket on this instance; false when this instance does not hold it. */
  send(connectionId: string, message: ConnectorServerMessage): boolean {
    const held = this.held.get(connectionId);
    if (held === undefined || held.socket.readyState !== held.socket.OPEN) return false;
    held.socket.send(JSON.stringify(message));
    return true;
  }

  /** Sends here if the socket is here, else through the relay; false when nobody holds it. */
  async deliver(connectionId: string, message: ConnectorServerMessage): Promise<boolean> {
    if (this.send(connectionId, message)) return true;
    return this.relay === undefined ? false : this.relay.publish(connectionId, message);
  }

  disconnect(connectionId: string, code: number, reason: string): void {
    this.held.get(connectionId)?.socket.close(code, reason);
  }

  /**
   * Ends the sockets a revocation names, here and (through the relay) on every other instance: sessions'
   * sockets close with 4001, a deleted connection's with 4003. A failed publish is logged; the heartbeat
   * re-check ends the socket within one period anyway.
   */
  async revoke(revocation: SocketRevocation): Promise<void> {
    this.closeRevoked(revocation);
    if (this.revocationRelay === undefined) return;
    try {
      await this.revocationRelay.publish(revocation);
    } catch (error) {
      this.log.warn({ err: error, kind: revocation.kind }, 'connector revocation not relayed');
    }
  }

  /** Closes the matching sockets on this instance; returns how many. */
  closeRevoked(revocation: SocketRevocation): number {
    let closed = 0;
    if (revocation.kind === 'connection') {
      const held = this.held.get(revocation.connection_id);
      if (held !== undefined) {
        held.socket.close(CONNECTOR_CLOSE.FORBIDDEN, CONNECTION_DELETED_REASON);
        closed += 1;
      }
      return closed;
    }
    const ended = new Set(revocation.session_ids);
    for (const held of this.held.values()) {
      if (!ended.has(held.peer.sessionId)) continue;
      held.socket.close(CONNECTOR_CLOSE.UNAUTHORIZED, SESSION_ENDED_REASON);
      closed += 1;
    }
    return closed;
  }

  /** Takes an accepted, authorised socket. Message listeners must already be attached by the caller. */
  attach(peer: ConnectorPeer, socket: WebSocket): Held {
    const previous = this.held.get(peer.connectionId);
    if (previous !== undefined) {
      previous.socket.close(CONNECTOR_CLOSE.REPLACED, 'replaced by a newer connection');
    }
    const held: Held = { peer, socket, isAlive: true, errorsInRow: 0 };
    this.held.set(peer.connectionId, held);
    socket.on('pong', () => {
      held.isAlive = true;
    });
    socket.on('close', () => {
      if (this.held.get(peer.connectionId) !== held) return;
      this.held.delete(peer.connectionId);
      for (const handler of this.presenceHandlers) handler(peer, false);
    });
    this.startTimer();
    for (const handler of this.presenceHandlers) handler(peer, true);
    socket.send(
      JSON.stringify({
        type: 'welcome',
        connection_id: peer.connectionId,
        request_id: peer.requestId,
        heartbeat_ms: this.heartbeatMs,
      }),
    );
    return held;
  }

  /** Handles one inbound frame of an attached socket. */
  async receive(held: Held, data: RawData, isBinary: boolean): Promise<void> {
    const reply = (message: ConnectorServerMessage): void => {
      if (held.socket.readyState !== held.socket.OPEN) return;
      const stamped =
        message.type === 'ack' || message.type === 'error'
          ? { ...message, request_id: held.peer.requestId }
          : message;
      held.socket.send(JSON.stringify(stamped));
    };
    const fail = (error: Omit<ConnectorError, 'type'>): void => {
      this.metrics?.connectorFrames.inc({ type: 'invalid' });
      held.errorsInRow += 1;
      reply({ type: 'error', ...error });
      if (held.errorsInRow >= MAX_ERRORS_IN_ROW) {
        held.socket.close(CONNECTOR_CLOSE.TOO_MANY_ERRORS, 'too many invalid messages');
      }
    };
    if (isBinary) {
      fail({ code: 'invalid_message', message: 'Send JSON text frames, not binary ones.' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch {
      fail({ code: 'invalid_json', message: 'The frame is not valid JSON.' });
      return;
    }
    const parsed = ConnectorClientMessage.safeParse(json);
    if (!parsed.success) {
      fail({
        code: 'invalid_message',
        message: `Invalid message: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`,
        issues: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
      return;
    }
    held.errorsInRow = 0;
    held.isAlive = true;
    const message = parsed.data;
    this.metrics?.connectorFrames.inc({ type: message.type });
    try {
      switch (message.type) {
        case 'ping':
          reply({ type: 'pong', id: message.id });
          return;
        case 'status':
          this.statuses.set(held.peer.connectionId, message);
          for (const handler of this.statusHandlers) await handler(held.peer, message);
          return;
        case 'journal': {
          const { valid, refused } = checkEntries(message.entries);
          const verdict =
            valid.length === 0 ? { taken: [], refused: [] } : await this.journalHandler(held.peer, valid);
          const allRefused = [...refused, ...verdict.refused];
          this.metrics?.journalEntries.inc({ result: 'taken' }, verdict.taken.length);
          this.metrics?.journalEntries.inc({ result: 'refused' }, allRefused.length);
          if (allRefused.length > 0) {
            this.log.warn(
              {
                connectionId: held.peer.connectionId,
                request_id: held.peer.requestId,
                refused: allRefused.slice(0, 20),
              },
              'connector: journal entries refused',
            );
          }
          reply({
            type: 'ack',
            ids: [...verdict.taken],
            ...(allRefused.length === 0 ? {} : { refused: allRefused }),
          });
          return;
        }
        case 'command_result':
          await this.commandResultHandler(held.peer, message);
          return;
        case 'settings':
          await this.settingsHandler(held.peer, message);
          return;
      }
    } catch (error) {
      this.log.error(
        { err: error, connectionId: held.peer.connectionId, request_id: held.peer.requestId },
        'connector message handler failed',
      );
      reply({
        type: 'error',
        code: 'internal',
        message: 'The cloud could not process this message; send it again.',
      });
    }
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.beat();
    }, this.heartbeatMs);
    this.timer.unref();
  }

  /** One pass over all sockets: close those that missed the last ping, ping the rest. */
  private beat(): void {
    for (const held of this.held.values()) {
      if (!held.isAlive) {
        // First a close frame with the reason; a peer that does not even finish the close is cut next beat.
        if (held.socket.readyState === held.socket.OPEN) {
          held.socket.close(CONNECTOR_CLOSE.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        } else {
          held.socket.terminate();
        }
        continue;
      }
      held.isAlive = false;
      held.socket.ping();
    }
    void this.verify();
    if (this.held.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** The heartbeat's re-check of every held socket; one pass at a time. */
  private async verify(): Promise<void> {
    const verifier = this.verifier;
    if (verifier === undefined || this.isVerifying || this.held.size === 0) return;
    this.isVerifying = true;
    try {
      const verdicts = await verifier([...this.held.values()].map((h) => h.peer));
      for (const verdict of verdicts) {
        const held = this.held.get(verdict.connectionId);
        // Only the socket that was checked: a newer one for the connection is checked next beat.
        if (held?.peer.sessionId !== verdict.sessionId) continue;
        held.socket.close(verdict.code, verdict.reason);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'connector heartbeat re-check failed');
    } finally {
      this.isVerifying = false;
    }
  }

  /** Closes every socket (shutdown) with 1001 "going away". */
  closeAll(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const held of this.held.values()) held.socket.close(1001, 'server shutting down');
    this.held.clear();
  }
}

/**
 * Checks each entry of a batch on its own: the envelope ({@link JournalEntrySchema}), then NUL characters and
 * nesting depth anywhere inside it. The bad ones are refused with their reason; the rest go on.
 */
export function checkEntries(items: readonly unknown[]): {
  valid: IndexedEntry[];
  refused: RefusedEntry[];
} {
  const valid: IndexedEntry[] = [];
  const refused: RefusedEntry[] = [];
  items.forEach((item, index) => {
    const rawId =
      typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string'
        ? (item as { id: string }).id.slice(0, 128)
        : null;
    const problem = findInputProblem(item);
    if (problem !== null) {
      refused.push({ id: rawId, index, reason: `${problem.path || 'entry'}: ${problem.message}` });
      return;
    }
    const parsed = JournalEntrySchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      refused.push({
        id: rawId,
        index,
        reason: `${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}`.slice(0, 500),
      });
      return;
    }
    valid.push({ index, entry: parsed.data });
  });
  return { valid, refused };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
