import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';

/** Options of {@link writeJsonFileAtomic}. */
export interface JsonWriteOptions {
  /** File mode of a newly written file; 0600 (owner only) by default, as these files hold secrets. */
  readonly mode?: number;
}

/**
 * Reads a JSON file and validates it with `schema`. `null` when the file is missing, is not JSON or does not
 * match: callers treat all three as "nothing stored" (a torn or foreign file must not stop the app).
 */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.output<S> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * Writes `data` as JSON so a reader sees either the old file or the new one, never a torn one, even after a
 * crash or power loss: a uniquely named temporary file beside the target (same filesystem, so the rename is
 * atomic; unique, so two writers never share one), flushed to disk before the rename, then the folder flushed so
 * the rename itself is durable.
 */
export function writeJsonFileAtomic(file: string, data: unknown, options: JsonWriteOptions = {}): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', options.mode ?? 0o600);
  try {
    writeSync(fd, JSON.stringify(data));
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(dir);
}

/** Flushes a folder's entries (the rename). Windows cannot open a folder for fsync; NTFS journals renames. */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
