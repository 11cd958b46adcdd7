import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CONNECTOR_CLOSE } from '../../../src-core/contracts/connector';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { ConnectorPeer } from './hub';

const Id = z.string().min(1).max(64);

/**
 * Which connector sockets must end: those opened by sessions that were just revoked (logout, revoke, password
 * change or reset, refresh-token reuse), or the socket of a deleted connection. Travels between instances.
 */
export const SocketRevocation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sessions'), session_ids: z.array(Id).min(1).max(10_000) }),
  z.object({ kind: z.literal('connection'), connection_id: Id }),
]);
export type SocketRevocation = z.infer<typeof SocketRevocation>;

/** Carries a revocation to every other instance. */
export interface RevocationRelay {
  publish(revocation: SocketRevocation): Promise<void>;
}

/** A socket the heartbeat re-check found no longer allowed, with the close code to send. */
export interface PeerVerdict {
  readonly connectionId: string;
  readonly sessionId: string;
  readonly code: number;
  readonly reason: string;
}

/** Re-checks held sockets against the database; returns the ones to close. */
export type PeerVerifier = (peers: readonly ConnectorPeer[]) => Promise<readonly PeerVerdict[]>;

export const SESSION_ENDED_REASON = 'session ended';
export const CONNECTION_DELETED_REASON = 'connection deleted';

/**
 * The heartbeat's re-check, for a revocation message that never arrived (Redis down, an instance that
 * subscribed late): the socket's session must be live and not older than the user's cut-off, and its
 * connection must still be the user's. Two queries per 500 sockets.
 */
export function databaseVerifier(db: Kysely<Database>, clock: Clock): PeerVerifier {
  return async (peers) => {
    const verdicts: PeerVerdict[] = [];
    const now = clock.now();
    for (let start = 0; start < peers.length; start += 500) {
      const chunk = peers.slice(start, start + 500);
      const [sessions, connections] = await Promise.all([
        db
          .selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .select([
            'sessions.id',
            'sessions.user_id',
            'sessions.revoked_at',
            'sessions.expires_at',
            'users.tokens_valid_after',
          ])
          .where(
            'sessions.id',
            'in',
            chunk.map((p) => p.sessionId),
          )
          .execute(),
        db
          .selectFrom('connections')
          .select(['id', 'user_id'])
          .where(
            'id',
            'in',
            chunk.map((p) => p.connectionId),
          )
          .execute(),
      ]);
      const sessionById = new Map(sessions.map((s) => [s.id, s]));
      const ownerById = new Map(connections.map((c) => [c.id, c.user_id]));
      for (const peer of chunk) {
        const session = sessionById.get(peer.sessionId);
        // The socket was accepted after its token passed the cut-off; a later cut-off (reset) ends it.
        const isSessionLive =
          session !== undefined &&
          session.user_id === peer.userId &&
          session.revoked_at === null &&
          session.expires_at > now &&
          peer.connectedAt >= session.tokens_valid_after;
        if (!isSessionLive) {
          verdicts.push({
            connectionId: peer.connectionId,
            sessionId: peer.sessionId,
            code: CONNECTOR_CLOSE.UNAUTHORIZED,
            reason: SESSION_ENDED_REASON,
          });
        } else if (ownerById.get(peer.connectionId) !== peer.userId) {
          verdicts.push({
            connectionId: peer.connectionId,
            sessionId: peer.sessionId,
            code: CONNECTOR_CLOSE.FORBIDDEN,
            reason: CONNECTION_DELETED_REASON,
          });
        }
      }
    }
    return verdicts;
  };
}

/**
 * Redis pub/sub on `<prefix>connector:revoke`: every instance subscribes and closes its matching sockets. A
 * publish that fails (Redis away) is logged; the heartbeat re-check then ends the socket within one period.
 * A subscription that fails is logged, retried with backoff until it holds, and reported by {@link state}
 * (and so by /readyz): while it is missing, revocations from other instances reach this one only through
 * the heartbeat re-check, and that must be visible.
 */
