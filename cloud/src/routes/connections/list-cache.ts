import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { apiError } from '../../errors';

/**
 * Each user's connection list, remembered per instance as the exact JSON answer and served only while Redis
 * confirms, in the request's one round trip, that nothing changed since (docs/security.md, "Connection lists
 * between instances"):
 *
 * - Per user, Redis holds a list version (a random token, never a counter that could come back) and a count of
 *   writes in flight. Every change to a user's connections goes through {@link ConnectionListCache.change}: it
 *   counts itself in flight and sets a new version *before* the database change (a change whose bracket
 *   cannot be opened does not happen: 503), then sets another new version and counts itself out after it.
 * - A request reads both keys in the rate limit's Redis command, before the database would be read. An entry is
 *   served only when its version is the one just read and no write is in flight; it is made only from a
 *   database read that followed such a read. A change that finished before the request began therefore either
 *   changed the version after the entry's read, or finished before that read, so the entry includes it.
 * - Nothing travels by pub/sub: no message can be lost. Redis not answering, a missing version (Redis emptied,
 *   or expired) or a write in flight mean the database answers and nothing is remembered.
 * - A writer that dies between its two steps leaves its in-flight count for {@link WRITING_TTL_MS}: until
 *   then every instance reads the database for that user.
 */
export const WRITING_TTL_MS = 60_000;
/** Versions expire so idle users leave no keys; a missing version is recreated and outdates every entry. */
export const VERSION_TTL_MS = 24 * 3_600_000;
/** At most this many characters of answers remembered per instance; the oldest entries go first. */
const MAX_TOTAL_CHARS = 32 * 1024 * 1024;
/** A larger list (up to 1,000 connections) is read from the database each time. */
const MAX_BODY_CHARS = 256 * 1024;

/**
 * KEYS[1] in-flight count, KEYS[2] version; ARGV[1] the new version, ARGV[2] its TTL. Counts one write out (the
 * key goes at zero or below, e.g. after its TTL lapsed under a slow writer) and outdates every entry.
 */
const END_WRITE_LUA = `
local left = redis.call('DECR', KEYS[1])
if left <= 0 then redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return left
`;

type ListRedis = Redis & {
  pipdeskEndListWrite(
    writingKey: string,
    versionKey: string,
    version: string,
    ttlMs: number,
  ): Promise<number>;
};

/** This request's read of one user's [version, in-flight count], made in the rate limit's round trip. */
export interface ListRead {
  readonly userId: string;
  /** As Redis answered, or null when the round trip failed. */
  readonly values: readonly (string | null)[] | null;
}

export interface PendingListRead {
  readonly keys: readonly string[];
  finish(values: readonly (string | null)[] | null): ListRead;
}

/** What a database read may be remembered under: the version read before it. */
export interface ListTicket {
  readonly userId: string;
  readonly version: string;
}

interface Entry {
  readonly version: string;
  readonly body: string;
}

const newVersion = (): string => randomBytes(12).toString('base64url');

/**
 * The per-instance list cache and the version bracket around every change. Without Redis (one instance) or
 * with remembering off, nothing is remembered; with Redis, changes bracket themselves either way, so an
 * instance that remembers never trusts one that does not.
 */
