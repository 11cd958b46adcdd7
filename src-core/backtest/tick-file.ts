import { appError, err, ok, type AppError, type Result } from '../result';

/**
 * One quote of a replay: the shape of the simulator's `FeedTick` (src-bridge/simulator/feed.ts), declared here so
 * the platform-free parser needs nothing outside src-core. `timeMs` is on the trade server's clock.
 */
export interface ReplayTick {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly timeMs: number;
}

/**
 * The replay files Pipdesk reads (docs/backtest.md, "Data files"):
 * - `mt5-ticks`: MT5's Symbols → Ticks → Export, `<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>`;
 * - `mt5-bars`: MT5's Symbols → Bars → Export, `<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t…`;
 * - `csv-ticks`: Pipdesk's `time,symbol,bid,ask` (what the desktop records from a live session);
 * - `csv-bars`: Pipdesk's `time,symbol,open,high,low,close`.
 */
export type ReplayFormat = 'mt5-ticks' | 'mt5-bars' | 'csv-ticks' | 'csv-bars';

/** The header Pipdesk writes at the top of its tick CSV (recordings). */
export const CSV_TICKS_HEADER = 'time,symbol,bid,ask';

/**
 * Prices are plain decimals, as MT5 and Pipdesk write them: at most 10 digits before the point and 10 after, so
 * no exponent (`1e308`), no sign, no hex (`0x10`, which `Number` would accept) and nothing above 1e10.
 */
const DECIMAL = /^\d{1,10}(?:\.\d{1,10})?$/;
const MT5_DATE = /^(\d{4})\.(\d{2})\.(\d{2})$/;
const MT5_TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

type BadReplay = AppError<'BAD_REPLAY'>;

const bad = (lineNo: number, why: string): Result<never, BadReplay> =>
  err(appError('BAD_REPLAY', `line ${String(lineNo)}: ${why}`));

/** A positive plain decimal, or undefined. */
function decimal(cell: string): number | undefined {
  if (!DECIMAL.test(cell)) return undefined;
  const n = Number(cell);
  return n > 0 ? n : undefined;
}

/**
 * The format of a replay file from its first line that is neither blank nor a `#` comment: MT5's exports by their
 * `<DATE>` header (ticks have `<BID>`, bars `<OPEN>`), Pipdesk's CSV by its header or, without one, by the number of
 * cells (4 for ticks, 6 for bars).
 */
export function detectReplayFormat(firstLine: string): Result<ReplayFormat, BadReplay> {
  const line = firstLine.replace(/^\uFEFF/, '').trim();
  if (line.startsWith('<DATE>')) {
    if (line.includes('<BID>') && line.includes('<ASK>')) return ok('mt5-ticks');
    if (line.includes('<OPEN>') && line.includes('<CLOSE>')) return ok('mt5-bars');
    return err(
      appError('BAD_REPLAY', 'an MT5 export, but neither ticks (<BID> <ASK>) nor bars (<OPEN> … <CLOSE>)'),
    );
  }
  const cells = line.split(',').map((c) => c.trim().toLowerCase());
  if (cells.length === 4 && (cells.join(',') === CSV_TICKS_HEADER || /^\d/.test(cells[0] ?? ''))) {
    return ok('csv-ticks');
  }
  if (
    cells.length === 6 &&
    (cells.join(',') === 'time,symbol,open,high,low,close' || /^\d/.test(cells[0] ?? ''))
  ) {
    return ok('csv-bars');
  }
  return err(
    appError(
      'BAD_REPLAY',
      "not a replay file: expected MT5's tick or bar export (<DATE> <TIME> …), time,symbol,bid,ask or time,symbol,open,high,low,close",
    ),
  );
}

/** Options of {@link TickLineParser}. */
export interface TickLineOptions {
  /** The instrument of an MT5 export (its rows name none). Required for `mt5-ticks`. */
  readonly symbol?: string;
  /** Keep only these symbols of a Pipdesk CSV (all when absent). */
  readonly symbols?: ReadonlySet<string>;
}

