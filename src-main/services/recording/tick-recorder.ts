import { appendFile, chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CSV_TICKS_HEADER, isCsvSymbol } from '../../../src-core/backtest/tick-file';
import type {
  RecordingFile,
  RecordingState,
  RecordingStatus,
} from '../../../src-core/contracts/ipc-recording';
import type { Logger } from '../../../src-core/logger';
import { ensurePrivateDir } from '../private-files';

/** One day's file at most 256 MB (a busy day of 30 symbols is a few tens of MB). */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
/** All recordings at most 2 GB; older days must be deleted by hand to record more (docs/user-guide.md). */
export const DEFAULT_MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024;
/** Ticks waiting for the disk at most; past this (a stalled disk) ticks are skipped, never queued without end. */
export const DEFAULT_MAX_PENDING_TICKS = 100_000;
/** How often buffered ticks are appended. */
export const DEFAULT_FLUSH_MS = 1_000;

const DAY_MS = 86_400_000;
const FILE_NAME = /^(\d{4}-\d{2}-\d{2})\.csv$/;

/** A quote to record; `timeMs` is the terminal's own tick time, on the trade server's clock. */
export interface RecordedTick {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly timeMs: number;
}

/** Options of {@link createTickRecorder}. */
export interface TickRecorderOptions {
  /** `<data folder>/recordings`; created 0700 off Windows when the first ticks are written. */
  readonly dir: string;
  readonly logger: Logger;
  readonly maxFileBytes?: number;
  readonly maxTotalBytes?: number;
  readonly maxPendingTicks?: number;
  readonly flushMs?: number;
  readonly platform?: NodeJS.Platform;
}

export interface TickRecorder {
  /**
   * Buffers one tick (a string append: the tick path never waits for the disk). Skipped when recording is off, when
   * the tick cannot be replayed (no price, ask below bid, a name a CSV cell cannot hold, a time before the symbol's
   * last), repeats the symbol's last quote exactly, or when the buffer is full.
   */
  record(tick: RecordedTick): void;
  setEnabled(isEnabled: boolean): void;
  status(): RecordingStatus;
  /** Writes what is buffered, then lists the day files, newest first (and counts the folder's size again). */
  list(): Promise<RecordingFile[]>;
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Writes what is buffered and stops the timer. */
  close(): Promise<void>;
}

/**
 * A price as the tick reader accepts it (tick-file.ts): a plain decimal with at most 10 decimals, never an
 * exponent (`String(1e-7)` is `1e-7`) nor binary noise (`0.1 + 0.2` is written `0.3`). `undefined` when it rounds
 * to 0 or is 1e10 or more.
 */
function formatPrice(price: number): string | undefined {
  if (!(price > 0 && price < 1e10)) return undefined;
  const text = price.toFixed(10).replace(/\.?0+$/, '');
  return text === '0' ? undefined : text;
}

const dayOf = (timeMs: number): string => new Date(timeMs - (timeMs % DAY_MS)).toISOString().slice(0, 10);

/**
 * Records the live terminal's ticks as Pipdesk's tick CSV, one file per trade-server day
 * (`recordings/2026-12-03.csv`, 0600 like the other data files), appended once a second from a bounded buffer,
 * with a cap per day file and for the folder. Which ticks reach it (the live terminal's, never a paper or replay
 * session's) is decided where it is wired (src-main/app/desktop-app.ts). See docs/user-guide.md, "Recording ticks".
 */