export class ConnectionListCache {
  private readonly entries = new Map<string, Entry>();
  private totalChars = 0;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
    private readonly isRemembering: boolean,
    private readonly log: FastifyBaseLogger,
  ) {
    redis?.defineCommand('pipdeskEndListWrite', { numberOfKeys: 2, lua: END_WRITE_LUA });
  }

  /** Entries held now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private versionKey(userId: string): string {
    return `${this.prefix}connections:version:${userId}`;
  }

  private writingKey(userId: string): string {
    return `${this.prefix}connections:writing:${userId}`;
  }

  /** The keys to read alongside the rate limit for this user's list; null when nothing could be served. */
  beginRead(userId: string): PendingListRead | null {
    if (this.redis === undefined || !this.isRemembering) return null;
    return {
      keys: [this.versionKey(userId), this.writingKey(userId)],
      finish: (values) => ({ userId, values }),
    };
  }

  /**
   * The remembered answer when `read` (this request's, made before any database read) proves it current, and
   * otherwise null with the ticket to {@link remember} the database's answer under (null: do not remember).
   */
  async lookup(
    userId: string,
    read: ListRead | null,
  ): Promise<{ readonly body: string | null; readonly ticket: ListTicket | null }> {
    if (read === null || read.userId !== userId || read.values === null) return { body: null, ticket: null };
    const [version, writing] = read.values;
    // Anything but a count of zero or less (which the close script deletes) means a write may be in flight.
    const isWriting = writing !== null && writing !== undefined && !(Number(writing) <= 0);
    if (isWriting) return { body: null, ticket: null };
    if (version === null || version === undefined) {
      // Never set, expired, or Redis emptied: start a version; entries made before cannot match it.
      this.forget(userId);
      await this.redis?.set(this.versionKey(userId), newVersion(), 'PX', VERSION_TTL_MS, 'NX').catch(() => {
        // The next request tries again; until then the database answers.
      });
      return { body: null, ticket: null };
    }
    const entry = this.entries.get(userId);
    if (entry?.version === version) return { body: entry.body, ticket: null };
    return { body: null, ticket: { userId, version } };
  }

  /** Remembers the database's answer under the version read before it. */
  remember(ticket: ListTicket | null, body: string): void {
    if (ticket === null || body.length > MAX_BODY_CHARS) return;
    this.forget(ticket.userId);
    this.entries.set(ticket.userId, { version: ticket.version, body });
    this.totalChars += body.length;
    while (this.totalChars > MAX_TOTAL_CHARS) {
      // Oldest first (a Map keeps insertion order); a forgotten entry costs one database read.
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.forget(oldest.value);
    }
  }

  private forget(userId: string): void {
    const entry = this.entries.get(userId);
    if (entry === undefined) return;
    this.totalChars -= entry.body.length;
    this.entries.delete(userId);
  }

  /**
   * Runs a change to `userId`'s connections inside the version bracket. Throws a 503 `service_unavailable`,
   * without running `work`, when Redis cannot open the bracket: a change other instances could not see must
   * not happen. Closing it is retried once; if that fails too, the in-flight count keeps every instance on
   * the database for that user until it expires ({@link WRITING_TTL_MS}).
   */
  async change<T>(userId: string, work: () => Promise<T>): Promise<T> {
    this.forget(userId);
    const redis = this.redis as ListRedis | undefined;
    if (redis === undefined) return work();
    const writing = this.writingKey(userId);
    const version = this.versionKey(userId);
    try {
      const results = await redis
        .multi()
        .incr(writing)
        .pexpire(writing, WRITING_TTL_MS)
        .set(version, newVersion(), 'PX', VERSION_TTL_MS)
        .exec();
      if (results === null || results.some(([error]) => error !== null)) {
        throw new Error('Redis refused the connection list bracket');
      }
    } catch {
      throw apiError(
        'service_unavailable',
        'Connections cannot be changed while the servers cannot reach each other. Try again in a moment.',
      );
    }
    try {
      return await work();
    } finally {
      this.forget(userId);
      await this.endWrite(redis, writing, version, userId);
    }
  }

  private async endWrite(redis: ListRedis, writing: string, version: string, userId: string): Promise<void> {
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        await redis.pipdeskEndListWrite(writing, version, newVersion(), VERSION_TTL_MS);
        return;
      } catch (error) {
        if (attempt === 2) {
          this.log.warn(
            { err: error, userId },
            `connection list: closing a change's bracket failed; instances read this user's list from the database for up to ${WRITING_TTL_MS / 1000} s`,
          );
        }
      }
    }
  }
}
