import { appError, err, ok, type AppError, type Result } from '../result';
import { decimalsOf, roundVolumeDown, STEP_EPSILON, toDecimals } from './numbers';
import type { SymbolSpec } from './symbol-spec';

/**
 * Splitting one trade into parts, each with its own take-profit (docs/trade-management.md, "Multiple
 * take-profits"). Pure: the main side sends one journalled order per part.
 */

/** Most parts one trade may be split into. */
export const MAX_SPLIT_PARTS = 10;

/** One part's volume, as sent. */
export interface SplitPart {
  readonly percent: number;
  readonly volume: number;
}

/**
 * Splits `volume` lots by `percents` (summing to 100) on the volume step. Every part is rounded DOWN to the step
 * and the steps left over go one each to the parts that lost the most to rounding (largest remainder), so the
 * total is the requested volume rounded down to the step and never more. Refuses (`VOLUME_BELOW_MIN`) when a
 * part would be below the symbol's minimum, rather than dropping or enlarging it; `VOLUME_ABOVE_MAX` when a part
 * is above the maximum; `INVALID_VOLUME` when the percents do not add up to 100.
 */
export function splitVolume(
  volume: number,
  percents: readonly number[],
  spec: Pick<SymbolSpec, 'volumeMin' | 'volumeMax' | 'volumeStep'>,
): Result<readonly SplitPart[], AppError<'INVALID_VOLUME' | 'VOLUME_BELOW_MIN' | 'VOLUME_ABOVE_MAX'>> {
  if (percents.length < 2 || percents.length > MAX_SPLIT_PARTS) {
    return err(appError('INVALID_VOLUME', `Split into 2 to ${MAX_SPLIT_PARTS} parts.`));
  }
  if (!percents.every((p) => Number.isFinite(p) && p > 0)) {
    return err(appError('INVALID_VOLUME', 'Each part needs a share above 0%.'));
  }
  const sum = percents.reduce((a, p) => a + p, 0);
  if (Math.abs(sum - 100) > 1e-6) {
    return err(
      appError('INVALID_VOLUME', `The parts add up to ${toDecimals(sum, 4)}%, not 100%.`, {
        percentTotal: sum,
      }),
    );
  }
  if (!(Number.isFinite(volume) && volume > 0)) {
    return err(appError('INVALID_VOLUME', 'The volume must be above 0.'));
  }
  const step = spec.volumeStep;
  const totalSteps = Math.floor(volume / step + STEP_EPSILON);
  const exact = percents.map((p) => (totalSteps * p) / 100);
  const steps = exact.map((x) => Math.floor(x + STEP_EPSILON));
  let left = totalSteps - steps.reduce((a, n) => a + n, 0);
  // Largest remainder first; ties to the earlier part (the nearer take-profit).
  const order = exact
    .map((x, i) => ({ i, rest: x - Math.floor(x + STEP_EPSILON) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    steps[i] = (steps[i] ?? 0) + 1;
    left -= 1;
  }
  const decimals = decimalsOf(step);
  const parts = percents.map((percent, i) => ({
    percent,
    volume: toDecimals((steps[i] ?? 0) * step, decimals),
  }));
  const small = parts.findIndex((p) => p.volume + STEP_EPSILON < spec.volumeMin);
  if (small >= 0) {
    const part = parts[small];
    return err(
      appError(
        'VOLUME_BELOW_MIN',
        `Part ${small + 1} (${part?.percent ?? 0}%) would be ${part?.volume ?? 0} lots, below the minimum ` +
          `${spec.volumeMin}. Use a larger volume or fewer parts.`,
        { part: small + 1, volume: part?.volume ?? 0, volumeMin: spec.volumeMin },
      ),
    );
  }
  const big = parts.findIndex((p) => p.volume > spec.volumeMax + STEP_EPSILON);
  if (big >= 0) {
    return err(
      appError('VOLUME_ABOVE_MAX', `Part ${big + 1} would be above the maximum of ${spec.volumeMax} lots.`, {
        part: big + 1,
        volumeMax: spec.volumeMax,
      }),
    );
  }
  // Defensive: the construction cannot exceed the request, and a bug here would risk more than asked.
  const total = parts.reduce((a, p) => a + p.volume, 0);
  if (total > roundVolumeDown(volume, step) + STEP_EPSILON)
    throw new Error('splitVolume: parts exceed the volume');
  return ok(parts);
}
