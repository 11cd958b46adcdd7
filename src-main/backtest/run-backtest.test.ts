import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src-core/chart/bars';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import { syntheticM1Bars } from '../../src-bridge/simulator/synthetic-bars';
import { brokerSimOptions } from '../../src-bridge/simulator/brokers/broker-profile';
import { findBrokerProfile } from '../../src-bridge/simulator/brokers/profiles';
import { syntheticTickFile } from '../../src-core/backtest/testing/synthetic-ticks';
import { loadReplayFile } from '../services/replay-file';
import { runBacktest } from './run-backtest';
import { writeReportFiles } from './report-files';
import type { Strategy } from './strategy';

const eurusd = findCatalogSymbol('EURUSD');
if (eurusd === undefined) throw new Error('catalog lacks EURUSD');

/** Buys on every 60th bar with a 20-pip stop and a 20-pip target, closing whatever is open first. */
const everyHour: Strategy = {
  name: 'every hour',
  async onBar(ctx) {
    if (ctx.bars.length % 60 !== 0) return;
    for (const p of ctx.positions()) await ctx.close(p.ticket);
    const sl = Number((ctx.ask - 0.002).toFixed(5));
    const volume = ctx.sizeForRisk('buy', sl, 0.5);
    await ctx.buy(volume, { sl, tp: Number((ctx.ask + 0.002).toFixed(5)) });
  },
};

