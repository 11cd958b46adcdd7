import { readFile } from 'node:fs/promises';
import { err, ok, type Result, appError, type AppError } from '../../src-core/result';
import { normalizePrice } from '../../src-core/trading/numbers';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';

/** A seeded uniform [0, 1) generator (mulberry32): the same seed gives the same feed in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One quote step of a feed. */
export interface FeedTick {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly timeMs: number;
}

/**
 * A random walk per symbol around a starting mid: each step moves the mid by a normal-ish amount scaled to a
 * realistic per-step volatility (about 0.5 basis points for a 250 ms step), and draws the spread around the
 * symbol's typical spread (never below one point). Prices sit on the tick grid.
 */
export class RandomWalkFeed {
  readonly #random: () => number;
  readonly #mids = new Map<string, number>();
  readonly #specs: ReadonlyMap<string, SymbolSpec>;
  readonly #volatility: number;

  /** `volatility` is the standard deviation of one step as a fraction of the price (default 0.00005). */
  constructor(
    specs: readonly SymbolSpec[],
    mids: Readonly<Record<string, number>>,
    random: () => number,
    volatility = 0.00005,
  ) {
    this.#random = random;
    this.#volatility = volatility;
    this.#specs = new Map(specs.map((s) => [s.name, s]));
    for (const spec of specs) {
      const mid = mids[spec.name];
      if (mid !== undefined && mid > 0) this.#mids.set(spec.name, mid);
    }
  }

  /** The first quote of every symbol that has a starting mid. */
  initial(timeMs: number): FeedTick[] {
    return [...this.#mids.keys()].flatMap((symbol) => {
      const tick = this.#quote(symbol, timeMs);
      return tick === undefined ? [] : [tick];
    });
  }

  /** One step for `count` randomly chosen symbols (a real feed does not move every symbol every time). */
  step(timeMs: number, count = Math.max(1, Math.ceil(this.#mids.size / 4))): FeedTick[] {
    const names = [...this.#mids.keys()];
    const ticks: FeedTick[] = [];
    for (let i = 0; i < count && names.length > 0; i += 1) {
      const symbol = names[Math.floor(this.#random() * names.length)];
      if (symbol === undefined) continue;
      const mid = this.#mids.get(symbol) ?? 0;
      // Sum of uniforms: cheap, bounded and close enough to normal for a demo feed.
      const z = this.#random() + this.#random() + this.#random() - 1.5;
      this.#mids.set(symbol, Math.max(mid * (1 + z * 2 * this.#volatility), mid * 0.5));
      const tick = this.#quote(symbol, timeMs);
      if (tick !== undefined) ticks.push(tick);
    }
    return ticks;
  }

  /** Moves a symbol's mid (after a test sets a price by hand). */
  setMid(symbol: string, mid: number): void {
    if (this.#mids.has(symbol) && mid > 0) this.#mids.set(symbol, mid);
  }

  #quote(symbol: string, timeMs: number): FeedTick | undefined {
    const spec = this.#specs.get(symbol);
    const mid = this.#mids.get(symbol);
    if (spec === undefined || mid === undefined) return undefined;
    const typical = spec.spreadPoints ?? 10;
    const points = Math.max(1, Math.round(typical * (0.7 + this.#random() * 0.6)));
    const half = (points * spec.point) / 2;
    const bid = normalizePrice(mid - half, spec.tickSize);
    const ask = Math.max(normalizePrice(mid + half, spec.tickSize), bid + spec.tickSize);
    return { symbol, bid, ask: normalizePrice(ask, spec.tickSize), timeMs };
  }
}

/**
 * Parses a CSV of ticks (`time,symbol,bid,ask`) or bars (`time,symbol,open,high,low,close`) into quote steps.
 * `time` is ms since 1970 or an ISO date. A header line and blank lines are skipped. Bars become four ticks
 * (open, then high and low in the order a bar that closed up or down most likely took, then close) with the
 * symbol's typical spread added to the bid.
 */
export function parseReplayCsv(
  text: string,
  specs: ReadonlyMap<string, SymbolSpec>,
): Result<FeedTick[], AppError<'BAD_REPLAY'>> {
  const ticks: FeedTick[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (index === 0 && !/^\d/.test(cells[0] ?? '')) continue;
    const bad = (why: string) => err(appError('BAD_REPLAY', `line ${index + 1}: ${why}`));
    const timeMs = parseTime(cells[0] ?? '');
    if (timeMs === undefined) return bad('time is neither ms nor an ISO date');
    const symbol = cells[1] ?? '';
    const spec = specs.get(symbol);
    if (spec === undefined) return bad(`unknown symbol ${symbol}`);
    const numbers = cells.slice(2).map(Number);
    if (numbers.some((n) => !Number.isFinite(n) || n <= 0)) return bad('prices must be positive numbers');
    const spread = (spec.spreadPoints ?? 10) * spec.point;
    const at = (bid: number, offset: number): FeedTick => ({
      symbol,
      bid: normalizePrice(bid, spec.tickSize),
      ask: normalizePrice(bid + spread, spec.tickSize),
      timeMs: timeMs + offset,
    });
    if (numbers.length === 2) {
      const [bid = 0, ask = 0] = numbers;
      if (ask < bid) return bad('ask below bid');
      ticks.push({ symbol, bid, ask, timeMs });
    } else if (numbers.length === 4) {
      const [open = 0, high = 0, low = 0, close = 0] = numbers;
      if (high < low) return bad('high below low');
      const path = close >= open ? [open, low, high, close] : [open, high, low, close];
      path.forEach((price, i) => ticks.push(at(price, i)));
    } else {
      return bad('expected time,symbol,bid,ask or time,symbol,open,high,low,close');
    }
  }
  return ok(ticks);
}

/** Reads and parses a replay file. */
export async function loadReplayCsv(
  path: string,
  specs: ReadonlyMap<string, SymbolSpec>,
): Promise<Result<FeedTick[], AppError<'BAD_REPLAY'>>> {
  return parseReplayCsv(await readFile(path, 'utf8'), specs);
}

function parseTime(cell: string): number | undefined {
  if (/^\d+$/.test(cell)) return Number(cell);
  const ms = Date.parse(cell);
  return Number.isNaN(ms) ? undefined : ms;
}
