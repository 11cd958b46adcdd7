import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, unique } from '../../test/helpers';
import type { AccessClaims } from './access-tokens';
import { SessionGate, type SessionRead } from './session-gate';

/**
 * The gate's reads carried by another round trip (the per-address limit's, app.ts): such a read decides only
 * for the session it was made for, and only when it succeeded. Cross-instance revocation through routes is
 * covered in cloud/test/session-cache.test.ts.
 */
describe('SessionGate with reads carried by another round trip (Redis)', () => {
  let redis: Redis;
  const prefix = `pipdesk-test:${unique()}:`;
  const live = { userId: 'u1', expiresAt: Number.MAX_SAFE_INTEGER, tokensValidAfter: 0 };
  const claims = (sid: string): AccessClaims => ({ sub: 'u1', sid, iat_ms: 1 });

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    await redis.set(`${prefix}sessions:generation`, 'g1');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  /** What the limiter's pipeline does with the pending read's keys. */
  async function carriedRead(gate: SessionGate, sessionId: string): Promise<SessionRead> {
    const pending = gate.beginRead(sessionId);
    if (pending === null) throw new Error('gate has no Redis');
    return pending.finish(await redis.mget(...pending.keys));
  }

  /** A gate that remembers `sessionId` as live, as after a database read. */
  async function gateRemembering(sessionId: string): Promise<SessionGate> {
    const gate = SessionGate.withRedis(redis, prefix);
    const first = await gate.check(claims(sessionId), 0);
    expect(first.verdict).toBeUndefined();
    gate.remember(sessionId, live, first.ticket);
    expect((await gate.check(claims(sessionId), 0)).verdict).toBe(true);
    return gate;
  }

  it('decides from a carried read: live while unmarked, refused once marked', async () => {
    const sid = unique();
    const gate = await gateRemembering(sid);
    expect((await gate.check(claims(sid), 0, await carriedRead(gate, sid))).verdict).toBe(true);
    await SessionGate.withRedis(redis, prefix).markRevoked([sid]);
    expect((await gate.check(claims(sid), 0, await carriedRead(gate, sid))).verdict).toBe(false);
  });

  it("does not use a read made for another session: the token's own mark is read", async () => {
    const sid = unique();
    const gate = await gateRemembering(sid);
    const otherRead = await carriedRead(gate, unique());
    await SessionGate.withRedis(redis, prefix).markRevoked([sid]);
    expect((await gate.check(claims(sid), 0, otherRead)).verdict).toBe(false);
  });

  it('does not trust a carried read that failed: reads Redis itself', async () => {
    const sid = unique();
    const gate = await gateRemembering(sid);
    const pending = gate.beginRead(sid);
    await SessionGate.withRedis(redis, prefix).markRevoked([sid]);
    expect((await gate.check(claims(sid), 0, pending?.finish(null) ?? null)).verdict).toBe(false);
  });

  it('has nothing to carry without Redis', () => {
    expect(SessionGate.disabled().beginRead('any')).toBeNull();
  });
});
