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
 */
export class RedisRevocationRelay implements RevocationRelay {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  /** Settles once subscribed, or after 2 s if Redis is not there (the heartbeat re-check still works). */
  readonly ready: Promise<void>;

  constructor(
    url: string,
    prefix: string,
    onRevocation: (revocation: SocketRevocation) => void,
    private readonly log: FastifyBaseLogger,
  ) {
    this.channel = `${prefix}connector:revoke`;
    // A revocation must not sit in a queue while Redis is away: fail fast, the heartbeat covers it.
    this.pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
    this.sub = new Redis(url, { connectTimeout: 1_000 });
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    // Also after a Redis restart or a start while Redis was away (idempotent when already subscribed).
    this.sub.on('ready', () => {
      this.sub.subscribe(this.channel).catch(() => undefined);
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
    const subscribed = this.sub.subscribe(this.channel).then(
      () => undefined,
      (error: unknown) => {
        this.log.warn({ err: error }, 'connector revocation: subscribe failed');
      },
    );
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

  async publish(revocation: SocketRevocation): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(revocation));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
