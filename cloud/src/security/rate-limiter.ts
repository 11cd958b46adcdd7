import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock';

/** One limit: at most `limit` hits in any window of `windowMs` (a true sliding window). */
export interface LimitRule {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface LimitDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  /** When refused: milliseconds until the oldest hit leaves the window. */
  readonly retryAfterMs: number;
}

/**
 * KEYS[1] window key, KEYS[2..] keys to read as well; ARGV[1] window ms, ARGV[2] limit, ARGV[3] a member unique
 * to this hit. Time comes from Redis (TIME), so instances with skewed clocks share one timeline. Only allowed
 * hits are added, so a refused client regains capacity as its old hits age out. Returns {allowed, remaining,
 * retry_ms, values of KEYS[2..]}: one command rather than a pipeline of the script and an MGET costs the
 * client about half the CPU (docs/operations.md, "Speed of authenticated requests").
 */
export const SLIDING_WINDOW_LUA = `
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local out
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  out = {1, limit - count - 1, 0}
else
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local retry = tonumber(oldest[2]) + window - now
  if retry < 1 then retry = 1 end
  out = {0, 0, retry}
end
if #KEYS > 1 then
  local values = redis.call('MGET', unpack(KEYS, 2))
  for i = 1, #values do out[3 + i] = values[i] end
end
return out
`;

type SlidingWindowRedis = Redis & {
  /** `keyCount` keys (the window's, then those to read), then window ms, limit and member. */
  pipdeskSlidingWindow(
    keyCount: number,
    ...keysAndArgs: (string | number)[]
  ): Promise<(number | string | null)[]>;
};

/** The fallback: per-process sliding windows, bounded in keys (least recently used dropped first). */
export class MemoryWindow {
  /** Per key: hit times in arrival order from `head` on (older slots are spent and compacted away). */
  private readonly hits = new Map<string, { times: number[]; head: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  get size(): number {
    return this.hits.size;
  }

  /** Amortised O(1) per hit: expired times are skipped from the front, never re-filtered. */
  hit(key: string, rule: LimitRule): LimitDecision {
    const now = this.clock.now();
    const entry = this.hits.get(key) ?? { times: [], head: 0 };
    const { times } = entry;
    while (entry.head < times.length && (times[entry.head] ?? now) <= now - rule.windowMs) entry.head += 1;
    if (entry.head > 64 && entry.head * 2 > times.length) {
      times.splice(0, entry.head);
      entry.head = 0;
    }
    const count = times.length - entry.head;
    let decision: LimitDecision;
    if (count < rule.limit) {
      times.push(now);
      decision = { allowed: true, remaining: rule.limit - count - 1, retryAfterMs: 0 };
    } else {
      decision = {
        allowed: false,
        remaining: 0,
        retryAfterMs: Math.max(1, (times[entry.head] ?? now) + rule.windowMs - now),
      };
    }
    // Re-insert so Map order is least recently used first.
    this.hits.delete(key);
    this.hits.set(key, entry);
    if (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next();
      if (oldest.done !== true) this.hits.delete(oldest.value);
    }
    return decision;
  }
}

export type LimiterBackend = 'redis' | 'memory';

/**
 * Sliding-window limiter on Redis (one Lua script, sorted sets) that fails over at once to {@link MemoryWindow}
 * when Redis cannot answer: the client has no offline queue and short timeouts, so a dead Redis costs one
 * quick error, not a stall. The switch is logged both ways; `/readyz` reports `degraded` meanwhile.
 */
export class RateLimiter {
  private readonly memory: MemoryWindow;
  private readonly instance = randomBytes(6).toString('hex');
  private sequence = 0;
  private usingRedis: boolean;
  /** When the current spell in memory began (null while on Redis or without Redis), and the closed spells' sum. */
  private degradedSince: number | null = null;
  private degradedTotalMs = 0;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
  ) {
    this.memory = new MemoryWindow(clock);
    this.usingRedis = redis !== undefined;
    if (redis !== undefined) {
      // No fixed key count: each call says how many keys it reads besides the window's.
      redis.defineCommand('pipdeskSlidingWindow', { lua: SLIDING_WINDOW_LUA });
      redis.on('ready', () => {
        if (!this.usingRedis) {
          log.info('rate limiter: Redis is back, limits are shared again');
          this.recovered();
        }
        this.usingRedis = true;
      });
      redis.on('error', (error: Error) => {
        this.fallBack(error);
      });
      redis.on('end', () => {
        this.fallBack(new Error('connection ended'));
      });
    }
  }

