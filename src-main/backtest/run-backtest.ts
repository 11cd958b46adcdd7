import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPrice, type Bar } from '../../src-core/chart/bars';
import type { ReplayTick } from '../../src-core/backtest/tick-file';
import type { ExecutionResult } from '../../src-core/contracts/orders';
import { silentLogger } from '../../src-core/logger';
import {
  downsampleEquity,
  sessionReport,
  type ClosedTrade,
  type EquityPoint,
  type SessionReport,
} from '../../src-core/report/report';
import { closedTradesFromDeals } from '../../src-core/backtest/trades-from-deals';
import { calculatePositionSize } from '../../src-core/trading/sizing';
import { normalizePrice } from '../../src-core/trading/numbers';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import { startBridgeServer } from '../../src-bridge/server/bridge-server';
import { startSimulator } from '../../src-bridge/simulator/simulator';
import type { SimAccountConfig } from '../../src-bridge/simulator/trade-server';
import { createTradingServices } from '../services/trading-services';
import type { Strategy, StrategyContext, StrategyPosition } from './strategy';

/** What {@link runBacktest} runs. */
export interface BacktestOptions {
  readonly strategy: Strategy;
  /**
   * M1 bars of `spec.name`, oldest first, times on the trade server's clock; each is played as four prices. Give
   * either bars or `ticks`.
   */
  readonly bars?: readonly Bar[];
  /**
   * Real ticks of the symbol (a tick file's, any symbol name: they are all played as `spec.name`), in time order:
   * each is one price, and M1 bars are built from their bids for `onBar`.
   */
  readonly ticks?: readonly ReplayTick[];
  /** The symbol as the broker profile (or the catalog) dresses it. */
  readonly spec: SymbolSpec;
  /** The account (a broker profile's, or the simulator's default) and its starting balance. */
  readonly account: Partial<SimAccountConfig> & { readonly balance: number };
  /** The server clock's offset from UTC, seconds (a profile's). */
  readonly timeOffsetSec?: number;
  /** Commission per lot per side in the account currency (a profile's; default 0), charged on every deal. */
  readonly commissionPerLotPerSide?: number;
  /** Spread in points added to each bar's bid prices where the bar has none (default: the symbol's typical one). */
  readonly spreadPoints?: number;
}

export interface BacktestResult {
  readonly report: SessionReport;
  readonly trades: readonly ClosedTrade[];
  /** The equity after each bar, at most 2,000 points (every drawdown kept). */
  readonly equity: readonly EquityPoint[];
  /** M1 bars played (given, or built from the ticks). */
  readonly bars: number;
  readonly ticks: number;
  readonly orders: number;
  readonly refusals: number;
  readonly seconds: number;
}

/** A bar's path through its prices: open, then the nearer extreme first, then close (as the replay does). */
function barPath(bar: Bar): readonly number[] {
  return bar.close >= bar.open
    ? [bar.open, bar.low, bar.high, bar.close]
    : [bar.open, bar.high, bar.low, bar.close];
}

