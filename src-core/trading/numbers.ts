import type { SymbolSpec } from './symbol-spec';

/**
 * Number helpers for prices, volumes and money.
 *
 * Binary floating point cannot hold 0.1 or 0.00001 exactly, so every function that lands on a grid (tick size,
 * volume step, cents) finishes by printing the value with the grid's decimals and reading it back. The result is
 * the double closest to the decimal a trader would write (1.1 rather than 1.1000000000000001), which is also what
 * MT5's `NormalizeDouble` gives.
 */

/** Tolerance used when a quotient should be a whole number but may be off by float noise (docs/trading-core.md, "Numbers and rounding"). */
export const STEP_EPSILON = 1e-9;

/** Most decimals any grid (tick size, step, point) is taken to have; MT5's `digits` is at most 8 in practice. */
const MAX_DECIMALS = 12;

/**
 * Decimals needed to write `step` exactly: 0.01 → 2, 0.00001 → 5, 0.25 → 2, 5 → 0. Works on values whose
 * `toString` uses exponent notation (1e-7), which a string split would not.
 */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step)) return 0;
  const abs = Math.abs(step);
  for (let d = 0; d <= MAX_DECIMALS; d += 1) {
    const scaled = abs * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) <= STEP_EPSILON * Math.max(1, scaled)) return d;
  }
  return MAX_DECIMALS;
}

/** Prints `value` with `decimals` and reads it back: removes float noise once a value is on a decimal grid. */
export function toDecimals(value: number, decimals: number): number {
  const fixed = Number(value.toFixed(Math.min(Math.max(decimals, 0), 20)));
  // toFixed turns -0.0001 into "-0.00"; keep zero positive so equality and display stay simple.
  return Object.is(fixed, -0) ? 0 : fixed;
}

/**
 * Removes float noise from a computed quantity that is not on a grid (points from a price distance, pips):
 * 12 significant digits are far more than any price or volume has, and far fewer than a double's 15-17.
 */
export function stripFloatNoise(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value === 0 ? 0 : value;
  return Number(value.toPrecision(12));
}

/**
 * Rounds a price to the nearest multiple of the tick size (MT5: `MathRound(p/ts)*ts`, then `NormalizeDouble`).
 * Index and futures tick sizes can be larger than the point (e.g. 0.25 on a 2-digit index).
 */
export function normalizePrice(price: number, tickSize: number): number {
  if (!(tickSize > 0)) throw new RangeError(`normalizePrice: tick size must be positive, got ${tickSize}`);
  // Fast path for the common case, a price already on a grid whose tick is 1/n (0.00001, 0.01, 0.25, 0.05): the
  // quotient of whole ticks by n is the double nearest the decimal price, which is exactly what printing and
  // re-reading below returns, without building strings. The simulator and sizing call this per quote.
  const perUnit = Math.round(1 / tickSize);
  if (perUnit >= 1 && Math.abs(perUnit * tickSize - 1) < 1e-12) {
    const q = price * perUnit;
    const whole = Math.round(q);
    // Within a millionth of a tick of the grid (float noise only), so nothing near a half tick takes this path.
    if (Math.abs(q - whole) <= 1e-6) return whole / perUnit + 0;
  }
  const ticks = Math.round(stripFloatNoise(price / tickSize));
  return toDecimals(ticks * tickSize, decimalsOf(tickSize));
}

/** Whether `value` is a whole multiple of `step` within the float tolerance. */
export function isMultipleOfStep(value: number, step: number): boolean {
  if (!(step > 0)) return false;
  const q = value / step;
  return Math.abs(q - Math.round(q)) <= STEP_EPSILON * Math.max(1, Math.abs(q));
}

/**
 * Rounds a volume DOWN to the volume step: `floor(volume/step + 1e-9) * step`, printed with the step's
 * decimals so 0.07 stays 0.07. The epsilon keeps 0.3/0.1 = 2.9999999999999996 at 3 steps, never 2.
 * Never rounds up: sizing must not risk more than asked.
 */
export function roundVolumeDown(volume: number, step: number): number {
  if (!(step > 0)) throw new RangeError(`roundVolumeDown: step must be positive, got ${step}`);
  if (!(volume > 0)) return 0;
  const steps = Math.floor(volume / step + STEP_EPSILON);
  return toDecimals(steps * step, decimalsOf(step));
}

