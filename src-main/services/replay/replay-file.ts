import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { detectReplayFormat, type ReplayFormat } from '../../../src-core/backtest/tick-file';
import { appError, err, ok, type AppError, type Result } from '../../../src-core/result';
import { findCatalogSymbol } from '../../../src-core/trading/catalog';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import type { FeedTick } from '../../../src-bridge/simulator/feed';
import { loadReplayFile as readReplayFile, readFirstLine } from '../replay-file';

/** The largest file a replay opens (a month of one symbol's ticks, or decades of M1 bars). */
export const MAX_REPLAY_BYTES = 100 * 1024 * 1024;

/** What a replay plays: quote steps in time order and the specifications of their symbols. */
export interface ReplayData {
  readonly ticks: readonly FeedTick[];
  readonly specs: readonly SymbolSpec[];
  /** Which format the file is in (docs/backtest.md, "Data files"). */
  readonly format: ReplayFormat;
}

type ReplayFileError = AppError<'BAD_REPLAY' | 'REPLAY_FILE_NOT_FOUND' | 'REPLAY_TOO_LARGE'>;

/**
 * Reads a replay file for a replay session: sizes are checked first, then the app's one reader of replay files
 * (`src-main/services/replay-file.ts`: MT5's tick and bar exports, Pipdesk's tick and bar CSV, recordings) reads it.
 * MT5's exports name no symbol in their rows, so the file name does, as MT5 names them
 * (`EURUSD_M1_202401020000_202401312359.csv`, `EURUSD_202401020000_202401021200.csv`). Symbols are the catalog's.
 */
export async function loadReplayFile(path: string): Promise<Result<ReplayData, ReplayFileError>> {
  const name = basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    return err(appError('REPLAY_FILE_NOT_FOUND', `There is no replay file ${name}.`));
  }
  if (size > MAX_REPLAY_BYTES) {
    return err(
      appError(
        'REPLAY_TOO_LARGE',
        `${name} is ${String(Math.round(size / 1048576))} MB; a replay opens files up to ` +
          `${String(MAX_REPLAY_BYTES / 1048576)} MB. Export a shorter period.`,
      ),
    );
  }
  const format = detectReplayFormat(await readFirstLine(path));
  const isMt5 = format.ok && format.value.startsWith('mt5-');
  const symbol = name.replace(/\.[^.]*$/, '').split('_')[0] ?? '';
  if (isMt5 && findCatalogSymbol(symbol) === undefined) {
    return err(
      appError(
        'BAD_REPLAY',
        `An MT5 export is named after its symbol (EURUSD_M1_….csv); "${symbol}" is not a symbol Pipdesk knows.`,
      ),
    );
  }
  const data = await readReplayFile(path, {
    ...(isMt5 ? { symbol } : {}),
    pricing: (s) => findCatalogSymbol(s),
  });
  if (!data.ok) return data;
  const specs: SymbolSpec[] = [];
  for (const s of data.value.symbols) {
    const spec = findCatalogSymbol(s);
    if (spec === undefined) return err(appError('BAD_REPLAY', `unknown symbol ${s}`));
    specs.push(spec);
  }
  if (data.value.ticks.length === 0) return err(appError('BAD_REPLAY', 'The file holds no ticks or bars.'));
  return ok({ ticks: data.value.ticks, specs, format: data.value.format });
}
