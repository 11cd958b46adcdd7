import { z } from 'zod';
import { decimalsOf, pipsToPrice, pointsToPrice, stripFloatNoise, toDecimals } from './numbers';
import type { Side, SymbolSpec } from './symbol-spec';

/**
 * Trailing stop and break-even for one position (docs/trade-management.md): the rule a trader sets, and the pure
 * decision "given the position, the rule, the quote and the symbol, where should the stop go now, if anywhere".
 * The effects around it (ticks, the executor, persistence) live in src-main/services/trade-rules.
 */

/** The unit the trader typed distances in: pips (10 points on 3/5-digit quotes) or points. */
export const DistanceUnit = z.enum(['pips', 'points']);
export type DistanceUnit = z.infer<typeof DistanceUnit>;

const distance = z.number().positive().max(100_000);

/**
 * Trailing stop: once the position is `distance` in profit, the SL follows the market at `distance`, and only
 * moves when it can move by at least `step` (so a ticking market does not send a modify per tick).
 */
export const TrailingSpec = z.strictObject({ distance, step: distance });
export type TrailingSpec = z.infer<typeof TrailingSpec>;

/** Break-even: once the position is `trigger` in profit, the SL goes to the open price plus `offset` (once). */
export const BreakEvenSpec = z
  .strictObject({ trigger: distance, offset: z.number().min(0).max(100_000) })
  .refine((b) => b.offset < b.trigger, {
    error: 'the offset must be smaller than the trigger',
    path: ['offset'],
  });
export type BreakEvenSpec = z.infer<typeof BreakEvenSpec>;

/** What a trader sets on one position: trailing, break-even or both, in one unit. */
export const StopRule = z
  .strictObject({
    unit: DistanceUnit,
    trailing: TrailingSpec.nullable(),
    breakEven: BreakEvenSpec.nullable(),
  })
  .refine((r) => r.trailing !== null || r.breakEven !== null, {
    error: 'set a trailing stop, a break-even, or both',
  });
export type StopRule = z.infer<typeof StopRule>;

/** The symbol fields the decision needs. */
export type StopRuleSpec = Pick<
  SymbolSpec,
  'digits' | 'point' | 'tickSize' | 'stopsLevel' | 'freezeLevel'
> & { readonly pipSize?: number | undefined };

/** Everything {@link decideStop} looks at. */
export interface StopDecisionInput {
  readonly side: Side;
  readonly priceOpen: number;
  /** The position's SL and TP now (null: none). */
  readonly sl: number | null;
  readonly tp: number | null;
  readonly bid: number;
  readonly ask: number;
  readonly spec: StopRuleSpec;
  readonly rule: StopRule;
  /**
   * A level already asked for that was refused or is not confirmed yet: the stop only moves beyond it (by the
   * step for trailing), so a refused level is never asked for again in a loop.
   */
  readonly lastTriedSl?: number | null;
}

/** Why no move: shown as the rule's state and logged. */
export type HoldReason =
  /** Neither the trailing start nor the break-even trigger has been reached. */
  | 'not_triggered'
  /** The SL is already there or better (never backwards). */
  | 'no_improvement'
  /** Trailing would move the SL by less than the step. */
  | 'below_step'
  /** The SL or TP is inside the freeze level: MT5 refuses any change now (10029). */
  | 'frozen';

/** The decision: move the SL to `sl` (on the tick grid), or hold. */
export type StopDecision =
  | { readonly kind: 'move'; readonly sl: number; readonly reason: 'trailing' | 'break_even' }
  | { readonly kind: 'hold'; readonly reason: HoldReason };

/** A rule's distance as a price distance. */
export function ruleDistance(value: number, unit: DistanceUnit, spec: StopRuleSpec): number {
  return unit === 'pips' ? pipsToPrice(value, spec) : pointsToPrice(value, spec);
}

/**
 * A price on the tick grid, rounded away from the market (down for a buy's stop, up for a sell's): rounding
 * toward the market would put the stop closer than the trader asked and could break the stops level.
 */
function toTick(price: number, tickSize: number, isDown: boolean): number {
  const q = stripFloatNoise(price / tickSize);
  const ticks = isDown ? Math.floor(q + 1e-9) : Math.ceil(q - 1e-9);
  return toDecimals(ticks * tickSize, decimalsOf(tickSize));
}

