import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { appError, err, type AppError, type Result } from '../../src-core/result';
import {
  ReplayReader,
  type ReplayData,
  type ReplayReaderOptions,
} from '../../src-core/backtest/replay-reader';

/** A line longer than this is not a tick or a bar of any format we read: the file is refused there. */
export const MAX_REPLAY_LINE_CHARS = 4_096;

/**
 * Reads a replay file of any of the formats in docs/backtest.md ("Data files") in 1 MB chunks through the core's
 * `ReplayReader`, so memory holds the ticks and one chunk, never the file's text. UTF-8, or UTF-16 LE/BE with a
 * byte-order mark (Windows tools, and some terminal builds, save text that way); a file that is not text stops at
 * its first NUL byte. `npm run backtest` and the desktop's replay both load files here.
 */
export async function loadReplayFile(
  path: string,
  options: ReplayReaderOptions,
): Promise<Result<ReplayData, AppError<'BAD_REPLAY'>>> {
  const reader = new ReplayReader(options);
  let decoder: TextDecoder | undefined;
  let carry = '';
  let lineNo = 0;
  const feed = (text: string, isLast: boolean): AppError<'BAD_REPLAY'> | undefined => {
    const chunk = carry + text;
    let start = 0;
    for (;;) {
      const end = chunk.indexOf('\n', start);
      if (end === -1) break;
      lineNo += 1;
      const r = reader.line(chunk.slice(start, chunk.charCodeAt(end - 1) === 13 ? end - 1 : end), lineNo);
      if (!r.ok) return r.error;
      start = end + 1;
    }
    carry = chunk.slice(start);
    if (carry.length > MAX_REPLAY_LINE_CHARS) {
      return appError(
        'BAD_REPLAY',
        `line ${String(lineNo + 1)}: longer than ${String(MAX_REPLAY_LINE_CHARS)} characters`,
      );
    }
    if (isLast && carry !== '') {
      lineNo += 1;
      const r = reader.line(carry.endsWith('\r') ? carry.slice(0, -1) : carry, lineNo);
      carry = '';
      if (!r.ok) return r.error;
    }
    return undefined;
  };
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const buffer of stream as AsyncIterable<Buffer>) {
      if (decoder === undefined) decoder = new TextDecoder(encodingOf(buffer), { fatal: false });
      const failed = feed(decoder.decode(buffer, { stream: true }), false);
      if (failed !== undefined) return err(failed);
    }
    const failed = feed(decoder?.decode() ?? '', true);
    if (failed !== undefined) return err(failed);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return err(appError('BAD_REPLAY', `${path} could not be read (${code})`));
  } finally {
    stream.destroy();
  }
  return reader.finish();
}

/**
 * The file's first line that says anything (not blank, not a `#` comment), decoded as {@link loadReplayFile}
 * decodes the file: what `detectReplayFormat` reads to tell the format before the whole file is.
 */
export async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead);
    const text = new TextDecoder(encodingOf(head), { fatal: false }).decode(head);
    return (
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .find((l) => l !== '' && !l.startsWith('#')) ?? ''
    );
  } finally {
    await handle.close();
  }
}

/** The encoding a byte-order mark names (the decoder drops the mark); UTF-8 without one. */
function encodingOf(head: Buffer): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}
