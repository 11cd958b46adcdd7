import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REDIS_URL, SpareRedis, unique } from '../../../test/helpers';
import { ApiError } from '../../errors';
import { ConnectionListCache, VERSION_TTL_MS, WRITING_TTL_MS, type ListRead } from './list-cache';

const silent = pino({ level: 'silent' });

const fastRedis = (url: string): Redis =>
  new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    commandTimeout: 500,
    retryStrategy: () => 50,
  });

const onceReady = (redis: Redis): Promise<void> =>
  redis.status === 'ready'
    ? Promise.resolve()
    : new Promise<void>((resolve) =>
        redis.once('ready', () => {
          resolve();
        }),
      );

/** The list version and in-flight count as a request reads them (the rate limit's script, without the limit). */
async function readFor(redis: Redis, cache: ConnectionListCache, userId: string): Promise<ListRead> {
  const pending = cache.beginRead(userId);
  if (pending === null) throw new Error('the cache reads nothing');
  return pending.finish(await redis.mget(...pending.keys));
}

/** Reads until the cache serves a body (at most three reads: start the version, remember, serve). */
async function served(
  redis: Redis,
  cache: ConnectionListCache,
  userId: string,
  body: string,
): Promise<string | null> {
  for (let i = 0; i < 3; i += 1) {
    const found = await cache.lookup(userId, await readFor(redis, cache, userId));
    if (found.body !== null) return found.body;
    cache.remember(found.ticket, body);
  }
  return (await cache.lookup(userId, await readFor(redis, cache, userId))).body;
}