describe('runBacktest', () => {
  it('trades through the executor and reports what the account really did', async () => {
    const bars = syntheticM1Bars({
      startMs: Date.UTC(2025, 5, 2),
      endMs: Date.UTC(2025, 5, 5),
      startPrice: 1.1,
      tickSize: 0.00001,
      seed: 3,
    });
    const result = await runBacktest({
      strategy: everyHour,
      bars,
      spec: eurusd,
      account: { balance: 10_000 },
    });
    expect(result.bars).toBe(bars.length);
    expect(result.ticks).toBe(bars.length * 4);
    expect(result.refusals).toBe(0);
    expect(result.report.trades).toBeGreaterThan(30);
    // Every trade closed (by stop, target or the strategy), so equity is the balance and the net is the trades'.
    const net = result.trades.reduce((sum, t) => sum + t.netProfit, 0);
    expect(result.report.endEquity - 10_000).toBeCloseTo(net, 6);
    expect(result.report.netProfit).toBeCloseTo(net, 2);
    // Sized to 0.5 % of equity to a 20-pip stop (plus the spread): about 1 R lost at most on any trade.
    for (const t of result.trades) {
      expect(t.initialRisk).not.toBeNull();
      expect(t.netProfit / (t.initialRisk ?? 1)).toBeGreaterThan(-1.2);
    }
  }, 60_000);

  it('keeps cent money in cents on a broker profile, and writes the report files', async () => {
    const profile = findBrokerProfile('exness-cent');
    if (profile === undefined) throw new Error('no exness-cent profile');
    const dressed = brokerSimOptions(profile);
    const spec = dressed.symbols.find((s) => s.name === 'EURUSDc');
    if (spec === undefined) throw new Error('no EURUSDc');
    const bars: Bar[] = syntheticM1Bars({
      startMs: Date.UTC(2025, 5, 2),
      endMs: Date.UTC(2025, 5, 3),
      startPrice: 1.1,
      tickSize: 0.00001,
    });
    const result = await runBacktest({
      strategy: everyHour,
      bars,
      spec,
      account: { ...dressed.account, balance: 100_000 },
    });
    // By hand: 0.5 % of 100,000 USC is 500 USC; a 20-pip stop on a 1,000-unit lot loses 2 USD = 200 USC a lot,
    // so 2.5 lots (a dollar account would read the same 100,000 as dollars and size 100 times larger).
    expect(result.trades[0]?.volume).toBe(2.5);
    const dir = mkdtempSync(join(tmpdir(), 'pipdesk-bt-report-'));
    try {
      const files = writeReportFiles(dir, { title: 'cent <test>', currency: 'USC', ...result });
      const html = readFileSync(files.html, 'utf8');
      expect(html).toContain('cent &lt;test&gt;');
      expect(html).toContain('USC');
      expect(html).toContain('<svg');
      const csv = readFileSync(files.trades, 'utf8').trim().split('\n');
      expect(csv).toHaveLength(result.trades.length + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('charges a commission profile on both sides of every trade', async () => {
    const profile = findBrokerProfile('exness-raw');
    if (profile === undefined) throw new Error('no exness-raw profile');
    const dressed = brokerSimOptions(profile);
    const spec = dressed.symbols.find((s) => s.name === 'EURUSDr');
    if (spec === undefined) throw new Error('no EURUSDr at exness-raw');
    const bars: Bar[] = syntheticM1Bars({
      startMs: Date.UTC(2025, 5, 2),
      endMs: Date.UTC(2025, 5, 2, 6),
      startPrice: 1.1,
      tickSize: 0.00001,
      seed: 5,
    });
    /** The same order each hour (the previous one closed first): the same trades whatever the commission. */
    const hourly: Strategy = {
      name: 'one lot hourly',
      async onBar(ctx) {
        if (ctx.bars.length % 60 !== 0) return;
        for (const p of ctx.positions()) await ctx.close(p.ticket);
        await ctx.buy(1);
      },
    };
    const run = (commissionPerLotPerSide: number) =>
      runBacktest({
        strategy: hourly,
        bars,
        spec,
        account: { ...dressed.account, balance: 10_000 },
        commissionPerLotPerSide,
      });
    const free = await run(0);
    const charged = await run(dressed.commissionPerLotPerSide);
    expect(charged.trades.length).toBeGreaterThan(3);
    expect(charged.trades.map((t) => t.closePrice)).toEqual(free.trades.map((t) => t.closePrice));
    // By hand: 1 lot × 3.50 USD on the way in and again on the way out is 7.00 USD a trade.
    charged.trades.forEach((t, i) => {
      expect(t.netProfit).toBeCloseTo((free.trades[i]?.netProfit ?? Number.NaN) - 7, 6);
    });
    expect(charged.report.endEquity).toBeCloseTo(free.report.endEquity - 7 * charged.trades.length, 6);
  }, 60_000);

  it("replays a tick file's real ticks, with onTick on each and onBar on M1 bars built from them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipdesk-bt-ticks-'));
    try {
      const generated = syntheticTickFile({ format: 'mt5', count: 3_000, startMs: Date.UTC(2025, 5, 2, 8) });
      const path = join(dir, 'EURUSD_ticks.csv');
      writeFileSync(path, generated.text);
      const loaded = await loadReplayFile(path, { symbol: 'EURUSD', pricing: () => eurusd });
      if (!loaded.ok) throw new Error(loaded.error.message);
      expect(loaded.value.ticks).toEqual(generated.ticks);
      const seen: { bid: number; ask: number; bars: number }[] = [];
      const barTimes: number[] = [];
      let entry: { ask: number; price?: number } | undefined;
      const tickTrader: Strategy = {
        name: 'on ticks',
        onBar(ctx) {
          barTimes.push(ctx.bars.at(-1)?.timeMs ?? -1);
        },
        async onTick(ctx) {
          seen.push({ bid: ctx.bid, ask: ctx.ask, bars: ctx.bars.length });
          if (seen.length !== 1_000) return;
          entry = { ask: ctx.ask };
          const r = await ctx.buy(0.1);
          if (r.ok) entry.price = ctx.positions()[0]?.priceOpen ?? Number.NaN;
        },
      };
      const result = await runBacktest({
        strategy: tickTrader,
        ticks: loaded.value.ticks,
        spec: eurusd,
        account: { balance: 10_000 },
      });
      expect(result.ticks).toBe(3_000);
      // onTick saw every tick's own prices, in order (not a bar's four-price path).
      expect(seen.map(({ bid, ask }) => ({ bid, ask }))).toEqual(
        generated.ticks.map(({ bid, ask }) => ({ bid, ask })),
      );
      // One bar per minute that had a tick, each closed once, in time order.
      const minutes = [...new Set(generated.ticks.map((t) => t.timeMs - (t.timeMs % 60_000)))];
      expect(barTimes).toEqual(minutes);
      expect(result.bars).toBe(minutes.length);
      expect(seen[2_999]?.bars).toBe(minutes.length - 1);
      // The market buy filled at the real ask of the tick it was sent on, through the executor.
      expect(entry?.price).toBe(entry?.ask);
      expect(result.orders).toBe(2);
      expect(result.report.trades).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to run without bars', async () => {
    await expect(
      runBacktest({ strategy: everyHour, bars: [], spec: eurusd, account: { balance: 1 } }),
    ).rejects.toThrow('no bars');
    await expect(
      runBacktest({ strategy: everyHour, bars: [], ticks: [], spec: eurusd, account: { balance: 1 } }),
    ).rejects.toThrow('either bars or ticks');
  });
});
