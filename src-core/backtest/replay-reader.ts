import type { Bar } from '../chart/bars';
import { appError, err, ok, type AppError, type Result } from '../result';
import { normalizePrice } from '../trading/numbers';
import { parseBarFile } from './bar-file';
import { detectReplayFormat, TickLineParser, type ReplayFormat, type ReplayTick } from './tick-file';

/** What turning a bar into prices needs of its symbol: the point, the tick size and the typical spread. */
export interface BarPricing {
  readonly point: number;
  readonly tickSize: number;
  /** Points; used where a bar carries no spread of its own. Default 10. */
  readonly spreadPoints?: number | undefined;
}

/** Options of {@link ReplayReader}. */
export interface ReplayReaderOptions {
  /** The instrument of an MT5 export (its rows name none; required for those), or the one to keep from a CSV. */
  readonly symbol?: string;
  /** Pricing of a bar file's symbols; a symbol without one is refused. */
  readonly pricing: (symbol: string) => BarPricing | undefined;
  /** The most ticks one file may give (bars count four each). Default {@link MAX_REPLAY_TICKS}. */
  readonly maxTicks?: number;
  /** The most bytes of bar lines kept (bar files are parsed whole). Default {@link MAX_BAR_TEXT_CHARS}. */
  readonly maxBarChars?: number;
}

/**
 * Ten million ticks (about a month of EURUSD, a few hundred MB as objects): a replay holds its ticks in memory
 * to step and jump, so a longer export is refused with a message to split it (docs/backtest.md, "Data files").
 */
export const MAX_REPLAY_TICKS = 10_000_000;
/** 200 MB of bar lines: ten years of M1 bars in MT5's export is about 250 MB as UTF-16 and half that as text. */
export const MAX_BAR_TEXT_CHARS = 200_000_000;

/** A replay file read whole: its format and its ticks, in time order. */
export interface ReplayData {
  readonly format: ReplayFormat;
  readonly ticks: readonly ReplayTick[];
  /** The symbols in the file, in order of first appearance. */
  readonly symbols: readonly string[];
}

type BadReplay = AppError<'BAD_REPLAY'>;

/**
 * A bar's prices as the replay and the backtest play them: open, the nearer extreme, the other extreme, close,
 * 15 s apart inside the bar (the path MT5's "1 minute OHLC" tester mode assumes), each with the bar's spread (or the
 * symbol's typical one) added to the bid.
 */
export function barTicks(bar: Bar, symbol: string, pricing: BarPricing): ReplayTick[] {
  const path =
    bar.close >= bar.open
      ? [bar.open, bar.low, bar.high, bar.close]
      : [bar.open, bar.high, bar.low, bar.close];
  const spread = (bar.spread > 0 ? bar.spread : (pricing.spreadPoints ?? 10)) * pricing.point;
  return path.map((price, i) => {
    const bid = normalizePrice(price, pricing.tickSize);
    return {
      symbol,
      bid,
      ask: normalizePrice(bid + spread, pricing.tickSize),
      timeMs: bar.timeMs + i * 15_000,
    };
  });
}

/**
 * The one reader of replay files, fed line by line (src-main streams a file through it in chunks; tests pass
 * strings): detects the format from the first line that says anything (tick-file.ts, `detectReplayFormat`),
 * parses tick files as they stream and bar files whole (they are small), and answers every tick in time order.
 * Used by `npm run backtest` and by the desktop's replay.
 */
export class ReplayReader {
  readonly #options: ReplayReaderOptions;
  readonly #maxTicks: number;
  readonly #ticks: ReplayTick[] = [];
  readonly #symbols = new Set<string>();
  #format: ReplayFormat | undefined;
  #ticksParser: TickLineParser | undefined;
  #barLines: string[] = [];
  #barChars = 0;
  /** Blank or comment lines before the format was known: bar files are parsed from the line after them. */
  #leadingLines = 0;
  #failure: BadReplay | undefined;

  constructor(options: ReplayReaderOptions) {
    this.#options = options;
    this.#maxTicks = options.maxTicks ?? MAX_REPLAY_TICKS;
  }

  /** The detected format, once a line said it. */
  get format(): ReplayFormat | undefined {
    return this.#format;
  }