export function createTickRecorder(options: TickRecorderOptions): TickRecorder {
  const { dir, logger } = options;
  const platform = options.platform ?? process.platform;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const maxPending = options.maxPendingTicks ?? DEFAULT_MAX_PENDING_TICKS;
  const flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
  let isEnabled = false;
  let pending = new Map<string, string[]>();
  let pendingCount = 0;
  const lastTick = new Map<string, RecordedTick>();
  /** The day of the last tick and its lines, so the common case needs no date formatting. */
  let dayStart = Number.NEGATIVE_INFINITY;
  let dayLines: string[] = [];
  const fileBytes = new Map<string, number>();
  let totalBytes: number | undefined;
  let written = 0;
  let skipped = 0;
  let state: Exclude<RecordingState, 'off'> = 'recording';
  let message: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();

  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushMs);
    timer.unref();
  };

  async function countTotal(): Promise<number> {
    let sum = 0;
    for (const file of await listFiles()) sum += file.bytes;
    return sum;
  }

  async function listFiles(): Promise<RecordingFile[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const files: RecordingFile[] = [];
    for (const name of names) {
      const day = FILE_NAME.exec(name)?.[1];
      if (day === undefined) continue;
      try {
        const s = await stat(join(dir, name));
        if (s.isFile())
          files.push({ name, path: join(dir, name), day, bytes: s.size, modifiedMs: s.mtimeMs });
      } catch {
        // Deleted meanwhile.
      }
    }
    return files.sort((a, b) => b.day.localeCompare(a.day));
  }

  async function sizeOf(file: string): Promise<number> {
    try {
      return (await stat(file)).size;
    } catch {
      return 0;
    }
  }

  async function write(batch: Map<string, string[]>, count: number): Promise<void> {
    let isCapped = false;
    try {
      ensurePrivateDir(dir, platform);
      totalBytes ??= await countTotal();
      for (const [day, lines] of batch) {
        const file = join(dir, `${day}.csv`);
        const known = fileBytes.get(day);
        const size = known ?? (await sizeOf(file));
        let text = size === 0 ? `${CSV_TICKS_HEADER}\n` : '';
        let taken = 0;
        for (const line of lines) {
          // The lines are ASCII (digits, a checked symbol name), so characters are bytes.
          if (
            size + text.length + line.length > maxFileBytes ||
            totalBytes + text.length + line.length > maxTotalBytes
          ) {
            isCapped = true;
            message =
              size + text.length + line.length > maxFileBytes
                ? `${day}.csv reached ${String(maxFileBytes)} bytes; recording goes on with the next day`
                : `the recordings reached ${String(maxTotalBytes)} bytes; delete old days to record more`;
            break;
          }
          text += line;
          taken += 1;
        }
        skipped += lines.length - taken;
        if (taken === 0) continue;
        await appendFile(file, text, { mode: 0o600 });
        // A file first seen in this run is made owner-only, even if something created it looser.
        if (known === undefined && platform !== 'win32') await chmod(file, 0o600);
        fileBytes.set(day, size + text.length);
        totalBytes += text.length;
        written += taken;
      }
      state = isCapped ? 'full' : 'recording';
      if (!isCapped) message = undefined;
    } catch (error) {
      skipped += count;
      // Sizes may be off after a failed write: read them again next time.
      fileBytes.clear();
      totalBytes = undefined;
      if (state !== 'failed')
        logger.warn('recording: a write failed; ticks are skipped until one succeeds', { error });
      state = 'failed';
      message = `writing to ${dir} failed: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    }
  }

  function flush(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    const batch = pending;
    const count = pendingCount;
    pending = new Map();
    pendingCount = 0;
    dayStart = Number.NEGATIVE_INFINITY;
    // One write at a time, in order: a day's lines are appended in the order they came.
    writing = writing.then(() => (count === 0 ? undefined : write(batch, count)));
    return writing;
  }

  return {
    record(tick) {
      if (!isEnabled) return;
      const { symbol, bid, ask, timeMs } = tick;
      const bidText = formatPrice(bid);
      const askText = formatPrice(ask);
      if (
        bidText === undefined ||
        askText === undefined ||
        ask < bid ||
        !Number.isSafeInteger(timeMs) ||
        timeMs < 0 ||
        !isCsvSymbol(symbol) ||
        pendingCount >= maxPending
      ) {
        skipped += 1;
        return;
      }
      const last = lastTick.get(symbol);
      // A time going back cannot be replayed; the same quote again (a terminal re-sends the current one to every
      // new subscription) adds nothing.
      if (
        last !== undefined &&
        (timeMs < last.timeMs || (timeMs === last.timeMs && bid === last.bid && ask === last.ask))
      ) {
        skipped += 1;
        return;
      }
      lastTick.set(symbol, tick);
      if (timeMs < dayStart || timeMs >= dayStart + DAY_MS) {
        dayStart = timeMs - (timeMs % DAY_MS);
        const day = dayOf(timeMs);
        const lines = pending.get(day) ?? [];
        pending.set(day, lines);
        dayLines = lines;
      }
      dayLines.push(`${String(timeMs)},${symbol},${bidText},${askText}\n`);
      pendingCount += 1;
      schedule();
    },
    setEnabled(next) {
      if (next === isEnabled) return;
      isEnabled = next;
      if (next) {
        // Files may have been deleted while it was off: count again before the first write.
        totalBytes = undefined;
        fileBytes.clear();
        state = 'recording';
        message = undefined;
      } else {
        void flush();
      }
    },
    status: () => ({
      state: isEnabled ? state : 'off',
      dir,
      ticksWritten: written,
      ticksSkipped: skipped,
      totalBytes: totalBytes ?? 0,
      maxFileBytes,
      maxTotalBytes,
      ...(message === undefined || !isEnabled ? {} : { message }),
    }),
    async list() {
      await flush();
      const files = await listFiles();
      totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);
      return files;
    },
    flush,
    async close() {
      await flush();
    },
  };
}