/**
 * Parses tick files line by line, so a file of any size can be streamed through it (src-main reads files in
 * chunks). Strict: every refusal names its line. Times may repeat (several ticks in one millisecond) but never go
 * back, per symbol.
 *
 * MT5's tick export leaves BID or ASK empty on a row where only the other side (or only LAST) changed; the last
 * known value of the empty side is carried forward, and rows before both sides are known carry no tick. Its times
 * (`13:05:00.123`) are on the trade server's clock and kept as they are.
 */
export class TickLineParser {
  readonly #format: 'mt5-ticks' | 'csv-ticks';
  readonly #symbol: string;
  readonly #symbols: ReadonlySet<string> | undefined;
  readonly #lastTime = new Map<string, number>();
  #bid = 0;
  #ask = 0;
  #dayKey = '';
  #dayMs = 0;

  constructor(format: 'mt5-ticks' | 'csv-ticks', options: TickLineOptions = {}) {
    if (format === 'mt5-ticks' && (options.symbol === undefined || options.symbol === '')) {
      throw new Error('TickLineParser: an MT5 tick export needs the symbol it is of');
    }
    this.#format = format;
    this.#symbol = options.symbol ?? '';
    this.#symbols = options.symbols;
  }

  /**
   * One line (without its line break) and its 1-based number: a tick, `undefined` for a line that carries none
   * (blank, comment, header, an MT5 row before both sides are known, a symbol filtered out) or the refusal.
   */
  line(raw: string, lineNo: number): Result<ReplayTick | undefined, BadReplay> {
    if (raw.includes('\u0000')) return bad(lineNo, 'a NUL byte (is this a binary file?)');
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('<') || line.startsWith('\uFEFF')) {
      return ok(undefined);
    }
    return this.#format === 'mt5-ticks' ? this.#mt5(line, lineNo) : this.#csv(line, lineNo);
  }

  #mt5(line: string, lineNo: number): Result<ReplayTick | undefined, BadReplay> {
    const cells = line.split('\t');
    if (cells.length < 4) return bad(lineNo, 'expected <DATE> <TIME> <BID> <ASK> … separated by tabs');
    const timeMs = this.#mt5Time(cells[0] ?? '', cells[1] ?? '');
    if (timeMs === undefined) return bad(lineNo, 'the date or time is not YYYY.MM.DD HH:MM:SS.mmm');
    const bidCell = (cells[2] ?? '').trim();
    const askCell = (cells[3] ?? '').trim();
    if (bidCell !== '') {
      const bid = decimal(bidCell);
      if (bid === undefined) return bad(lineNo, 'the bid is not a positive decimal price');
      this.#bid = bid;
    }
    if (askCell !== '') {
      const ask = decimal(askCell);
      if (ask === undefined) return bad(lineNo, 'the ask is not a positive decimal price');
      this.#ask = ask;
    }
    const order = this.#checkTime(this.#symbol, timeMs, lineNo);
    if (!order.ok) return order;
    // A row that changed only LAST (exchange instruments) or came before both sides were known moves no quote.
    if ((bidCell === '' && askCell === '') || this.#bid === 0 || this.#ask === 0) return ok(undefined);
    if (this.#ask < this.#bid) return bad(lineNo, 'the ask is below the bid');
    return ok({ symbol: this.#symbol, bid: this.#bid, ask: this.#ask, timeMs });
  }

  #csv(line: string, lineNo: number): Result<ReplayTick | undefined, BadReplay> {
    const cells = line.split(',');
    if (cells.length !== 4) return bad(lineNo, 'expected time,symbol,bid,ask');
    const timeCell = (cells[0] ?? '').trim();
    if (timeCell.toLowerCase() === 'time') return ok(undefined);
    const symbol = (cells[1] ?? '').trim();
    if (!isCsvSymbol(symbol)) return bad(lineNo, 'the symbol is not a symbol name');
    if (this.#symbols !== undefined && !this.#symbols.has(symbol)) return ok(undefined);
    const timeMs = csvTime(timeCell);
    if (timeMs === undefined) return bad(lineNo, 'the time is neither ms since 1970 nor an ISO date');
    const bid = decimal((cells[2] ?? '').trim());
    const ask = decimal((cells[3] ?? '').trim());
    if (bid === undefined || ask === undefined)
      return bad(lineNo, 'bid and ask must be positive decimal prices');
    if (ask < bid) return bad(lineNo, 'the ask is below the bid');
    const order = this.#checkTime(symbol, timeMs, lineNo);
    if (!order.ok) return order;
    return ok({ symbol, bid, ask, timeMs });
  }

  #checkTime(symbol: string, timeMs: number, lineNo: number): Result<void, BadReplay> {
    const last = this.#lastTime.get(symbol);
    if (last !== undefined && timeMs < last)
      return bad(lineNo, `the time goes back (ticks of ${symbol} must be in time order)`);
    this.#lastTime.set(symbol, timeMs);
    return ok(undefined);
  }

  /** Ms on the server clock; a day's start is cached, since an export's rows share a date for hours. */
  #mt5Time(date: string, time: string): number | undefined {
    if (date !== this.#dayKey) {
      const d = MT5_DATE.exec(date);
      if (d === null) return undefined;
      const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
      const ms = Date.UTC(year, month - 1, day);
      // Date.UTC rolls 2024.02.31 over into March: refuse what it had to roll.
      const check = new Date(ms);
      if (year < 1970 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
      this.#dayKey = date;
      this.#dayMs = ms;
    }
    const t = MT5_TIME.exec(time);
    if (t === null) return undefined;
    const [h, m, s] = [Number(t[1]), Number(t[2]), Number(t[3])];
    if (h > 23 || m > 59 || s > 59) return undefined;
    const ms = t[4] === undefined ? 0 : Number(t[4].padEnd(3, '0'));
    return this.#dayMs + ((h * 60 + m) * 60 + s) * 1000 + ms;
  }
}

/**
 * A symbol name as MT5 allows it (1–64 characters, brokers add `.`, `#`, `_`, `!`, `+` …) that a CSV cell can hold:
 * no comma, quote, space or control character. The recorder skips ticks of other names.
 */
export function isCsvSymbol(name: string): boolean {
  if (name.length === 0 || name.length > 64 || /[\s,"]/.test(name)) return false;
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

/** Ms since 1970 (digits only, up to year 9999) or an ISO date with a year, month and day. */
function csvTime(cell: string): number | undefined {
  if (/^\d{1,14}$/.test(cell)) {
    const ms = Number(cell);
    return ms <= 253_402_300_799_999 ? ms : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(cell)) return undefined;
  const ms = Date.parse(cell);
  return Number.isNaN(ms) || ms < 0 ? undefined : ms;
}

/**
 * Parses a whole tick file already in memory (tests, small files); src-main streams large ones through
 * {@link TickLineParser}. Stops at `maxTicks` with a refusal rather than filling memory.
 */
export function parseTickFile(
  text: string,
  format: 'mt5-ticks' | 'csv-ticks',
  options: TickLineOptions & { readonly maxTicks?: number } = {},
): Result<ReplayTick[], BadReplay> {
  const parser = new TickLineParser(format, options);
  const maxTicks = options.maxTicks ?? Number.POSITIVE_INFINITY;
  const ticks: ReplayTick[] = [];
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo += 1;
    const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    const r = parser.line(raw, lineNo);
    if (!r.ok) return r;
    if (r.value === undefined) continue;
    if (ticks.length >= maxTicks) {
      return err(appError('BAD_REPLAY', `more than ${String(maxTicks)} ticks: split the file`));
    }
    ticks.push(r.value);
  }
  if (ticks.length === 0) return err(appError('BAD_REPLAY', 'no ticks in the file'));
  return ok(ticks);
}
