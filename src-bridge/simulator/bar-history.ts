import { aggregateBars, applyPrice, type Bar } from '../../src-core/chart/bars';
import {
  barOpenTime,
  previousBarOpenTime,
  timeframeMs,
  type Timeframe,
} from '../../src-core/chart/timeframe';
import { err, ok, type Result } from '../../src-core/result';
import { normalizePrice } from '../../src-core/trading/numbers';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import type { EaError } from '../protocol/messages';
import { MAX_RATES_COUNT, type RatesRequest, type RatesResult, type WireRate } from '../protocol/rates';
import { seededRandom } from './feed';

/** Options of {@link SimBarHistory}. */
export interface BarHistoryOptions {
  readonly specs: readonly SymbolSpec[];
  /** Seed of the synthetic history (the same seed gives the same bars). */
  readonly seed: number;
  /**
   * Synthetic bars per timeframe before the first quote the simulator saw, so a chart has history at start.
   * 0 serves only what was quoted (replays: their file is the history).
   */
  readonly syntheticBars: number;
}

const DAY_MS = 86_400_000;
/** M1 bars kept from live quotes (about 139 days of a 24-hour market; up to one trim block more). */
const MAX_LIVE_M1 = 200_000;
/**
 * How far past the cap the bars may grow before the oldest are dropped. Trimming to the cap on every new bar would
 * copy 200,000 entries per simulated minute, which a fast replay reaches thousands of times a second; trimming a
 * block at a time spreads that copy over 10,000 bars.
 */
const TRIM_BLOCK_M1 = 10_000;
/** A typical daily move of a major, as a fraction of the price; scaled by √(bar length) per timeframe. */
const DAILY_VOLATILITY = 0.006;
/** Synthetic history never reaches back before this (MN1 × 10,000 would pass 1970). */
const EARLIEST_MS = Date.UTC(1990, 0, 1);

/**
 * The simulated terminal's bar history, served by `rates` (MT5 CopyRates). Every quote the simulator applies
 * (random walk, replayed file, or a test's `setPrice`) is folded into M1 bars of its bid, and higher
 * timeframes are aggregated from those, so a chart and a trailing stop see the same prices as the trade server.
 * Before the first quote, each timeframe gets its own seeded random-walk history ending at that quote's
 * price: consistent within a timeframe and from run to run, but not aggregated across timeframes (a real
 * terminal's would be). Weekends have no bars below W1, as on a forex server.
 */
export class SimBarHistory {
  readonly #specs: ReadonlyMap<string, SymbolSpec>;
  readonly #seed: number;
  readonly #syntheticBars: number;
  readonly #live = new Map<string, Bar[]>();
  readonly #synthetic = new Map<string, Bar[]>();

  constructor(options: BarHistoryOptions) {
    this.#specs = new Map(options.specs.map((s) => [s.name, s]));
    this.#seed = options.seed;
    this.#syntheticBars = options.syntheticBars;
  }

  /** Folds a quote into the symbol's M1 bars (bid prices, smallest spread in points). */
  record(symbol: string, bid: number, ask: number, timeMs: number): void {
    const spec = this.#specs.get(symbol);
    if (spec === undefined || !(bid > 0)) return;
    let bars = this.#live.get(symbol);
    if (bars === undefined) {
      bars = [];
      this.#live.set(symbol, bars);
    }
    const spread = Math.max(0, Math.round((ask - bid) / spec.point));
    applyPrice(bars, 'M1', bid, timeMs, spread);
    if (bars.length > MAX_LIVE_M1 + TRIM_BLOCK_M1) bars.splice(0, bars.length - MAX_LIVE_M1);
  }

  /** Answers a `rates` request as CopyRates would. */
  rates(request: RatesRequest): Result<RatesResult, EaError> {
    if (!this.#specs.has(request.symbol)) {
      return err({ code: 'UNKNOWN_SYMBOL', message: `${request.symbol} is not offered` });
    }
    const all = this.#bars(request.symbol, request.timeframe);
    let chosen: readonly Bar[];
    let truncated = false;
    if (request.count !== undefined) {
      const end = all.length - (request.startPos ?? 0);
      chosen = end <= 0 ? [] : all.slice(Math.max(0, end - request.count), end);
    } else {
      const from = request.fromMs ?? 0;
      const to = request.toMs ?? 0;
      const inRange = all.filter((b) => b.timeMs >= from && b.timeMs <= to);
      truncated = inRange.length > MAX_RATES_COUNT;
      chosen = truncated ? inRange.slice(-MAX_RATES_COUNT) : inRange;
    }
    const rates = chosen.map((b): WireRate => [
      b.timeMs,
      b.open,
      b.high,
      b.low,
      b.close,
      b.tickVolume,
      b.spread,
    ]);
    return ok({
      symbol: request.symbol,
      timeframe: request.timeframe,
      rates,
      ...(truncated ? { truncated } : {}),
    });
  }

  #bars(symbol: string, timeframe: Timeframe): Bar[] {
    const live = aggregateBars(this.#live.get(symbol) ?? [], timeframe);
    const first = live[0];
    if (first === undefined || this.#syntheticBars === 0) return live;
    const key = `${symbol}|${timeframe}`;
    let synthetic = this.#synthetic.get(key);
    if (synthetic === undefined) {
      synthetic = this.#generate(symbol, timeframe, first);
      this.#synthetic.set(key, synthetic);
    }
    return [...synthetic, ...live];
  }

  /** A seeded random walk backwards from the first live bar's open. */
  #generate(symbol: string, timeframe: Timeframe, first: Bar): Bar[] {
    const spec = this.#specs.get(symbol);
    if (spec === undefined) return [];
    const random = seededRandom(this.#seed ^ hash(`${symbol}|${timeframe}`));
    const length = timeframeMs(timeframe) ?? 30 * DAY_MS;
    const sigma = DAILY_VOLATILITY * Math.sqrt(length / DAY_MS);
    const isIntraday = timeframe !== 'W1' && timeframe !== 'MN1';
    const normal = (): number => (random() + random() + random() - 1.5) * 2;
    const bars: Bar[] = [];
    let close = first.open;
    let openMs = previousBarOpenTime(barOpenTime(first.timeMs, timeframe), timeframe);
    while (bars.length < this.#syntheticBars && openMs >= EARLIEST_MS) {
      const weekday = new Date(openMs).getUTCDay();
      if (isIntraday && (weekday === 6 || weekday === 0)) {
        openMs = previousBarOpenTime(openMs, timeframe);
        continue;
      }
      const open = Math.max(close * (1 + normal() * sigma), spec.tickSize * 10);
      const wick = (): number => Math.abs(normal()) * sigma * 0.5 * close;
      const o = normalizePrice(open, spec.tickSize);
      const c = normalizePrice(close, spec.tickSize);
      const high = normalizePrice(Math.max(o, c) + wick(), spec.tickSize);
      const low = Math.max(normalizePrice(Math.min(o, c) - wick(), spec.tickSize), spec.tickSize);
      bars.push({
        timeMs: openMs,
        open: o,
        high,
        low: Math.min(low, o, c),
        close: c,
        tickVolume: 1 + Math.floor(random() * 60 * Math.sqrt(length / 60_000)),
        spread: spec.spreadPoints ?? 10,
      });
      close = o;
      openMs = previousBarOpenTime(openMs, timeframe);
    }
    return bars.reverse();
  }
}

/** A 32-bit FNV-1a hash, to give each symbol and timeframe its own stream from one seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
