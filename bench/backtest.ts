import { runBacktest } from '../src-main/backtest/run-backtest';
import { startSimulator } from '../src-bridge/simulator/simulator';
import { syntheticM1Bars } from '../src-bridge/simulator/synthetic-bars';
import { TradeServer } from '../src-bridge/simulator/trade-server';
import { findCatalogSymbol } from '../src-core/trading/catalog';
import { strategy } from '../examples/ma-cross';
import { readReplayText } from '../src-core/backtest/replay-reader';
import { syntheticTickFile } from '../src-core/backtest/testing/synthetic-ticks';
import { check, note } from './_targets';

/**
 * Replay and backtest speed (docs/backtest.md).
 *
 * 1. Replay with no trading: one year of EURUSD M1 bars (four prices each) applied to the simulated terminal as a
 *    replay does (trade server, bar history, terminal), no app connected. Baseline in the same run: the same
 *    prices through the bare trade server (quote, triggers), the floor of any replay.
 * 2. A backtest of the same year with the example strategy (examples/ma-cross.ts) through the executor, the pipe
 *    and the simulator, timed from start to report (data generation excluded).
 * 3. A tick file: one million ticks in MT5's tick export format (one row in four with an empty ASK) read by the
 *    replay reader (the same code `npm run backtest -- --data` and the app's replay use), then replayed with no
 *    trading through the simulated terminal, each tick its own price (target as 1).
 */

const REPLAY_TARGET = 500_000;
const BACKTEST_TARGET_S = 10;

function line(label: string, value: string, target: string, pass: boolean | null): void {
  const verdict = pass === null ? '' : `  ${check(label.trim(), value, target, pass)}`;
  console.log(`${label.padEnd(46)} ${value.padStart(14)}   target ${target.padEnd(12)}${verdict}`);
}

export async function run(): Promise<void> {
  const spec = findCatalogSymbol('EURUSD');
  if (spec === undefined) throw new Error('catalog lacks EURUSD');
  const bars = syntheticM1Bars({
    startMs: Date.UTC(2025, 0, 1),
    endMs: Date.UTC(2026, 0, 1),
    startPrice: 1.085,
    tickSize: spec.tickSize,
  });
  const prices: number[] = [];
  for (const b of bars) prices.push(b.open, b.low, b.high, b.close);
  note(`one year of synthetic EURUSD M1: ${String(bars.length)} bars, ${String(prices.length)} prices`);

  let now = bars[0]?.timeMs ?? 0;
  const bare = new TradeServer({
    account: {
      login: '1',
      server: 'bench',
      currency: 'USD',
      leverage: 100,
      marginMode: 'hedging',
      balance: 10_000,
    },
    symbols: [spec],
    clock: { now: () => now },
    random: () => 0.5,
  });
  let started = performance.now();
  for (let i = 0; i < prices.length; i += 1) {
    now += 15_000;
    const bid = prices[i] ?? 1;
    bare.setQuote('EURUSD', bid, bid + 0.0001, now);
  }
  const bareRate = prices.length / ((performance.now() - started) / 1000);

  const sim = startSimulator({
    path: '/nonexistent/pipdesk-bench.sock',
    token: '0'.repeat(64),
    autoConnect: false,
    clock: { now: () => now },
    symbols: [spec],
    tickMs: 0,
    historyBars: 0,
    reconnect: false,
  });
  started = performance.now();
  for (let i = 0; i < prices.length; i += 1) {
    now += 15_000;
    const bid = prices[i] ?? 1;
    sim.setPrice('EURUSD', bid, bid + 0.0001);
  }
  const replayRate = prices.length / ((performance.now() - started) / 1000);
  await sim.stop();
  line(
    'replay, no trading (ticks/s)',
    replayRate.toFixed(0),
    `≥ ${String(REPLAY_TARGET)}`,
    replayRate >= REPLAY_TARGET,
  );
  line('  baseline: bare trade server (ticks/s)', bareRate.toFixed(0), '', null);
  console.log(`  replay / bare: ${(replayRate / bareRate).toFixed(2)}×`);

  const TICKS = 1_000_000;
  const file = syntheticTickFile({ format: 'mt5', count: TICKS, startMs: Date.UTC(2025, 0, 6) });
  started = performance.now();
  const read = readReplayText(file.text, { symbol: 'EURUSD', pricing: () => spec });
  const readRate = TICKS / ((performance.now() - started) / 1000);
  if (!read.ok) throw new Error(read.error.message);
  const tickSim = startSimulator({
    path: '/nonexistent/pipdesk-bench-ticks.sock',
    token: '0'.repeat(64),
    autoConnect: false,
    clock: { now: () => now },
    symbols: [spec],
    tickMs: 0,
    historyBars: 0,
    reconnect: false,
  });
  started = performance.now();
  for (const tick of read.value.ticks) {
    now = tick.timeMs;
    tickSim.setPrice('EURUSD', tick.bid, tick.ask);
  }
  const tickRate = read.value.ticks.length / ((performance.now() - started) / 1000);
  await tickSim.stop();
  note(
    `tick file: ${String(TICKS)} ticks in MT5's export format, ${(file.text.length / 1e6).toFixed(0)} MB of text`,
  );
  line(
    'tick-file replay, no trading (ticks/s)',
    tickRate.toFixed(0),
    `≥ ${String(REPLAY_TARGET)}`,
    tickRate >= REPLAY_TARGET,
  );
  line('  reading the tick file (ticks/s)', readRate.toFixed(0), '', null);

  const result = await runBacktest({ strategy, bars, spec, account: { balance: 10_000 } });
  line(
    'backtest, 1 year M1, example strategy (s)',
    result.seconds.toFixed(2),
    `≤ ${String(BACKTEST_TARGET_S)}`,
    result.seconds <= BACKTEST_TARGET_S,
  );
  console.log(
    `  ${String(result.report.trades)} trades, ${String(result.orders)} orders through the executor, ${(result.ticks / result.seconds).toFixed(0)} prices/s`,
  );
}
