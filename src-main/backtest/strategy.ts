import type { Bar } from '../../src-core/chart/bars';
import type { ExecutionResult } from '../../src-core/contracts/orders';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';

/** An open position as a strategy sees it (the simulated terminal's own list). */
export interface StrategyPosition {
  readonly ticket: string;
  readonly side: 'buy' | 'sell';
  readonly volume: number;
  readonly priceOpen: number;
  readonly sl: number;
  readonly tp: number;
}

/**
 * What a strategy may read and do on each bar. Orders go through the desktop's own executor (validation, risk
 * limits, journal) to the simulated terminal over the pipe, exactly as the trader's clicks do; reads come from the
 * simulated terminal directly, because a backtest reads them every bar. See docs/backtest.md.
 */
export interface StrategyContext {
  readonly symbol: string;
  readonly spec: SymbolSpec;
  /** Closed M1 bars so far, oldest first (the current one is the last). */
  readonly bars: readonly Bar[];
  readonly bid: number;
  readonly ask: number;
  account(): { readonly balance: number; readonly equity: number; readonly currency: string };
  positions(): readonly StrategyPosition[];
  /**
   * Lots that risk `riskPercent` of equity if the stop at `stopPrice` is hit (the core's sizing, rounded down to
   * the volume step); 0 when even the minimum volume would risk more.
   */
  sizeForRisk(side: 'buy' | 'sell', stopPrice: number, riskPercent: number): number;
  buy(volume: number, stops?: { readonly sl?: number; readonly tp?: number }): Promise<ExecutionResult>;
  sell(volume: number, stops?: { readonly sl?: number; readonly tp?: number }): Promise<ExecutionResult>;
  modify(ticket: string, stops: { readonly sl?: number; readonly tp?: number }): Promise<ExecutionResult>;
  close(ticket: string, volume?: number): Promise<ExecutionResult>;
}

/**
 * A strategy module's default-free export: `export const strategy: Strategy = { … }`. `onBar` runs after each M1
 * bar closes; returning a promise makes the backtest wait for it (its orders fill at the next price). On a tick
 * file, `onTick` (optional) runs after every tick is played, and the M1 bars `onBar` sees are built from the
 * ticks' bids (docs/backtest.md, "Strategy modules").
 */
export interface Strategy {
  readonly name: string;
  onStart?(ctx: StrategyContext): void | Promise<void>;
  onBar(ctx: StrategyContext): void | Promise<void>;
  /**
   * After each tick of a tick file (`ctx.bid`/`ctx.ask` are that tick; `ctx.bars` holds the closed bars, not the
   * one forming). Not called on bar files, whose four prices a bar are not real ticks.
   */
  onTick?(ctx: StrategyContext): void | Promise<void>;
}
