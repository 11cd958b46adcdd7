import { describe, expect, it } from 'vitest';
import { ok } from '../../src-core/result';
import { createMemoryLogger } from '../../src-core/logger';
import { createIpcDispatcher } from './dispatcher';
import { handlersWith } from './testing/test-handlers';

const via = { via: 'test' };

describe('IPC dispatcher', () => {
  it('validates, applies defaults and passes the parsed request to the handler', async () => {
    const seen: unknown[] = [];
    const d = createIpcDispatcher(
      handlersWith({
        'journal:query': (req) => {
          seen.push(req);
          return ok({ entries: [] });
        },
      }),
      createMemoryLogger(),
    );
    const res = await d.invoke('journal:query', { symbol: 'EURUSD' }, via);
    expect(res).toEqual({ ok: true, value: { entries: [] } });
    expect(seen).toEqual([{ symbol: 'EURUSD', limit: 50 }]);
  });

  it('answers BAD_REQUEST naming the field and the rule, without calling the handler', async () => {
    let calls = 0;
    const d = createIpcDispatcher(
      handlersWith({
        'margin:calc': () => {
          calls += 1;
          return ok({ margin: 1, currency: 'USD' });
        },
      }),
      createMemoryLogger(),
    );
    const res = await d.invoke('margin:calc', { symbol: 'EURUSD', side: 'long', volume: -1 }, via);
    expect(calls).toBe(0);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('BAD_REQUEST');
    expect(res.error.message).toContain('margin:calc');
    expect(res.error.message).toMatch(/side: /);
    expect(res.error.message).toMatch(/volume: Too small/);
  });

  it('refuses unknown fields, non-objects and missing requests where fields are required', async () => {
    const d = createIpcDispatcher(handlersWith({}), createMemoryLogger());
    const extra = await d.invoke('symbols:get-spec', { symbol: 'EURUSD', evil: true }, via);
    expect(!extra.ok && extra.error.code).toBe('BAD_REQUEST');
    expect(!extra.ok && extra.error.message).toContain('evil');
    const notObject = await d.invoke('orders:open-market', 'buy everything', via);
    expect(!notObject.ok && notObject.error.code).toBe('BAD_REQUEST');
    const missing = await d.invoke('symbols:get-spec', undefined, via);
    expect(!missing.ok && missing.error.message).toContain('symbol');
  });

  it('refuses channels that are not in the contract, including prototype names', async () => {
    const d = createIpcDispatcher(handlersWith({}), createMemoryLogger());
    for (const channel of ['orders:explode', '__proto__', 'constructor', 42, null]) {
      const res = await d.invoke(channel, {}, via);
      expect(!res.ok && res.error.code).toBe('UNKNOWN_CHANNEL');
    }
  });

  it('turns an exception into INTERNAL; the stack goes to the log only', async () => {
    const logger = createMemoryLogger();
    const d = createIpcDispatcher(
      handlersWith({
        'account:get-info': () => {
          throw new Error('secret detail at /home/user/db');
        },
        'positions:list': () => Promise.reject(new TypeError('async failure')),
      }),
      logger,
    );
    for (const channel of ['account:get-info', 'positions:list']) {
      const res = await d.invoke(channel, {}, via);
      expect(res.ok).toBe(false);
      if (res.ok) return;
      expect(res.error.code).toBe('INTERNAL');
      expect(JSON.stringify(res)).not.toMatch(/secret|async failure|at /);
    }
    const logged = logger.records.filter((r) => r.level === 'error');
    expect(logged).toHaveLength(2);
    expect(JSON.stringify(logged[0]?.fields)).toContain('secret detail');
    expect(JSON.stringify(logged[0]?.fields)).toContain('stack');
  });
});