/** Scales |amount| by 10^decimals and strips the float noise of the multiplication (1.005*100 = 100.4999…). */
function scaled(amount: number, decimals: number): number {
  return Number((Math.abs(amount) * 10 ** decimals).toPrecision(15));
}

/**
 * Rounds half-up (half away from zero) to `decimals`, looking through binary noise: 1.005 → 1.01 although the
 * double is 1.00499999999999989… Used for display quantities such as pips to 1 decimal.
 */
export function roundHalfUp(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return value;
  // Fast path, away from a half: whole units divided by 10^decimals are the double nearest the decimal, which is
  // what the string round trip below returns. Account figures are rounded on every simulated price.
  const factor = 10 ** decimals;
  const x = Math.abs(value) * factor;
  if (Number.isInteger(decimals) && decimals >= 0 && decimals <= 8 && x < 1e12) {
    const fraction = x - Math.floor(x);
    // The margin covers what the 15-digit strip below may move x by, so both paths round the same way.
    if (Math.abs(fraction - 0.5) > Math.max(1e-6, x * 1e-14))
      return (Math.sign(value) * Math.round(x)) / factor + 0;
  }
  const rounded = Math.round(scaled(value, decimals)) / 10 ** decimals;
  return toDecimals(Math.sign(value) * rounded, decimals);
}

/**
 * Rounds money half-up (half away from zero, as an accountant rounds) to `decimals` (2 by default, or the
 * account currency's digits): 1.005 → 1.01, -1.005 → -1.01, 2.344 → 2.34.
 */
export function roundMoney(amount: number, decimals = 2): number {
  return roundHalfUp(amount, decimals);
}

/**
 * Rounds money DOWN (toward minus infinity) to `decimals`: 12.349 → 12.34, used where rounding up would
 * promise more than is there (the risk amount of a trade). -1.001 → -1.01.
 */
export function roundMoneyDown(amount: number, decimals = 2): number {
  if (!Number.isFinite(amount)) return amount;
  const abs = scaled(amount, decimals);
  const units = amount >= 0 ? Math.floor(abs) : -Math.ceil(abs);
  return toDecimals(units / 10 ** decimals, decimals);
}

/** The spec fields the pip and point helpers need, so callers can pass a partial spec. */
export type PipSpec = Pick<SymbolSpec, 'digits' | 'point'> & { readonly pipSize?: number | undefined };

/**
 * Size of one pip in price units: the spec's `pipSize` when given, else 10 points for 3- and 5-digit quotes
 * (EURUSD 0.0001, USDJPY 0.01), else 1 point (XAUUSD at 2 digits: 0.01, an index at 1 digit: 0.1).
 */
export function pipSize(spec: PipSpec): number {
  if (spec.pipSize !== undefined) return spec.pipSize;
  const factor = spec.digits === 3 || spec.digits === 5 ? 10 : 1;
  return toDecimals(spec.point * factor, decimalsOf(spec.point));
}

/**
 * Decimals kept on a distance in points or pips. A difference of two prices carries the prices' absolute
 * float error (190.5 - 190.49 = 0.010000000000019), which is large relative to a small distance; 6 decimals of
 * a point are far below anything a broker quotes and far above that noise.
 */
const DISTANCE_DECIMALS = 6;

/** A price distance in points (0.0015 on EURUSD → 150). Sign is kept; float noise is removed. */
export function priceToPoints(distance: number, spec: Pick<SymbolSpec, 'point'>): number {
  return toDecimals(distance / spec.point, DISTANCE_DECIMALS);
}

/** Points as a price distance (15 points on EURUSD → 0.00015). */
export function pointsToPrice(points: number, spec: Pick<SymbolSpec, 'point'>): number {
  return toDecimals(points * spec.point, decimalsOf(spec.point) + decimalsOf(points));
}

/** Pips as a price distance (15 pips on EURUSD → 0.0015, on USDJPY → 0.15). */
export function pipsToPrice(pips: number, spec: PipSpec): number {
  const pip = pipSize(spec);
  return toDecimals(pips * pip, decimalsOf(pip) + decimalsOf(pips));
}

/** A price distance in pips (0.0015 on EURUSD → 15). Not rounded: display code rounds to 1 decimal. */
export function priceToPips(distance: number, spec: PipSpec): number {
  return toDecimals(distance / pipSize(spec), DISTANCE_DECIMALS);
}
