import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseBarFile } from '../../../src-core/backtest/bar-file';
import type { Bar } from '../../../src-core/chart/bars';
import { appError, err, ok, type AppError, type Result } from '../../../src-core/result';
import { SYMBOL_CATALOG, findCatalogSymbol } from '../../../src-core/trading/catalog';
import { normalizePrice } from '../../../src-core/trading/numbers';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { parseReplayCsv, type FeedTick } from '../../../src-bridge/simulator/feed';

/** The largest file a replay opens (a month of one symbol's ticks, or decades of M1 bars). */
export const MAX_REPLAY_BYTES = 100 * 1024 * 1024;

/** What a replay plays: quote steps in time order and the specifications of their symbols. */
export interface ReplayData {
  readonly ticks: readonly FeedTick[];
  readonly specs: readonly SymbolSpec[];
  /** Which reader took the file (docs/replay.md, "Files"). */
  readonly format: 'mt5-bars' | 'pipdesk-bars' | 'pipdesk-ticks';
}

type ReplayFileError = AppError<'BAD_REPLAY' | 'REPLAY_FILE_NOT_FOUND' | 'REPLAY_TOO_LARGE'>;

/**
 * Reads a replay file: the one place that knows file formats, so a new one (MT5's tick export, the app's own
 * recordings) plugs in here and every caller gets it. Sizes are checked before the file is read.
 */
export async function loadReplayFile(path: string): Promise<Result<ReplayData, ReplayFileError>> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    return err(appError('REPLAY_FILE_NOT_FOUND', `There is no replay file ${basename(path)}.`));
  }
  if (size > MAX_REPLAY_BYTES) {
    return err(
      appError(
        'REPLAY_TOO_LARGE',
        `${basename(path)} is ${String(Math.round(size / 1048576))} MB; a replay opens files up to ` +
          `${String(MAX_REPLAY_BYTES / 1048576)} MB. Export a shorter period.`,
      ),
    );
  }
  return parseReplayFile(decodeText(await readFile(path)), basename(path));
}

/** UTF-8, or UTF-16 when the file starts with its byte-order mark (what some MT5 builds write). */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  const text = bytes.toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * Parses a replay file's text. MT5's bar export (a `<DATE>` header, tab-separated) names no symbol, so the file
 * name does, as MT5 names its exports (`EURUSD_M1_202401020000_202401312359.csv`). Pipdesk's CSV carries the
 * symbol on each line: four prices per line are bars, two are ticks.
 */
export function parseReplayFile(text: string, fileName: string): Result<ReplayData, AppError<'BAD_REPLAY'>> {
  const firstLine = text.slice(0, 512).split(/\r?\n/)[0] ?? '';
  if (firstLine.includes('<DATE>')) {
    const symbol = fileName.replace(/\.[^.]*$/, '').split('_')[0] ?? '';
    const spec = findCatalogSymbol(symbol);
    if (spec === undefined) {
      return err(
        appError(
          'BAD_REPLAY',
          `An MT5 bar export is named after its symbol (EURUSD_M1_….csv); "${symbol}" is not a symbol Pipdesk knows.`,
        ),
      );
    }
    const bars = parseBarFile(text, spec.name);
    return bars.ok ? ok({ ticks: barTicks(bars.value, spec), specs: [spec], format: 'mt5-bars' }) : bars;
  }
  const dataLine = text
    .split(/\r?\n/, 50)
    .map((l) => l.trim())
    .find((l) => /^\d/.test(l));
  if (dataLine === undefined) return err(appError('BAD_REPLAY', 'The file holds no ticks or bars.'));
  if (dataLine.split(',').length === 6) {
    const symbols = new Set<string>();
    for (const line of text.split(/\r?\n/)) {
      const cells = line.split(',');
      if (cells.length === 6 && /^\d/.test(cells[0]?.trim() ?? '')) symbols.add(cells[1]?.trim() ?? '');
    }
    const ticks: FeedTick[] = [];
    const specs: SymbolSpec[] = [];
    for (const symbol of symbols) {
      const spec = findCatalogSymbol(symbol);
      if (spec === undefined) return err(appError('BAD_REPLAY', `unknown symbol ${symbol}`));
      const bars = parseBarFile(text, symbol);
      if (!bars.ok) return bars;
      specs.push(spec);
      ticks.push(...barTicks(bars.value, spec));
    }
    return ok({ ticks: inTimeOrder(ticks), specs, format: 'pipdesk-bars' });
  }
  const catalog = new Map(SYMBOL_CATALOG.map((s) => [s.name, s]));
  const parsed = parseReplayCsv(text, catalog);
  if (!parsed.ok) return parsed;
  if (parsed.value.length === 0) return err(appError('BAD_REPLAY', 'The file holds no ticks.'));
  const names = new Set(parsed.value.map((t) => t.symbol));
  return ok({
    ticks: inTimeOrder(parsed.value),
    specs: SYMBOL_CATALOG.filter((s) => names.has(s.name)),
    format: 'pipdesk-ticks',
  });
}

/** A stable sort by time (ticks of one instant keep the file's order). */
function inTimeOrder(ticks: FeedTick[]): FeedTick[] {
  return ticks
    .map((tick, i) => ({ tick, i }))
    .sort((a, b) => a.tick.timeMs - b.tick.timeMs || a.i - b.i)
    .map((x) => x.tick);
}

/**
 * Four quote steps per bar, spread over the bar (a quarter of the bars' spacing apart, so an M1 bar's prices are
 * 15 s apart and its stops trigger at distinct times): open, the nearer extreme, the other, close, the way
 * run-backtest.ts walks a bar. The ask adds the bar's spread, or the symbol's typical one where the bar has none.
 */
function barTicks(bars: readonly Bar[], spec: SymbolSpec): FeedTick[] {
  let spacing = Number.POSITIVE_INFINITY;
  for (let i = 1; i < bars.length; i += 1) {
    spacing = Math.min(spacing, (bars[i]?.timeMs ?? 0) - (bars[i - 1]?.timeMs ?? 0));
  }
  const step = Number.isFinite(spacing) ? Math.max(1, Math.floor(spacing / 4)) : 15_000;
  const typical = (spec.spreadPoints ?? 10) * spec.point;
  const ticks: FeedTick[] = [];
  for (const bar of bars) {
    const path =
      bar.close >= bar.open
        ? [bar.open, bar.low, bar.high, bar.close]
        : [bar.open, bar.high, bar.low, bar.close];
    const spread = bar.spread > 0 ? bar.spread * spec.point : typical;
    path.forEach((price, i) => {
      const bid = normalizePrice(price, spec.tickSize);
      ticks.push({
        symbol: spec.name,
        bid,
        ask: normalizePrice(bid + spread, spec.tickSize),
        timeMs: bar.timeMs + i * step,
      });
    });
  }
  return ticks;
}
