import { z } from 'zod';
import { Timeframe } from '../../src-core/chart/timeframe';

/**
 * The `rates` request of the bridge protocol (MT5 `CopyRates`): bars of one symbol and timeframe, on the trade
 * server's clock, built from bid prices as MT5's charts are. `docs/bridge-protocol.md` ("Bars: rates") is the
 * prose spec; `messages.ts` registers these schemas with the other requests.
 *
 * Rows are arrays, not objects, to keep a full answer well inside the frame limit: 5,000 rows of 7 numbers are
 * about 400 KB of JSON at worst, against 1 MB per frame. The app asks again (with `startPos`) for more.
 */

/** Most bars one `rates` answer carries. */
export const MAX_RATES_COUNT = 5_000;

const timeMs = z.number().int().nonnegative();

/**
 * App → EA. Two forms, as CopyRates has:
 * - by position: `count` bars ending `startPos` bars before the current (forming) bar; `startPos` 0 includes it;
 * - by time: the bars whose open time is in [`fromMs`, `toMs`] (both inclusive, trade server clock); at most
 *   {@link MAX_RATES_COUNT} of them, the newest, with `truncated: true` in the answer when there were more.
 */
export const RatesRequest = z
  .object({
    type: z.literal('rates'),
    id: z.string().min(1).max(64),
    deadlineMs: z.number().int().positive().max(600_000),
    expiresAt: timeMs,
    symbol: z.string().min(1).max(64),
    timeframe: Timeframe,
    startPos: z.number().int().nonnegative().max(1_000_000).optional(),
    count: z.number().int().positive().max(MAX_RATES_COUNT).optional(),
    fromMs: timeMs.optional(),
    toMs: timeMs.optional(),
  })
  .refine(
    (r) =>
      r.count !== undefined
        ? r.fromMs === undefined && r.toMs === undefined
        : r.fromMs !== undefined && r.toMs !== undefined && r.startPos === undefined && r.fromMs <= r.toMs,
    { error: 'give count (and optionally startPos), or fromMs ≤ toMs, not both' },
  );
export type RatesRequest = z.infer<typeof RatesRequest>;

/**
 * One bar as the EA sends it: `[timeMs, open, high, low, close, tickVolume, spread]` (MqlRates without
 * real_volume; `time` converted to ms; spread in points).
 */
export const WireRate = z.tuple([
  timeMs,
  z.number().positive(),
  z.number().positive(),
  z.number().positive(),
  z.number().positive(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
]);
export type WireRate = z.infer<typeof WireRate>;

/** EA → app: the `result` of `rates`. Rows are oldest first; the last may be the bar still forming. */
export const RatesResult = z.object({
  symbol: z.string().min(1).max(64),
  timeframe: Timeframe,
  /** Oldest first; empty when the terminal has no bars in the range (not an error, as CopyRates returning 0). */
  rates: z
    .array(WireRate)
    .max(MAX_RATES_COUNT)
    .refine((rows) => rows.every((row, i) => i === 0 || (rows[i - 1]?.[0] ?? 0) < row[0]), {
      error: 'rows must be in strictly increasing time order',
    }),
  /** True when the range held more than MAX_RATES_COUNT bars and only the newest were sent. */
  truncated: z.boolean().optional(),
});
export type RatesResult = z.infer<typeof RatesResult>;
