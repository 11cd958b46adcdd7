import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { freePort, REDIS_URL, SpareRedis, unique } from '../../test/helpers';
import { MemoryWindow, RateLimiter, type LimitRule } from './rate-limiter';

const silent = pino({ level: 'silent' });

const fastRedis = (url: string) =>
  new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    commandTimeout: 500,
    retryStrategy: () => 50,
  });

const onceReady = (redis: Redis) =>
  redis.status === 'ready'
    ? Promise.resolve()
    : new Promise<void>((resolve) =>
        redis.once('ready', () => {
          resolve();
        }),
      );

describe('MemoryWindow', () => {
  it('slides: a hit leaves the window exactly windowMs after it was made', () => {
    const clock = new ManualClock(1_000_000);
    const window = new MemoryWindow(clock);
    const rule: LimitRule = { name: 't', limit: 2, windowMs: 1000 };
    expect(window.hit('k', rule).allowed).toBe(true);
    clock.advance(600);
    expect(window.hit('k', rule).allowed).toBe(true);
    const refused = window.hit('k', rule);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 400 });
    clock.advance(400);
    expect(window.hit('k', rule).allowed).toBe(true);
    expect(window.hit('k', rule).allowed).toBe(false);
  });

  it('stays exact across compaction and cheap per hit under a high limit', () => {
    const clock = new ManualClock(0);
    const window = new MemoryWindow(clock);
    const rule: LimitRule = { name: 'big', limit: 100, windowMs: 1000 };
    for (let i = 0; i < 100; i += 1) {
      expect(window.hit('k', rule).allowed).toBe(true);
      clock.advance(5);
    }
    expect(window.hit('k', rule).allowed).toBe(false);
    // Now t=1105: the window is (105, 1105], so the 22 hits made at t=0..105 have aged out, and only those.
    clock.advance(605);
    for (let i = 0; i < 22; i += 1) expect(window.hit('k', rule).allowed).toBe(true);
    expect(window.hit('k', rule).allowed).toBe(false);
    const high: LimitRule = { name: 'high', limit: 10_000_000, windowMs: 60_000 };
    const started = performance.now();
    for (let i = 0; i < 50_000; i += 1) {
      window.hit('flood', high);
      clock.advance(1);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('keeps at most maxKeys keys, dropping the least recently used', () => {
    const window = new MemoryWindow(new ManualClock(), 3);
    const rule: LimitRule = { name: 't', limit: 1, windowMs: 60_000 };
    for (const key of ['a', 'b', 'c', 'd']) window.hit(key, rule);
    expect(window.size).toBe(3);
    // 'a' was dropped, so it has a fresh budget; 'd' has not.
    expect(window.hit('a', rule).allowed).toBe(true);
    expect(window.hit('d', rule).allowed).toBe(false);
  });
});

describe('RateLimiter on Redis', () => {
  let redis: Redis;
  const prefix = `pipdesk-test:${unique()}:`;

  beforeAll(async () => {
    redis = fastRedis(REDIS_URL);
    await onceReady(redis);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('allows exactly the limit under concurrency and reports the wait', async () => {
    const limiter = new RateLimiter(redis, prefix, new ManualClock(), silent);
    const rule: LimitRule = { name: 'burst', limit: 5, windowMs: 2_000 };
    const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(rule, 'same-key')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    const refused = decisions.find((d) => !d.allowed);
    expect(refused?.retryAfterMs).toBeGreaterThan(1_500);
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(limiter.backend).toBe('redis');
    // Only allowed hits are stored, and keys hold no raw identifiers.
    const keys = await redis.keys(`${prefix}rl:burst:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('same-key');
    expect(await redis.zcard(keys[0] ?? '')).toBe(5);
    expect(await redis.pttl(keys[0] ?? '')).toBeGreaterThan(0);
  });

  it('shares one window between instances (two limiters, one Redis)', async () => {
    const other = fastRedis(REDIS_URL);
    await onceReady(other);
    const a = new RateLimiter(redis, prefix, new ManualClock(), silent);
    const b = new RateLimiter(other, prefix, new ManualClock(), silent);
    const rule: LimitRule = { name: 'shared', limit: 4, windowMs: 10_000 };
    const results = await Promise.all([
      a.hit(rule, 'k'),
      b.hit(rule, 'k'),
      a.hit(rule, 'k'),
      b.hit(rule, 'k'),
      a.hit(rule, 'k'),
    ]);
    expect(results.filter((r) => r.allowed)).toHaveLength(4);
    await other.quit();
  });

  it('reads other keys in the same round trip as a hit, allowed or refused', async () => {
    const limiter = new RateLimiter(redis, prefix, new ManualClock(), silent);
    const rule: LimitRule = { name: 'carry', limit: 1, windowMs: 10_000 };
    await redis.set(`${prefix}carried`, 'value');
    const first = await limiter.hitAndRead(rule, 'k', [`${prefix}carried`, `${prefix}absent`]);
    expect(first).toEqual({
      decision: { allowed: true, remaining: 0, retryAfterMs: 0 },
      values: ['value', null],
    });
    const second = await limiter.hitAndRead(rule, 'k', [`${prefix}carried`]);
    expect(second.decision.allowed).toBe(false);
    expect(second.values).toEqual(['value']);
    // A missing key keeps its place (Lua reads it as false; the values are not compacted).
    const third = await limiter.hitAndRead(rule, 'k', [`${prefix}absent`, `${prefix}carried`]);
    expect(third.values).toEqual([null, 'value']);
    // Nothing asked, nothing read.
    expect((await limiter.hitAndRead(rule, 'other', [])).values).toBeNull();
  });

  it('slides with Redis time: capacity returns as old hits age out', async () => {
    const limiter = new RateLimiter(redis, prefix, new ManualClock(), silent);
    const rule: LimitRule = { name: 'slide', limit: 2, windowMs: 300 };
    expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
    expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
    const refused = await limiter.hit(rule, 'k');
    expect(refused.allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 20));
    expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
  });
});

describe('RateLimiter fail-over', () => {
  const spare = { server: undefined as SpareRedis | undefined };

  beforeAll(async () => {
    spare.server = new SpareRedis(await freePort());
    await spare.server.start();
  });
  afterAll(async () => {
    await spare.server?.stop();
  });

  it('falls back to memory at once when Redis dies, keeps limiting, and returns when it is back', async () => {
    const server = spare.server;
    if (server === undefined) throw new Error('no spare redis');
    const redis = fastRedis(server.url);
    await onceReady(redis);
    const warnings: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => warnings.push(line) });
    const limiter = new RateLimiter(redis, `t:${unique()}:`, new ManualClock(), log);
    const rule: LimitRule = { name: 'fo', limit: 3, windowMs: 60_000 };
    expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
    expect(limiter.backend).toBe('redis');

    const closed = new Promise((resolve) => redis.once('close', resolve));
    await server.stop();
    await closed;
    const started = performance.now();
    const during = [await limiter.hit(rule, 'k'), await limiter.hit(rule, 'k'), await limiter.hit(rule, 'k')];
    expect(performance.now() - started).toBeLessThan(200);
    expect(during.map((d) => d.allowed)).toEqual([true, true, true]);
    // A read carried by the hit fails with it: no values, and the decision still comes from memory.
    const carried = await limiter.hitAndRead(rule, 'k', ['some-key']);
    expect(carried.decision.allowed).toBe(false);
    expect(carried.values).toBeNull();
    expect((await limiter.hit(rule, 'k')).allowed).toBe(false);
    expect(limiter.backend).toBe('memory');
    expect(warnings.some((w) => w.includes('Redis unreachable'))).toBe(true);

    await server.start();
    await onceReady(redis);
    expect(limiter.backend).toBe('redis');
    expect(warnings.some((w) => w.includes('Redis is back'))).toBe(true);
    // Redis restarted empty (no persistence): counting starts again from what Redis holds.
    expect((await limiter.hit(rule, 'k')).allowed).toBe(true);
    redis.disconnect();
  });
});
