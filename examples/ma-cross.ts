// An example strategy for `npm run backtest`: a moving-average cross on hourly closes, built from the M1 bars the
// backtest replays. Long when the fast average crosses above the slow one, short when below; each trade risks 1 %
// of equity to a stop 2 × ATR(14) of hourly bars away, sized by the core's position-size calculator. An opposite
// cross closes the open trade before reversing. See docs/backtest.md.
import { atrStopPrice, averageTrueRange } from '../src-core/chart/atr';
import type { Bar } from '../src-core/chart/bars';
import type { Strategy, StrategyContext } from '../src-main/backtest/strategy';

const FAST = 10;
const SLOW = 30;
const ATR_PERIOD = 14;
const ATR_MULTIPLIER = 2;
const RISK_PERCENT = 1;
const HOUR_MS = 3_600_000;

const hourly: Bar[] = [];
let previousDiff: number | undefined;

function mean(values: readonly Bar[], count: number): number {
  let sum = 0;
  for (let i = values.length - count; i < values.length; i += 1) sum += values[i]?.close ?? 0;
  return sum / count;
}

/** Folds an M1 bar into the hourly series; true when it closed an hour. */
function foldHour(bar: Bar): boolean {
  const hourStart = bar.timeMs - (bar.timeMs % HOUR_MS);
  const last = hourly.at(-1);
  if (last === undefined || last.timeMs !== hourStart) {
    hourly.push({ ...bar, timeMs: hourStart });
  } else {
    hourly[hourly.length - 1] = {
      ...last,
      high: Math.max(last.high, bar.high),
      low: Math.min(last.low, bar.low),
      close: bar.close,
      tickVolume: last.tickVolume + bar.tickVolume,
    };
  }
  return bar.timeMs + 60_000 - hourStart >= HOUR_MS;
}

async function enter(ctx: StrategyContext, side: 'buy' | 'sell'): Promise<void> {
  const atr = averageTrueRange(hourly, ATR_PERIOD);
  if (!atr.ok) return;
  const entry = side === 'buy' ? ctx.ask : ctx.bid;
  const stop = atrStopPrice({
    side,
    entry,
    atr: atr.value,
    multiplier: ATR_MULTIPLIER,
    tickSize: ctx.spec.tickSize,
  });
  if (!stop.ok) return;
  const volume = ctx.sizeForRisk(side, stop.value, RISK_PERCENT);
  if (volume <= 0) return;
  await (side === 'buy' ? ctx.buy(volume, { sl: stop.value }) : ctx.sell(volume, { sl: stop.value }));
}

export const strategy: Strategy = {
  name: `MA cross ${String(FAST)}/${String(SLOW)} (H1), 1 % risk, 2×ATR(14) stop`,
  onStart() {
    hourly.length = 0;
    previousDiff = undefined;
  },
  async onBar(ctx) {
    const bar = ctx.bars.at(-1);
    if (bar === undefined || !foldHour(bar) || hourly.length < SLOW) return;
    const diff = mean(hourly, FAST) - mean(hourly, SLOW);
    const before = previousDiff;
    previousDiff = diff;
    if (before === undefined || Math.sign(diff) === Math.sign(before) || diff === 0) return;
    const side = diff > 0 ? 'buy' : 'sell';
    for (const p of ctx.positions()) if (p.side !== side) await ctx.close(p.ticket);
    if (!ctx.positions().some((p) => p.side === side)) await enter(ctx, side);
  },
};