export class RedisRevocationRelay implements RevocationRelay {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private isSubscribed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private isClosed = false;
  private lastError: 'pub' | 'sub' | null = null;
  /** Settles once subscribed, or after 2 s if Redis is not there (the heartbeat re-check still works). */
  readonly ready: Promise<void>;

  constructor(
    url: string,
    prefix: string,
    onRevocation: (revocation: SocketRevocation) => void,
    private readonly log: FastifyBaseLogger,
    /** Waits between subscribe attempts: 250 ms doubling up to this (default 5 s). */
    private readonly maxRetryMs = 5_000,
  ) {
    this.channel = `${prefix}connector:revoke`;
    // A revocation must not sit in a queue while Redis is away: fail fast, the heartbeat covers it.
    this.pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
    // autoResubscribe off: this class subscribes again itself on 'ready', with its failure handled; ioredis's own
    // resubscription drops its promise, so a connection lost right after a reconnect was an unhandled rejection.
    this.sub = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      autoResubscribe: false,
    });
    // ioredis reconnects by itself; one line per change of state, not one per retry.
    this.pub.on('error', (error: unknown) => {
      this.noteError('pub', error);
    });
    this.sub.on('error', (error: unknown) => {
      this.noteError('sub', error);
    });
    this.sub.on('end', () => {
      this.isSubscribed = false;
    });
    this.sub.on('close', () => {
      this.isSubscribed = false;
    });
    // Also after a Redis restart or a start while Redis was away.
    this.sub.on('ready', () => {
      this.lastError = null;
      void this.subscribe();
    });
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let parsed: SocketRevocation;
      try {
        parsed = SocketRevocation.parse(JSON.parse(message));
      } catch (error) {
        this.log.warn({ err: error }, 'connector revocation: invalid message ignored');
        return;
      }
      onRevocation(parsed);
    });
    const subscribed = new Promise<void>((resolve) => {
      this.onSubscribed = resolve;
    });
    // The publisher has no offline queue: a publish before it is connected would fail.
    const connected = new Promise<void>((resolve) => {
      if (this.pub.status === 'ready') resolve();
      else this.pub.once('ready', resolve);
    });
    this.ready = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      void Promise.all([subscribed, connected]).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onSubscribed: () => void = () => undefined;

  /** `subscribed` when revocations from other instances arrive; `retrying` while the subscription is missing. */
  get state(): 'subscribed' | 'retrying' {
    return this.isSubscribed && this.sub.status === 'ready' ? 'subscribed' : 'retrying';
  }

  private noteError(which: 'pub' | 'sub', error: unknown): void {
    if (this.lastError === which) return;
    this.lastError = which;
    this.log.warn(
      { err: error },
      which === 'sub'
        ? 'connector revocation: Redis subscriber failed; revocations from other instances wait for the heartbeat re-check'
        : 'connector revocation: Redis publisher failed; other instances end their sockets at the next heartbeat',
    );
  }

  private async subscribe(): Promise<void> {
    if (this.isClosed || this.sub.status !== 'ready') return;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    try {
      await this.sub.subscribe(this.channel);
      if (this.attempt > 0) this.log.info({ attempts: this.attempt + 1 }, 'connector revocation: subscribed');
      this.attempt = 0;
      this.isSubscribed = true;
      this.onSubscribed();
    } catch (error) {
      this.isSubscribed = false;
      const wait = Math.min(this.maxRetryMs, 250 * 2 ** Math.min(this.attempt, 10));
      this.attempt += 1;
      this.log.error(
        { err: error, attempt: this.attempt, retryInMs: wait },
        'connector revocation: subscribe failed; revocations from other instances are not received until it succeeds',
      );
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        void this.subscribe();
      }, wait);
      this.retryTimer.unref();
    }
  }

  async publish(revocation: SocketRevocation): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(revocation));
  }

  async close(): Promise<void> {
    this.isClosed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
