import { afterEach, describe, expect, it } from 'vitest';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import { MAX_RATES_COUNT } from '../protocol/rates';
import { parseReplayCsv } from '../simulator/feed';
import { startHarness, type Harness } from './harness';

/**
 * `rates` end to end over a real socket: the app's session validates the request, the simulator answers it
 * from its bar history (synthetic before the first quote, then every quote it applied), and the app parses
 * the answer with the protocol schema.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

const START = Date.UTC(2026, 2, 4, 10, 0, 30); // Wednesday 10:00:30, trade server clock

function clock(start = START): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('rates (CopyRates) from the simulator', () => {
  it('serves count bars ending at the forming bar, oldest first, on bar boundaries', async () => {
    const c = clock();
    const h = await harness({ sim: { symbols: ['EURUSD'], clock: c, historyBars: 500 } });
    const r = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'M15', count: 100 });
    if (!r.ok) throw new Error(r.error.message);
    const rows = r.value.rates;
    expect(rows).toHaveLength(100);
    const last = rows.at(-1);
    expect(last?.[0]).toBe(Date.UTC(2026, 2, 4, 10, 0));
    for (const [time, open, high, low, close] of rows) {
      expect(time % (15 * 60_000)).toBe(0);
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
      expect(low).toBeLessThanOrEqual(Math.min(open, close));
      expect(new Date(time).getUTCDay() % 6).not.toBe(0); // no Saturday or Sunday bars
    }
    // History is continuous into the live bar: the synthetic walk ends where the first quote opened.
    expect(rows.at(-2)?.[4]).toBe(last?.[1]);
  });

  it('pages back with startPos and answers the same bars again', async () => {
    const h = await harness({ sim: { symbols: ['EURUSD'], clock: clock(), historyBars: 300 } });
    const newest = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 50 });
    const older = await h.session.request('rates', {
      symbol: 'EURUSD',
      timeframe: 'H1',
      count: 50,
      startPos: 50,
    });
    const both = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 100 });
    if (!newest.ok || !older.ok || !both.ok) throw new Error('rates failed');
    expect([...older.value.rates, ...newest.value.rates]).toEqual(both.value.rates);
  });

  it('selects by time range, inclusive, and marks a truncated answer', async () => {
    const h = await harness({ sim: { symbols: ['EURUSD'], clock: clock(), historyBars: 6_000 } });
    const from = Date.UTC(2026, 2, 2, 0, 0);
    const to = Date.UTC(2026, 2, 3, 0, 0);
    const r = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'H1', fromMs: from, toMs: to });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.rates.map((row) => row[0])).toEqual(
      Array.from({ length: 25 }, (_, i) => from + i * 3_600_000),
    );
    expect(r.value.truncated).toBeUndefined();
    const wide = await h.session.request('rates', {
      symbol: 'EURUSD',
      timeframe: 'M1',
      fromMs: 0,
      toMs: START,
    });
    if (!wide.ok) throw new Error(wide.error.message);
    expect(wide.value.rates).toHaveLength(MAX_RATES_COUNT);
    expect(wide.value.truncated).toBe(true);
    expect(wide.value.rates.at(-1)?.[0]).toBe(Date.UTC(2026, 2, 4, 10, 0));
  });

  it('folds later quotes into the forming bar and opens the next bar on the boundary', async () => {
    const c = clock();
    const h = await harness({ sim: { symbols: ['EURUSD'], clock: c, historyBars: 10 } });
    c.advance(10_000);
    h.sim.setPrice('EURUSD', 1.05, 1.0501);
    c.advance(5_000);
    h.sim.setPrice('EURUSD', 1.2, 1.2001);
    c.advance(5_000);
    h.sim.setPrice('EURUSD', 1.19, 1.1901);
    c.advance(20_000); // 10:01:10: a new M1 bar
    h.sim.setPrice('EURUSD', 1.195, 1.1951);
    const r = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'M1', count: 2 });
    if (!r.ok) throw new Error(r.error.message);
    const [forming, next] = r.value.rates;
    expect(forming?.[0]).toBe(Date.UTC(2026, 2, 4, 10, 0));
    expect(forming?.[2]).toBe(1.2);
    expect(forming?.[3]).toBe(1.05);
    expect(forming?.[4]).toBe(1.19);
    expect(forming?.[5]).toBe(4); // the start-up quote and three more
    expect(next).toEqual([Date.UTC(2026, 2, 4, 10, 1), 1.195, 1.195, 1.195, 1.195, 1, 10]);
  });

  it('serves a replayed file’s bars exactly, W1 and MN1 included', async () => {
    const eurusd = findCatalogSymbol('EURUSD');
    if (eurusd === undefined) throw new Error('catalog');
    const csv = [
      'time,symbol,open,high,low,close',
      '2026-01-30T23:00:00Z,EURUSD,1.1000,1.1010,1.0990,1.1005',
      '2026-02-02T00:00:00Z,EURUSD,1.1005,1.1040,1.1001,1.1030',
      '2026-02-06T12:00:00Z,EURUSD,1.1030,1.1032,1.0950,1.0960',
    ].join('\n');
    const replay = parseReplayCsv(csv, new Map([['EURUSD', eurusd]]));
    if (!replay.ok) throw new Error(replay.error.message);
    const h = await harness({ sim: { symbols: ['EURUSD'], replay: replay.value, replayMs: 0 } });
    for (let i = 0; i < replay.value.length; i += 1) h.sim.step();
    const h1 = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 10 });
    const w1 = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'W1', count: 10 });
    const mn1 = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'MN1', count: 10 });
    if (!h1.ok || !w1.ok || !mn1.ok) throw new Error('rates failed');
    expect(h1.value.rates.map((r) => r.slice(0, 5))).toEqual([
      [Date.parse('2026-01-30T23:00:00Z'), 1.1, 1.101, 1.099, 1.1005],
      [Date.parse('2026-02-02T00:00:00Z'), 1.1005, 1.104, 1.1001, 1.103],
      [Date.parse('2026-02-06T12:00:00Z'), 1.103, 1.1032, 1.095, 1.096],
    ]);
    // Friday 30 January is in the week of Sunday 25 January; the others in the week of Sunday 1 February.
    expect(w1.value.rates.map((r) => r.slice(0, 5))).toEqual([
      [Date.parse('2026-01-25T00:00:00Z'), 1.1, 1.101, 1.099, 1.1005],
      [Date.parse('2026-02-01T00:00:00Z'), 1.1005, 1.104, 1.095, 1.096],
    ]);
    expect(mn1.value.rates.map((r) => r.slice(0, 5))).toEqual([
      [Date.parse('2026-01-01T00:00:00Z'), 1.1, 1.101, 1.099, 1.1005],
      [Date.parse('2026-02-01T00:00:00Z'), 1.1005, 1.104, 1.095, 1.096],
    ]);
  });

  it('answers UNKNOWN_SYMBOL for a symbol the broker does not offer', async () => {
    const h = await harness({ sim: { symbols: ['EURUSD'] } });
    const r = await h.session.request('rates', { symbol: 'NOPE', timeframe: 'H1', count: 10 });
    expect(r).toMatchObject({ ok: false, error: { code: 'EA_ERROR', eaCode: 'UNKNOWN_SYMBOL' } });
  });

  it('refuses, before sending, a count above the bound, a mixed form and an unknown timeframe', async () => {
    const h = await harness({ sim: { symbols: ['EURUSD'] } });
    const tooMany = await h.session.request('rates', {
      symbol: 'EURUSD',
      timeframe: 'H1',
      count: MAX_RATES_COUNT + 1,
    });
    const mixed = await h.session.request('rates', {
      symbol: 'EURUSD',
      timeframe: 'H1',
      count: 10,
      fromMs: 0,
      toMs: 1,
    });
    const backwards = await h.session.request('rates', {
      symbol: 'EURUSD',
      timeframe: 'H1',
      fromMs: 2,
      toMs: 1,
    });
    const badTf = await h.session.request('rates', {
      symbol: 'EURUSD',
      timeframe: 'H5' as 'H4',
      count: 10,
    });
    for (const r of [tooMany, mixed, backwards, badTf]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    }
  });
});
