import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { apiError } from '../errors';
import type { AccessClaims } from './access-tokens';

/**
 * The per-request session check without a database round trip, kept correct across instances
 * (docs/security.md, "Session checks and revocation"):
 *
 * - Every revocation writes a mark per ended session in Redis *before* its database transaction commits; a
 *   revocation whose mark cannot be written does not happen (it answers 503), so no instance can
 *   miss it.
 * - Every request reads the session's mark and the cache generation in one Redis round trip (MGET). A mark
 *   refuses the token at once, on every instance: no relay message has to arrive. For a token this instance
 *   has verified before, that MGET rides in the same round trip as the per-address limit ({@link beginRead}),
 *   and the read is used by that request only.
 * - A live session read from the database is remembered for at most {@link CACHE_MAX_AGE_MS} (real time),
 *   tagged with the generation; marks live {@link MARK_TTL_MS}, longer than any remembered entry, so a mark
 *   expires only after every entry that predates it.
 * - When Redis cannot be read, or its generation key is gone (restarted empty, flushed), this instance
 *   forgets everything and reads the database on every request until Redis answers again (fail closed).
 */
export const CACHE_MAX_AGE_MS = 60_000;
export const MARK_TTL_MS = 10 * CACHE_MAX_AGE_MS;
const MAX_ENTRIES = 10_000;

/** What the database said about a session, as remembered. */
export interface LiveSession {
  readonly userId: string;
  readonly expiresAt: number;
  readonly tokensValidAfter: number;
}

/** Per-request answer from Redis: null when Redis cannot be asked (then the database decides). */
type MarkRead = { readonly generation: string; readonly isRevoked: boolean } | null;

interface Entry extends LiveSession {
  readonly generation: string;
  /** Monotonic time of the Redis read that preceded the database read. */
  readonly readAt: number;
}

/**
 * Sessions remembered between requests, valid only while Redis confirms every request. Without Redis (one
 * instance) there is nothing to confirm against, so {@link SessionGate.disabled} remembers nothing.
 */
export class SessionGate {
  private readonly entries = new Map<string, Entry>();