  /** Where limits are being counted right now. */
  get backend(): LimiterBackend {
    return this.usingRedis && this.redis?.status === 'ready' ? 'redis' : 'memory';
  }

  /**
   * Whether Redis is configured but limits are counted in memory right now, and the total time spent so since
   * start (metrics: docs/operations.md).
   */
  degradation(): { isDegraded: boolean; degradedMs: number } {
    const since = this.degradedSince;
    return {
      isDegraded: this.redis !== undefined && this.backend === 'memory',
      degradedMs: this.degradedTotalMs + (since === null ? 0 : Math.max(0, this.clock.now() - since)),
    };
  }

  /** Counts a hit for `key` under `rule`. Never throws: a Redis failure is answered from memory. */
  async hit(rule: LimitRule, key: string): Promise<LimitDecision> {
    return (await this.hitAndRead(rule, key, [])).decision;
  }

  /**
   * Counts a hit and, in the same Redis command, reads `alsoRead` (MGET inside the script): a request that
   * needs both pays one round trip, not two. `values` is null when Redis did not answer (or nothing was asked); the decision
   * then comes from memory as in {@link hit}. Never throws.
   */
  async hitAndRead(
    rule: LimitRule,
    key: string,
    alsoRead: readonly string[],
  ): Promise<{ readonly decision: LimitDecision; readonly values: (string | null)[] | null }> {
    // Keys may hold emails: hash them so Redis never stores personal data.
    const digest = createHash('sha256').update(key).digest('base64url').slice(0, 22);
    const fullKey = `${this.prefix}rl:${rule.name}:${digest}`;
    const redis = this.redis as SlidingWindowRedis | undefined;
    if (redis !== undefined && redis.status === 'ready') {
      try {
        this.sequence += 1;
        const member = `${this.instance}:${this.sequence}`;
        const reply = await redis.pipdeskSlidingWindow(
          1 + alsoRead.length,
          fullKey,
          ...alsoRead,
          rule.windowMs,
          rule.limit,
          member,
        );
        const window = reply.slice(0, 3).map(Number) as [number, number, number];
        // A missing key reads as null (Lua false); the values come after the three window figures.
        const values =
          alsoRead.length === 0
            ? null
            : alsoRead.map((_, i) => {
                const value = reply[3 + i];
                return typeof value === 'string' ? value : null;
              });
        const [allowed, remaining, retry] = window;
        if (!this.usingRedis) {
          this.usingRedis = true;
          this.log.info('rate limiter: Redis is back, limits are shared again');
          this.recovered();
        }
        return { decision: { allowed: allowed === 1, remaining, retryAfterMs: retry }, values };
      } catch (error) {
        this.fallBack(error);
      }
    } else if (redis !== undefined) {
      this.fallBack(new Error(`Redis ${redis.status}`));
    }
    return { decision: this.memory.hit(fullKey, rule), values: null };
  }

  private fallBack(error: unknown): void {
    if (!this.usingRedis) return;
    this.usingRedis = false;
    this.degradedSince = this.clock.now();
    this.log.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'rate limiter: Redis unreachable, counting in memory on this instance until it returns',
    );
  }

  private recovered(): void {
    if (this.degradedSince !== null) {
      this.degradedTotalMs += Math.max(0, this.clock.now() - this.degradedSince);
    }
    this.degradedSince = null;
  }
}