/**
 * Where the stop should go now, if anywhere. Pure; table-tested in stop-rules.test.ts.
 *
 * - Prices: a buy is measured and closed at the bid, a sell at the ask, so a sell's trail includes the spread.
 * - Trailing starts once the profit reaches the distance (as MT5's own trailing stop) and moves by ≥ step.
 * - Break-even fires once the profit reaches the trigger: SL = open ± offset.
 * - Never backwards: a new SL must be better than both the current SL and `lastTriedSl` by at least one tick.
 * - Stops level: a candidate closer to the market than SYMBOL_TRADE_STOPS_LEVEL (at least one tick) is pulled
 *   back to that distance, rounded away from the market.
 * - Freeze level: when the current SL or TP is within SYMBOL_TRADE_FREEZE_LEVEL of the market, hold (MT5 would
 *   answer 10029).
 */
export function decideStop(input: StopDecisionInput): StopDecision {
  const { side, spec, rule } = input;
  const s = side === 'buy' ? 1 : -1;
  const isBuy = side === 'buy';
  const market = isBuy ? input.bid : input.ask;
  const tiny = spec.point / 1000;

  if (spec.freezeLevel > 0) {
    const freeze = pointsToPrice(spec.freezeLevel, spec);
    const isSlFrozen = input.sl !== null && s * (market - input.sl) <= freeze + tiny;
    const isTpFrozen = input.tp !== null && s * (input.tp - market) <= freeze + tiny;
    if (isSlFrozen || isTpFrozen) return { kind: 'hold', reason: 'frozen' };
  }

  const profit = s * (market - input.priceOpen);
  const minGap = Math.max(pointsToPrice(spec.stopsLevel, spec), spec.tickSize);
  // The closest a stop may be: the stops level (at least one tick) from the close price, on the grid.
  const limit = toTick(market - s * minGap, spec.tickSize, isBuy);
  const place = (price: number): number => {
    const onGrid = toTick(price, spec.tickSize, isBuy);
    return s * (onGrid - limit) > 0 ? limit : onGrid;
  };
  const references = [input.sl, input.lastTriedSl ?? null].filter((v): v is number => v !== null);
  const reference =
    references.length === 0 ? null : s > 0 ? Math.max(...references) : Math.min(...references);
  const gain = (sl: number): number => (reference === null ? Infinity : s * (sl - reference));

  const candidates: { sl: number; reason: 'trailing' | 'break_even' }[] = [];
  let isTriggered = false;
  let isBelowStep = false;
  if (rule.breakEven !== null && profit + tiny >= ruleDistance(rule.breakEven.trigger, rule.unit, spec)) {
    isTriggered = true;
    const sl = place(input.priceOpen + s * ruleDistance(rule.breakEven.offset, rule.unit, spec));
    if (gain(sl) >= spec.tickSize - tiny) candidates.push({ sl, reason: 'break_even' });
  }
  if (rule.trailing !== null) {
    const trail = ruleDistance(rule.trailing.distance, rule.unit, spec);
    if (profit + tiny >= trail) {
      isTriggered = true;
      const sl = place(market - s * trail);
      const g = gain(sl);
      if (g >= Math.max(ruleDistance(rule.trailing.step, rule.unit, spec), spec.tickSize) - tiny) {
        candidates.push({ sl, reason: 'trailing' });
      } else if (g >= spec.tickSize - tiny) {
        isBelowStep = true;
      }
    }
  }
  // A stop on the wrong side of the market is never asked for (a tiny profit with a wide stops level).
  const valid = candidates.filter((c) => s * (market - c.sl) > tiny);
  const best = valid.reduce<(typeof valid)[number] | undefined>(
    (a, c) => (a === undefined || s * (c.sl - a.sl) > 0 ? c : a),
    undefined,
  );
  if (best !== undefined) return { kind: 'move', sl: best.sl, reason: best.reason };
  if (!isTriggered) return { kind: 'hold', reason: 'not_triggered' };
  return { kind: 'hold', reason: isBelowStep ? 'below_step' : 'no_improvement' };
}
