// `npm run backtest -- --strategy examples/ma-cross.ts --data EURUSD_M1.csv`: runs a strategy module over M1 bars or
// real ticks through the simulated terminal and the desktop's executor, then writes report.html, trades.csv and
// equity.csv. See docs/backtest.md.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseBarFile } from '../src-core/backtest/bar-file';
import { findCatalogSymbol } from '../src-core/trading/catalog';
import { brokerSimOptions } from '../src-bridge/simulator/brokers/broker-profile';
import { BROKER_PROFILES, findBrokerProfile } from '../src-bridge/simulator/brokers/profiles';
import { syntheticM1Bars } from '../src-bridge/simulator/synthetic-bars';
import type { Bar } from '../src-core/chart/bars';
import type { ReplayTick } from '../src-core/backtest/tick-file';
import { loadReplayFile } from '../src-main/services/replay-file';
import { runBacktest } from '../src-main/backtest/run-backtest';
import { writeReportFiles } from '../src-main/backtest/report-files';
import type { Strategy } from '../src-main/backtest/strategy';

const HELP = `Usage: npm run backtest -- [options]
  --strategy FILE      a module exporting \`strategy\` (default examples/ma-cross.ts)
  --data FILE          MT5's tick or M1 bar export (Symbols → Ticks/Bars → Export), or Pipdesk's CSV:
                       time,symbol,bid,ask (ticks, e.g. a recording) or time,symbol,open,high,low,close
  --synthetic DAYS     instead of --data: seeded random M1 bars for DAYS days (default 30 without --data)
  --symbol NAME        the instrument (default EURUSD); a broker's suffix is added for you
  --broker ID          a broker profile: ${BROKER_PROFILES.map((p) => p.id).join(', ')}
  --balance AMOUNT     starting balance in the account currency (default 10000)
  --seed N             seed of --synthetic (default 1)
  --out DIR            where the report goes (default backtest-report)`;

function fail(message: string): never {
  console.error(`backtest: ${message}`);
  process.exit(2);
}

function isStrategy(value: unknown): value is Strategy {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['name'] === 'string' &&
    typeof v['onBar'] === 'function' &&
    (v['onTick'] === undefined || typeof v['onTick'] === 'function')
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      strategy: { type: 'string', default: 'examples/ma-cross.ts' },
      data: { type: 'string' },
      synthetic: { type: 'string' },
      symbol: { type: 'string', default: 'EURUSD' },
      broker: { type: 'string' },
      balance: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'backtest-report' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const balance = Number(values.balance);
  if (!Number.isFinite(balance) || balance <= 0 || balance > 1e12)
    fail('--balance must be a positive amount');
  const profile = values.broker === undefined ? undefined : findBrokerProfile(values.broker);
  if (values.broker !== undefined && profile === undefined) {
    fail(`--broker must be one of ${BROKER_PROFILES.map((p) => p.id).join(', ')}`);
  }
  const dressed = profile === undefined ? undefined : brokerSimOptions(profile);
  const name = values.symbol + (profile?.suffix ?? '');
  const spec = dressed === undefined ? findCatalogSymbol(name) : dressed.symbols.find((s) => s.name === name);
  if (spec === undefined)
    fail(`no symbol ${name}${profile === undefined ? ' in the catalog' : ` at ${profile.id}`}`);

  let bars: Bar[] | undefined;
  let ticks: readonly ReplayTick[] | undefined;
  if (values.data !== undefined) {
    // Any symbol name in the file is priced as the chosen instrument (a broker's suffix is not in exports).
    const loaded = await loadReplayFile(values.data, { symbol: values.symbol, pricing: () => spec });
    if (!loaded.ok) fail(`${values.data}: ${loaded.error.message}`);
    if (loaded.value.format === 'mt5-ticks' || loaded.value.format === 'csv-ticks') {
      ticks = loaded.value.ticks;
    } else {
      // A bar file is small: read again as bars, so the backtest plays each bar as the tester's four prices.
      const parsed = parseBarFile(await readFile(values.data, 'utf8'), values.symbol);
      if (!parsed.ok) fail(`${values.data}: ${parsed.error.message}`);
      bars = parsed.value;
    }
  } else {
    const days = Number(values.synthetic ?? '30');
    if (!Number.isFinite(days) || days <= 0 || days > 3_660)
      fail('--synthetic must be a number of days up to 3660');
    const endMs = Date.UTC(2026, 0, 1);
    bars = syntheticM1Bars({
      startMs: endMs - days * 86_400_000,
      endMs,
      startPrice: dressed?.mids[name] ?? 1.085,
      tickSize: spec.tickSize,
      seed: Number(values.seed),
    });
  }

  const mod = (await import(pathToFileURL(resolve(values.strategy)).href)) as Record<string, unknown>;
  const strategy = mod['strategy'];
  if (!isStrategy(strategy))
    fail(`${values.strategy} must export \`strategy\` with a name, an onBar function and optionally onTick`);

  console.log(
    `backtest: ${strategy.name} on ${name}, ${ticks === undefined ? `${String(bars?.length ?? 0)} M1 bars` : `${String(ticks.length)} ticks`}${profile ? ` at ${profile.id}` : ''}`,
  );
  const result = await runBacktest({
    strategy,
    ...(ticks === undefined ? { bars: bars ?? [] } : { ticks }),
    spec,
    account: { ...dressed?.account, balance },
    ...(dressed === undefined
      ? {}
      : { timeOffsetSec: dressed.timeOffsetSec, commissionPerLotPerSide: dressed.commissionPerLotPerSide }),
  });
  const currency = dressed?.account.currency ?? 'USD';
  const files = writeReportFiles(values.out, {
    title: `${strategy.name} — ${name}`,
    subtitle: `Backtest over ${String(result.bars)} M1 bars`,
    currency,
    report: result.report,
    equity: result.equity,
    trades: result.trades,
  });
  const r = result.report;
  console.log(
    `${String(r.trades)} trades, net ${r.netProfit.toFixed(2)} ${currency}, win rate ${r.winRate === null ? '—' : `${(r.winRate * 100).toFixed(1)} %`}, profit factor ${r.profitFactor?.toFixed(2) ?? '—'}, max drawdown ${r.maxDrawdownPercent.toFixed(2)} %`,
  );
  console.log(
    `${String(result.ticks)} prices, ${String(result.bars)} M1 bars, ${String(result.orders)} orders (${String(result.refusals)} refused) in ${result.seconds.toFixed(2)} s`,
  );
  console.log(`report: ${files.html}\ntrades: ${files.trades}\nequity: ${files.equity}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