describe('ConnectionListCache (real Redis)', () => {
  const prefix = `pipdesk-test:${unique()}:`;
  let redis: Redis;

  beforeAll(async () => {
    redis = fastRedis(REDIS_URL);
    await onceReady(redis);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('serves only under the version read before the database, and each change outdates it on every instance', async () => {
    const here = new ConnectionListCache(redis, prefix, true, silent);
    const there = new ConnectionListCache(redis, prefix, true, silent);
    const user = `user-${unique()}`;
    expect(await served(redis, there, user, '{"connections":[]}')).toBe('{"connections":[]}');
    await here.change(user, () => Promise.resolve());
    const after = await there.lookup(user, await readFor(redis, there, user));
    expect(after.body).toBeNull();
    expect(after.ticket).not.toBeNull();
    // The bracket is closed: nothing in flight, a version that expires.
    expect(await redis.get(`${prefix}connections:writing:${user}`)).toBeNull();
    const ttl = await redis.pttl(`${prefix}connections:version:${user}`);
    expect(ttl).toBeGreaterThan(VERSION_TTL_MS - 60_000);
  });

  it('refuses reads that prove nothing: another user, a failed round trip, a write in flight, an unreadable count', async () => {
    const cache = new ConnectionListCache(redis, prefix, true, silent);
    const user = `user-${unique()}`;
    expect(await served(redis, cache, user, '{"connections":[1]}')).toBe('{"connections":[1]}');
    const good = await readFor(redis, cache, user);
    const version = good.values?.[0] ?? null;
    for (const read of [
      { userId: `someone-else-${unique()}`, values: good.values },
      { userId: user, values: null },
      { userId: user, values: [version, '1'] },
      { userId: user, values: [version, 'not a number'] },
    ] satisfies ListRead[]) {
      expect((await cache.lookup(user, read)).body).toBeNull();
    }
    expect((await cache.lookup(user, null)).body).toBeNull();
    // A count of zero or less is no write in flight (the close script deletes it; a leftover is harmless).
    expect((await cache.lookup(user, { userId: user, values: [version, '0'] })).body).toBe(
      '{"connections":[1]}',
    );
    // No version (expired, or Redis emptied): nothing remembered can be trusted, even under the old version.
    expect((await cache.lookup(user, { userId: user, values: [null, null] })).body).toBeNull();
    expect((await cache.lookup(user, good)).body).toBeNull();
  });

  it('closes the bracket when the change fails, and does not remember while a write is in flight', async () => {
    const cache = new ConnectionListCache(redis, prefix, true, silent);
    const user = `user-${unique()}`;
    const failed = cache.change(user, async () => {
      const during = await cache.lookup(user, await readFor(redis, cache, user));
      expect(during).toEqual({ body: null, ticket: null });
      expect(Number(await redis.get(`${prefix}connections:writing:${user}`))).toBe(1);
      const ttl = await redis.pttl(`${prefix}connections:writing:${user}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(WRITING_TTL_MS);
      throw new Error('the database refused');
    });
    await expect(failed).rejects.toThrow('the database refused');
    expect(await redis.get(`${prefix}connections:writing:${user}`)).toBeNull();
  });

  it('counts concurrent writers: the first to finish does not let the other’s window be remembered', async () => {
    const cache = new ConnectionListCache(redis, prefix, true, silent);
    const user = `user-${unique()}`;
    let release: () => void = () => undefined;
    const slow = cache.change(user, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cache.change(user, () => Promise.resolve());
    expect((await cache.lookup(user, await readFor(redis, cache, user))).ticket).toBeNull();
    release();
    await slow;
    expect((await cache.lookup(user, await readFor(redis, cache, user))).ticket).not.toBeNull();
  });

  it('remembers nothing when switched off, yet still brackets changes for the instances that do', async () => {
    const off = new ConnectionListCache(redis, prefix, false, silent);
    const on = new ConnectionListCache(redis, prefix, true, silent);
    const user = `user-${unique()}`;
    expect(off.beginRead(user)).toBeNull();
    expect(await served(redis, on, user, '{"connections":[]}')).toBe('{"connections":[]}');
    await off.change(user, () => Promise.resolve());
    expect((await on.lookup(user, await readFor(redis, on, user))).body).toBeNull();
    expect(new ConnectionListCache(undefined, prefix, true, silent).beginRead(user)).toBeNull();
  });

  it('does not keep an answer too large to be worth its memory', async () => {
    const cache = new ConnectionListCache(redis, prefix, true, silent);
    const user = `user-${unique()}`;
    expect(await served(redis, cache, user, 'x'.repeat(300 * 1024))).toBeNull();
    expect(cache.size).toBe(0);
  });

  describe('with its Redis stopped', () => {
    let spare: SpareRedis;
    let spareClient: Redis;

    beforeAll(async () => {
      spare = new SpareRedis(await freePort());
      await spare.start();
      spareClient = fastRedis(spare.url);
      spareClient.on('error', () => undefined); // stopped on purpose below
      await onceReady(spareClient);
    });

    afterAll(async () => {
      spareClient.disconnect();
      await spare.stop();
    });

    it('refuses a change it cannot bracket (503, the change never runs)', async () => {
      const cache = new ConnectionListCache(spareClient, prefix, true, silent);
      await spare.stop();
      let isRun = false;
      const refused = await cache
        .change('user', () => {
          isRun = true;
          return Promise.resolve();
        })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ApiError);
      expect((refused as ApiError).statusCode).toBe(503);
      expect(isRun).toBe(false);
      await spare.start();
      await onceReady(spareClient);
    });

    it('answers the change that committed when Redis goes before the bracket closes, and says so in the log', async () => {
      const lines: string[] = [];
      const log = pino(
        { level: 'warn' },
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            lines.push(chunk.toString());
            callback();
          },
        }),
      );
      const cache = new ConnectionListCache(spareClient, prefix, true, log);
      const user = `user-${unique()}`;
      expect(
        await cache.change(user, async () => {
          await spare.stop();
          return 'committed';
        }),
      ).toBe('committed');
      expect(lines.join('')).toContain("closing a change's bracket failed");
      await spare.start();
      await onceReady(spareClient);
    });
  });
});
