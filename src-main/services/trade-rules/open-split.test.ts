import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenSplitOrder } from '../../../src-core/contracts/ipc-trade-rules';
import { ok } from '../../../src-core/result';
import { findCatalogSymbol } from '../../../src-core/trading/catalog';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { startSimSetup, type SimSetup } from '../testing/sim-setup';
import { openSplit, type OpenSplitDeps } from './open-split';

const EURUSD = findCatalogSymbol('EURUSD') as SymbolSpec;

describe('openSplit (executor + simulator over the real socket)', () => {
  let s: SimSetup;
  let deps: OpenSplitDeps;

  beforeEach(async () => {
    s = await startSimSetup({ sim: { mids: { EURUSD: 1.1 } } });
    deps = {
      spec: () => Promise.resolve(ok(EURUSD)),
      checkTradeRisk: (input) => s.services.executor.checkTradeRisk(input),
      openMarket: (input) => s.services.executor.openMarket(input),
    };
  });
  afterEach(async () => {
    await s.close();
  });

  it('opens one journalled order per part, each with its own client order id and TP, volumes on the step', async () => {
    const r = await openSplit(deps, {
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.07,
      sl: { pips: 30 },
      parts: [
        { percent: 50, tp: { pips: 20 } },
        { percent: 30, tp: { pips: 40 } },
        { percent: 20, tp: { pips: 60 } },
      ],
      requestKey: 'split-test',
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.isComplete).toBe(true);
    expect(r.value.message).toBe('Opened all 3 parts (0.07 lots).');
    expect(r.value.parts.map((p) => p.volume)).toEqual([0.04, 0.02, 0.01]);
    const positions = s.harness.sim.state.positions('EURUSD');
    expect(positions).toHaveLength(3);
    const byVolume = [...positions].sort((a, b) => b.volume - a.volume);
    const opens = byVolume.map((p) => p.priceOpen);
    expect(byVolume.map((p) => Math.round((p.tp - (opens[0] ?? 0)) / 0.0001))).toEqual([20, 40, 60]);
    expect(new Set(byVolume.map((p) => p.sl)).size).toBe(1);
    const ids = r.value.parts.map((p) => p.success?.clientOrderId);
    expect(new Set(ids).size).toBe(3);
    const journal = s.services.journal.query({ operation: 'open_market', limit: 10 });
    expect(journal.entries.map((e) => e.clientOrderId).sort()).toEqual([...ids].sort());
    expect(journal.entries.every((e) => e.state === 'done')).toBe(true);

    // The same click again (same request key) opens nothing more.
    const again = await openSplit(deps, {
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.07,
      sl: { pips: 30 },
      parts: [
        { percent: 50, tp: { pips: 20 } },
        { percent: 30, tp: { pips: 40 } },
        { percent: 20, tp: { pips: 60 } },
      ],
      requestKey: 'split-test',
    });
    expect(again.ok).toBe(true);
    expect(s.harness.sim.state.positions('EURUSD')).toHaveLength(3);
  });

  it('says which parts opened when one is refused, and sends none after it', async () => {
    const set = s.services.settings.set({ riskLimits: { maxOpenPositions: 2 } });
    expect(set.ok).toBe(true);
    const r = await openSplit(deps, {
      symbol: 'EURUSD',
      side: 'sell',
      volume: 0.4,
      parts: [
        { percent: 25, tp: { pips: 10 } },
        { percent: 25, tp: { pips: 20 } },
        { percent: 25, tp: { pips: 30 } },
        { percent: 25, tp: { pips: 40 } },
      ],
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.isComplete).toBe(false);
    expect(r.value.parts.map((p) => p.status)).toEqual(['opened', 'opened', 'refused', 'not_sent']);
    expect(r.value.message).toMatch(
      /^Opened 2 of 4 parts \(0\.20 of 0\.40 lots\)\. Part 3 was refused: .+ Not sent: part 4\.$/,
    );
    expect(s.harness.sim.state.positions('EURUSD')).toHaveLength(2);
    // The refused part is journalled too, with its reason.
    const journal = s.services.journal.query({ operation: 'open_market', limit: 10 });
    expect(journal.entries.filter((e) => e.state === 'rejected')).toHaveLength(1);
  });

  it("checks the whole trade's risk against the max risk before sending any part, not each part alone", async () => {
    // 1 % of the simulator's 10,000 USD equity is 100 USD. EURUSD: 10 USD a pip per lot, so a 30-pip stop on each
    // 0.30-lot half risks 90 USD: each part is within the limit, the two together (180) are not.
    expect(s.services.settings.set({ riskLimits: { maxRiskPercent: 1 } }).ok).toBe(true);
    const order: OpenSplitOrder = {
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.6,
      sl: { pips: 30 },
      parts: [
        { percent: 50, tp: { pips: 20 } },
        { percent: 50, tp: { pips: 40 } },
      ],
    };
    const half = { symbol: 'EURUSD', side: 'buy', volume: 0.3, sl: { pips: 30 } } as const;
    expect((await s.services.executor.checkTradeRisk(half)).ok).toBe(true);
    const r = await openSplit(deps, order);
    expect(r.ok ? null : r.error).toMatchObject({
      code: 'MAX_RISK_PER_TRADE_EXCEEDED',
      details: { limit: 'maxRiskPerTrade', value: 180, max: 100, maxPercent: 1, excess: 80 },
    });
    expect(r.ok ? '' : r.error.message).toMatch(
      /^All 2 parts together \(0\.60 lots\): This trade risks 180\.00 USD .* Nothing was sent\.$/,
    );
    expect(s.harness.sim.state.positions()).toHaveLength(0);
    expect(s.services.journal.query({ limit: 10 }).entries).toHaveLength(0);

    // Within the limit as a whole (2 × 45 USD with a 15-pip stop), the same split opens both parts.
    const within = await openSplit(deps, { ...order, sl: { pips: 15 }, requestKey: 'within' });
    if (!within.ok) throw new Error(within.error.message);
    expect(within.value.isComplete).toBe(true);
    expect(s.harness.sim.state.positions()).toHaveLength(2);
  });

  it('refuses before sending anything when a part would be below the minimum volume', async () => {
    const r = await openSplit(deps, {
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.02,
      parts: [
        { percent: 50, tp: { pips: 20 } },
        { percent: 30, tp: { pips: 40 } },
        { percent: 20, tp: { pips: 60 } },
      ],
    });
    expect(r.ok ? null : r.error.code).toBe('VOLUME_BELOW_MIN');
    expect(s.harness.sim.state.positions()).toHaveLength(0);
    expect(s.services.journal.query({ limit: 10 }).entries).toHaveLength(0);
  });

  it('validates the request at the boundary: bad parts, NUL, 1e308, wrong types, huge lists', () => {
    const good = {
      symbol: 'EURUSD',
      side: 'buy',
      volume: 1,
      parts: [50, 50].map((p) => ({ percent: p, tp: { pips: 10 } })),
    };
    expect(OpenSplitOrder.safeParse(good).success).toBe(true);
    const bad: unknown[] = [
      { ...good, parts: [{ percent: 100, tp: { pips: 10 } }] },
      { ...good, parts: Array.from({ length: 11 }, () => ({ percent: 9, tp: { pips: 10 } })) },
      { ...good, parts: Array.from({ length: 100_000 }, () => ({ percent: 1, tp: { pips: 1 } })) },
      { ...good, symbol: 'EUR\u0000USD'.repeat(20) },
      { ...good, volume: 1e308 },
      { ...good, volume: '1' },
      { ...good, parts: [{ percent: 50, tp: { pips: 10, extra: { deep: { deeper: 1 } } } }, good.parts[1]] },
      { ...good, requestKey: 'k'.repeat(49) },
    ];
    for (const value of bad) expect(OpenSplitOrder.safeParse(value).success).toBe(false);
  });
});