  private constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
    private readonly monotonicNow: () => number,
  ) {}

  static withRedis(redis: Redis, prefix: string, monotonicNow = () => performance.now()): SessionGate {
    return new SessionGate(redis, prefix, monotonicNow);
  }

  /** No Redis, or switched off: every request reads the database, revocations write no marks. */
  static disabled(): SessionGate {
    return new SessionGate(undefined, '', () => 0);
  }

  get isEnabled(): boolean {
    return this.redis !== undefined;
  }

  private get generationKey(): string {
    return `${this.prefix}sessions:generation`;
  }

  private markKey(sessionId: string): string {
    return `${this.prefix}sessions:revoked:${sessionId}`;
  }

  /**
   * Whether the token's session is live: `true`/`false` when decided without the database, `undefined`
   * when the caller must read the database and then call {@link remember} with the returned ticket.
   */
  async check(
    claims: AccessClaims,
    now: number,
    prefetched: SessionRead | null = null,
  ): Promise<{ readonly verdict: boolean | undefined; readonly ticket: Ticket | null }> {
    if (this.redis === undefined) return { verdict: undefined, ticket: null };
    // A read made for another session, or one that failed, is not evidence: read afresh.
    const isUsable = prefetched !== null && prefetched.sessionId === claims.sid && prefetched.values !== null;
    const readAt = isUsable ? prefetched.readAt : this.monotonicNow();
    const read = isUsable ? await this.interpret(prefetched.values) : await this.read(claims.sid);
    if (read === null) return { verdict: undefined, ticket: null };
    if (read.isRevoked) {
      this.entries.delete(claims.sid);
      return { verdict: false, ticket: null };
    }
    const entry = this.entries.get(claims.sid);
    const isFresh =
      entry !== undefined && entry.generation === read.generation && readAt - entry.readAt < CACHE_MAX_AGE_MS;
    if (!isFresh) return { verdict: undefined, ticket: { generation: read.generation, readAt } };
    return { verdict: isLive(entry, claims, now), ticket: null };
  }

  /**
   * Starts a read of a session's mark that another Redis round trip will carry (the per-address limit's):
   * the keys to MGET, in order, and `finish` to call with their values (null when that round trip failed).
   * Null when there is no Redis to read.
   */
  beginRead(sessionId: string): PendingRead | null {
    if (this.redis === undefined) return null;
    // Taken before the read is sent, as in check(): an entry is never dated later than the Redis read behind it.
    const readAt = this.monotonicNow();
    return {
      keys: [this.generationKey, this.markKey(sessionId)],
      finish: (values) => ({ sessionId, readAt, values }),
    };
  }

  /** Remembers a live session the database just confirmed, under the Redis read that came before it. */
  remember(sessionId: string, session: LiveSession, ticket: Ticket | null): void {
    if (ticket === null) return;
    if (this.entries.size >= MAX_ENTRIES) {
      // Oldest first (a Map keeps insertion order); a forgotten entry costs one database read.
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { ...session, generation: ticket.generation, readAt: ticket.readAt });
  }

  /**
   * Marks sessions as ended for every instance. Call before the database change commits; throws a 503
   * `service_unavailable` when Redis cannot take the marks (then the change must not commit).
   */
  async markRevoked(sessionIds: readonly string[]): Promise<void> {
    for (const id of sessionIds) this.entries.delete(id);
    if (this.redis === undefined || sessionIds.length === 0) return;
    try {
      const batch = this.redis.multi();
      for (const id of sessionIds) batch.set(this.markKey(id), '1', 'PX', MARK_TTL_MS);
      const results = await batch.exec();
      if (results === null || results.some(([error]) => error !== null)) {
        throw new Error('Redis refused a revocation mark');
      }
    } catch {
      throw apiError(
        'service_unavailable',
        'Signing out could not reach every server, so nothing changed. Try again in a moment.',
      );
    }
  }

  private async read(sessionId: string): Promise<MarkRead> {
    const redis = this.redis;
    if (redis === undefined) return null;
    try {
      return await this.interpret(await redis.mget(this.generationKey, this.markKey(sessionId)));
    } catch {
      // Redis away: marks written meanwhile by other instances cannot be seen, so trust nothing remembered.
      this.entries.clear();
      return null;
    }
  }

  /** The values of [generation, mark] as read from Redis. */
  private async interpret(values: readonly (string | null)[]): Promise<MarkRead> {
    const [generation, mark] = values;
    if (generation === null || generation === undefined) {
      // Redis lost its data (or this is the first instance): marks written before may be gone too.
      this.entries.clear();
      try {
        await this.redis?.set(this.generationKey, randomBytes(12).toString('base64url'), 'NX');
      } catch {
        // The next request tries again; until then this instance asks the database.
      }
      return null;
    }
    return { generation, isRevoked: mark !== null && mark !== undefined };
  }
}

/** A read of one session's mark carried by another round trip; see {@link SessionGate.beginRead}. */
export interface SessionRead {
  readonly sessionId: string;
  /** Monotonic time just before the read was sent. */
  readonly readAt: number;
  /** [generation, mark] as Redis answered, or null when the round trip failed. */
  readonly values: readonly (string | null)[] | null;
}

export interface PendingRead {
  readonly keys: readonly string[];
  finish(values: readonly (string | null)[] | null): SessionRead;
}

/** The Redis read a database read followed; entries carry it so a later mark or restart outdates them. */
export interface Ticket {
  readonly generation: string;
  readonly readAt: number;
}

/** The checks the database query makes, applied to a remembered session. */
export function isLive(session: LiveSession, claims: AccessClaims, now: number): boolean {
  return (
    session.userId === claims.sub && session.expiresAt > now && claims.iat_ms >= session.tokensValidAfter
  );
}
