import { afterEach, describe, expect, it } from 'vitest';
import { ipcChannels } from '../../../src-core/contracts/ipc';
import { startHarness, type Harness } from '../../../src-bridge/test/harness';
import { chartIpcHandlers, createChartBars } from './chart-bars';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function harness(): Promise<Harness> {
  const h = await startHarness({
    sim: { symbols: ['EURUSD', 'XAUUSD'], clock: { now: () => Date.UTC(2026, 2, 4, 10, 0, 30) } },
  });
  cleanups.push(() => h.close());
  return h;
}

describe('chart bars over the bridge (a real simulator on a real socket)', () => {
  it('pages past the protocol maximum and answers one gap-free, increasing series', async () => {
    const h = await harness();
    const handlers = chartIpcHandlers(createChartBars({ server: h.server, activeKey: () => h.session.key }));
    const r = await handlers['chart:get-bars']({ symbol: 'EURUSD', timeframe: 'M5', count: 7_500 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.bars).toHaveLength(7_500);
    expect(r.value.bars.at(-1)?.timeMs).toBe(Date.UTC(2026, 2, 4, 10, 0));
    for (let i = 1; i < r.value.bars.length; i += 1) {
      expect(r.value.bars[i]?.timeMs).toBeGreaterThan(r.value.bars[i - 1]?.timeMs ?? Infinity);
    }
    const direct = await h.session.request('rates', { symbol: 'EURUSD', timeframe: 'M5', count: 5_000 });
    if (!direct.ok) throw new Error(direct.error.message);
    expect(r.value.bars.slice(-5_000).map((b) => b.timeMs)).toEqual(direct.value.rates.map((row) => row[0]));
  });

  it('stops at the start of the history instead of asking forever', async () => {
    const h = await harness();
    const chart = createChartBars({ server: h.server, activeKey: () => h.session.key });
    const r = await chart.bars('XAUUSD', 'MN1', 10_000);
    if (!r.ok) throw new Error(r.error.message);
    // Synthetic history reaches back to 1990 at most: about 36 years of months, not 10,000.
    expect(r.value.bars.length).toBeGreaterThan(400);
    expect(r.value.bars.length).toBeLessThan(500);
  });

  it('says why when there is no terminal or the symbol is unknown', async () => {
    const h = await harness();
    const none = createChartBars({ server: h.server, activeKey: () => undefined });
    expect(await none.bars('EURUSD', 'H1', 10)).toMatchObject({
      ok: false,
      error: { code: 'NOT_CONNECTED' },
    });
    const chart = createChartBars({ server: h.server, activeKey: () => h.session.key });
    expect(await chart.bars('NOPE', 'H1', 10)).toMatchObject({
      ok: false,
      error: { code: 'SYMBOL_NOT_FOUND' },
    });
  });

  it('refuses bad requests at the IPC boundary', () => {
    const schema = ipcChannels['chart:get-bars'].request;
    expect(schema.safeParse({ symbol: 'EURUSD', timeframe: 'H1' }).success).toBe(true);
    expect(schema.safeParse({ symbol: 'EURUSD', timeframe: 'H1', count: 10_001 }).success).toBe(false);
    expect(schema.safeParse({ symbol: 'EURUSD', timeframe: 'H1', count: 0 }).success).toBe(false);
    expect(schema.safeParse({ symbol: 'EURUSD', timeframe: 'H7' }).success).toBe(false);
    expect(schema.safeParse({ symbol: '', timeframe: 'H1' }).success).toBe(false);
    expect(schema.safeParse({ symbol: 'EURUSD', timeframe: 'H1', extra: 1 }).success).toBe(false);
  });
});