/**
 * Replays bars (four prices each) or real ticks through the simulated terminal and lets the strategy trade them through the desktop's executor,
 * over a real pipe, with a journal in a temporary folder (removed afterwards). Open positions are closed at the
 * last price so every trade counts in the report. See docs/backtest.md.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const started = performance.now();
  const { spec, strategy } = options;
  if ((options.bars === undefined) === (options.ticks === undefined)) {
    throw new Error('runBacktest: give either bars or ticks');
  }
  const firstBar = options.bars?.[0];
  const firstTick = options.ticks?.[0];
  if (firstBar === undefined && firstTick === undefined) throw new Error('runBacktest: no bars or ticks');
  const first = {
    timeMs: firstBar?.timeMs ?? firstTick?.timeMs ?? 0,
    open: firstBar?.open ?? firstTick?.bid ?? 0,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-bt-'));
  const id = randomBytes(6).toString('hex');
  const path = process.platform === 'win32' ? `\\\\.\\pipe\\pipdesk-bt-${id}` : join(dataDir, 'bt.sock');
  const token = randomBytes(32).toString('hex');
  let nowMs = first.timeMs;
  const server = await startBridgeServer({ path, token });
  const sim = startSimulator({
    path,
    token,
    clock: { now: () => nowMs },
    ...(options.timeOffsetSec === undefined ? {} : { timeOffsetSec: options.timeOffsetSec }),
    account: { ...options.account },
    symbols: [spec],
    mids: { [spec.name]: first.open },
    tickMs: 0,
    historyBars: 0,
    reconnect: false,
    ...(options.commissionPerLotPerSide === undefined
      ? {}
      : { commissionPerLotPerSide: options.commissionPerLotPerSide }),
  });
  const services = createTradingServices({
    dataDir,
    bridge: server,
    logger: silentLogger,
    reconcileOnStart: false,
    // A backtest owns its account: the desktop's lot and position caps would only cut its trades short.
    executor: { reconcileAttempts: 1 },
  });
  let orders = 0;
  let refusals = 0;
  const riskPerLot = new Map<string, number>();
  const spread = (options.spreadPoints ?? spec.spreadPoints ?? 10) * spec.point;
  const bars: Bar[] = [];
  const equity: EquityPoint[] = [];
  let ticks = 0;
  try {
    await sim.waitForSession(10_000);
    const limits = services.settings.get().riskLimits;
    const set = services.settings.set({
      riskLimits: { ...limits, maxLotSize: Math.min(spec.volumeMax, 1_000), maxOpenPositions: 200 },
    });
    if (!set.ok) throw new Error(`runBacktest: ${set.error.message}`);
    const quote = (): { bid: number; ask: number } => sim.state.quote(spec.name) ?? { bid: 0, ask: 0 };
    const lossPerLot = (side: 'buy' | 'sell', entry: number, stop: number): number | undefined => {
      const account = sim.state.account();
      const r = calculatePositionSize({
        accountCurrency: account.currency,
        baseAmount: account.equity,
        risk: { mode: 'percent', value: 1 },
        side,
        entryPrice: entry,
        stopLoss: { mode: 'price', value: stop },
        leverage: account.leverage,
        spec,
      });
      return r.ok ? r.value.lossPerLot : undefined;
    };
    // Each strategy call is its own action: without a key, the executor would take the same order again within
    // its double-click window (wall-clock time, which a backtest crosses in microseconds) as a duplicate.
    let actions = 0;
    const requestKey = (): string => `bt-${String((actions += 1))}`;
    const counted = (r: ExecutionResult): ExecutionResult => {
      orders += 1;
      if (!r.ok) refusals += 1;
      return r;
    };
    const open = async (
      side: 'buy' | 'sell',
      volume: number,
      stops: { readonly sl?: number; readonly tp?: number } = {},
    ): Promise<ExecutionResult> => {
      const q = quote();
      const r = counted(
        await services.executor.openMarket({
          requestKey: requestKey(),
          symbol: spec.name,
          side,
          volume,
          ...(stops.sl === undefined ? {} : { sl: { price: stops.sl } }),
          ...(stops.tp === undefined ? {} : { tp: { price: stops.tp } }),
        }),
      );
      if (r.ok && r.position !== undefined && stops.sl !== undefined) {
        const loss = lossPerLot(side, side === 'buy' ? q.ask : q.bid, stops.sl);
        if (loss !== undefined) riskPerLot.set(r.position, loss);
      }
      return r;
    };
    const ctx: StrategyContext = {
      symbol: spec.name,
      spec,
      bars,
      get bid() {
        return quote().bid;
      },
      get ask() {
        return quote().ask;
      },
      account: () => sim.state.account(),
      positions: () =>
        sim.state.positions().map((p): StrategyPosition => ({
          ticket: p.ticket,
          side: p.type === 0 ? 'buy' : 'sell',
          volume: p.volume,
          priceOpen: p.priceOpen,
          sl: p.sl,
          tp: p.tp,
        })),
      sizeForRisk: (side, stopPrice, riskPercent) => {
        const account = sim.state.account();
        const q = quote();
        const r = calculatePositionSize({
          accountCurrency: account.currency,
          baseAmount: account.equity,
          baseKind: 'equity',
          risk: { mode: 'percent', value: riskPercent },
          side,
          entryPrice: side === 'buy' ? q.ask : q.bid,
          stopLoss: { mode: 'price', value: stopPrice },
          leverage: account.leverage,
          maxLotSize: spec.volumeMax,
          spec,
        });
        return r.ok ? r.value.lotSize : 0;
      },
      buy: (volume, stops) => open('buy', volume, stops),
      sell: (volume, stops) => open('sell', volume, stops),
      modify: async (ticket, stops) =>
        counted(
          await services.executor.modifyPosition({
            requestKey: requestKey(),
            ticket,
            ...(stops.sl === undefined ? {} : { sl: { price: stops.sl } }),
            ...(stops.tp === undefined ? {} : { tp: { price: stops.tp } }),
          }),
        ),
      close: async (ticket, volume) =>
        counted(
          await services.executor.closePosition({
            requestKey: requestKey(),
            ticket,
            ...(volume === undefined ? {} : { volume }),
          }),
        ),
    };
    await strategy.onStart?.(ctx);
    const closeBar = async (bar: Bar): Promise<void> => {
      bars.push(bar);
      const pending = strategy.onBar(ctx);
      if (pending !== undefined) await pending;
      equity.push({ timeMs: bar.timeMs, equity: sim.state.account().equity });
    };
    for (const bar of options.bars ?? []) {
      const path = barPath(bar);
      for (let i = 0; i < path.length; i += 1) {
        // The four prices of a bar sit 15 s apart inside its minute, so deals and stops get distinct times.
        nowMs = bar.timeMs + i * 15_000;
        const bid = normalizePrice(path[i] ?? bar.close, spec.tickSize);
        const barSpread = bar.spread > 0 ? bar.spread * spec.point : spread;
        sim.setPrice(spec.name, bid, normalizePrice(bid + barSpread, spec.tickSize));
        ticks += 1;
      }
      await closeBar(bar);
    }
    if (options.ticks !== undefined) {
      // The bar being built: closed (onBar) by the first tick of a later minute, before that tick is played, so
      // the strategy's orders fill at the next real price as they do on bars.
      const forming: Bar[] = [];
      for (const tick of options.ticks) {
        const current = forming[0];
        if (current !== undefined && tick.timeMs - current.timeMs >= 60_000) {
          forming.length = 0;
          await closeBar(current);
        }
        nowMs = tick.timeMs;
        const bid = normalizePrice(tick.bid, spec.tickSize);
        const ask = Math.max(bid, normalizePrice(tick.ask, spec.tickSize));
        sim.setPrice(spec.name, bid, ask);
        ticks += 1;
        applyPrice(forming, 'M1', bid, tick.timeMs, Math.round((ask - bid) / spec.point));
        if (strategy.onTick !== undefined) {
          const pending = strategy.onTick(ctx);
          if (pending !== undefined) await pending;
        }
      }
      const last = forming[0];
      if (last !== undefined) await closeBar(last);
    }
    for (const p of sim.state.positions()) await ctx.close(p.ticket);
    const account = sim.state.account();
    const trades = closedTradesFromDeals(sim.state.deals(), riskPerLot, account.currencyDigits);
    const report = sessionReport({
      trades,
      equity: [...equity, { timeMs: nowMs, equity: account.equity }],
      startBalance: options.account.balance,
    });
    return {
      report,
      trades,
      equity: downsampleEquity(equity, 2_000),
      bars: bars.length,
      ticks,
      orders,
      refusals,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    services.close();
    await sim.stop();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