  /** One line (1-based number). After a refusal every later line answers the same refusal. */
  line(raw: string, lineNo: number): Result<void, BadReplay> {
    if (this.#failure !== undefined) return err(this.#failure);
    const r = this.#line(raw, lineNo);
    if (!r.ok) this.#failure = r.error;
    return r;
  }

  #line(raw: string, lineNo: number): Result<void, BadReplay> {
    if (this.#format === undefined) {
      const trimmed = raw.replace(/^\uFEFF/, '').trim();
      if (trimmed === '' || trimmed.startsWith('#')) {
        this.#leadingLines = lineNo;
        return ok(undefined);
      }
      if (raw.includes('\u0000')) return fail(lineNo, 'a NUL byte (is this a binary file?)');
      const detected = detectReplayFormat(trimmed);
      if (!detected.ok) return fail(lineNo, detected.error.message);
      this.#format = detected.value;
      if (this.#format === 'mt5-ticks' || this.#format === 'mt5-bars') {
        if (this.#options.symbol === undefined || this.#options.symbol === '') {
          return fail(lineNo, 'an MT5 export names no symbol: say which one it is of');
        }
      }
      if (this.#format === 'mt5-ticks' || this.#format === 'csv-ticks') {
        const symbol = this.#options.symbol;
        this.#ticksParser = new TickLineParser(
          this.#format,
          this.#format === 'mt5-ticks'
            ? { symbol: symbol ?? '' }
            : symbol === undefined
              ? {}
              : { symbols: new Set([symbol]) },
        );
      }
    }
    if (this.#ticksParser !== undefined) {
      const r = this.#ticksParser.line(raw, lineNo);
      if (!r.ok) return r;
      if (r.value === undefined) return ok(undefined);
      if (this.#ticks.length >= this.#maxTicks) return this.#tooMany();
      this.#ticks.push(r.value);
      this.#symbols.add(r.value.symbol);
      return ok(undefined);
    }
    if (raw.includes('\u0000')) return fail(lineNo, 'a NUL byte (is this a binary file?)');
    this.#barChars += raw.length + 1;
    if (this.#barChars > (this.#options.maxBarChars ?? MAX_BAR_TEXT_CHARS)) {
      return err(appError('BAD_REPLAY', 'the bar file is too large: split it'));
    }
    this.#barLines.push(raw);
    return ok(undefined);
  }

  #tooMany(): Result<never, BadReplay> {
    return err(
      appError('BAD_REPLAY', `more than ${String(this.#maxTicks)} ticks: split the file (docs/backtest.md)`),
    );
  }

  /** The ticks of the whole file, once every line was given. */
  finish(): Result<ReplayData, BadReplay> {
    if (this.#failure !== undefined) return err(this.#failure);
    const format = this.#format;
    if (format === undefined) return err(appError('BAD_REPLAY', 'the file is empty'));
    if (format === 'mt5-ticks' || format === 'csv-ticks') {
      if (this.#ticks.length === 0) return err(appError('BAD_REPLAY', 'no ticks in the file'));
      return ok({ format, ticks: inTimeOrder(this.#ticks), symbols: [...this.#symbols] });
    }
    const text = this.#barLines.join('\n');
    this.#barLines = [];
    const names =
      format === 'mt5-bars' || this.#options.symbol !== undefined
        ? [this.#options.symbol ?? '']
        : csvBarSymbols(text);
    const ticks: ReplayTick[] = [];
    for (const symbol of names) {
      const pricing = this.#options.pricing(symbol);
      if (pricing === undefined) return err(appError('BAD_REPLAY', `unknown symbol ${symbol}`));
      const bars = parseBarFile(text, symbol);
      if (!bars.ok) {
        const message = bars.error.message.replace(
          /^line (\d+):/,
          (_m, n: string) => `line ${String(Number(n) + this.#leadingLines)}:`,
        );
        return err(appError('BAD_REPLAY', message));
      }
      if (ticks.length + bars.value.length * 4 > this.#maxTicks) return this.#tooMany();
      for (const bar of bars.value) ticks.push(...barTicks(bar, symbol, pricing));
    }
    return ok({ format, ticks: inTimeOrder(ticks), symbols: names });
  }
}

const fail = (lineNo: number, why: string): Result<never, BadReplay> =>
  err(appError('BAD_REPLAY', `line ${String(lineNo)}: ${why}`));

/** The symbols of a Pipdesk bar CSV in order of first appearance. */
function csvBarSymbols(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const symbol = line.split(',')[1]?.trim();
    if (symbol !== undefined && symbol !== '' && symbol.toLowerCase() !== 'symbol') seen.add(symbol);
  }
  return [...seen];
}

/**
 * Each symbol's ticks are already in order (the parsers refuse a time that goes back); a file of several symbols
 * may interleave them slightly out of order (a recording writes ticks as they arrive), so those are sorted, stably.
 */
function inTimeOrder(ticks: ReplayTick[]): ReplayTick[] {
  for (let i = 1; i < ticks.length; i += 1) {
    if ((ticks[i]?.timeMs ?? 0) < (ticks[i - 1]?.timeMs ?? 0))
      return ticks.sort((a, b) => a.timeMs - b.timeMs);
  }
  return ticks;
}

/**
 * Reads a replay file already in memory (tests, the backtest's small files): splits it into lines and feeds a
 * {@link ReplayReader}.
 */
export function readReplayText(text: string, options: ReplayReaderOptions): Result<ReplayData, BadReplay> {
  const reader = new ReplayReader(options);
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo += 1;
    const r = reader.line(
      text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end),
      lineNo,
    );
    if (!r.ok) return r;
    start = end + 1;
  }
  return reader.finish();
}
