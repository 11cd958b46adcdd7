import log from 'electron-log/node';
import { basename, dirname, join } from 'node:path';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { ensurePrivateDir, ensurePrivateFile } from './private-files';
import { redact, type LogFields, type Logger, type LogLevel } from '../../src-core/logger';

/** Options for {@link createFileLogger}. */
export interface FileLoggerOptions {
  /** Full path of the log file, e.g. `<dataDir>/logs/main.log`. */
  readonly file: string;
  /** Lowest level written; `info` by default. */
  readonly level?: LogLevel;
  /** Rotate when the file reaches this size (bytes); 5 MiB by default. */
  readonly maxBytes?: number;
  /** Rotated files kept beside the live one (`main.1.log` newest); 3 by default. */
  readonly keep?: number;
}

let instanceCount = 0;

/**
 * A rotating file logger on electron-log's Node build (no Electron needed, so the web host and tests share it).
 * Each line is `message {json fields}` with secrets redacted; nothing goes to the console.
 */
export function createFileLogger(options: FileLoggerOptions): Logger {
  instanceCount += 1;
  const instance = log.create({ logId: `pipdesk-${instanceCount}-${basename(options.file)}` });
  const keep = options.keep ?? 3;
  instance.transports.console.level = false;
  const file = instance.transports.file;
  file.level = options.level ?? 'info';
  file.maxSize = options.maxBytes ?? 5 * 1024 * 1024;
  file.resolvePathFn = () => options.file;
  // electron-log appends to an existing file and keeps its mode: create it 0600 in a 0700 folder first, and
  // again after each rotation (private-files.ts says why).
  ensurePrivateDir(dirname(options.file));
  ensurePrivateFile(options.file);
  file.format = '[{iso}] [{level}] {text}';
  // electron-log keeps one `.old.log`; shift numbered archives so a busy day keeps more history.
  file.archiveLogFn = (oldFile) => {
    const path = oldFile.path;
    const dir = dirname(path);
    const stem = basename(path, '.log');
    rmSync(join(dir, `${stem}.${keep}.log`), { force: true });
    for (let i = keep - 1; i >= 1; i -= 1) {
      const from = join(dir, `${stem}.${i}.log`);
      if (existsSync(from)) renameSync(from, join(dir, `${stem}.${i + 1}.log`));
    }
    renameSync(path, join(dir, `${stem}.1.log`));
    ensurePrivateFile(path);
  };
  const write =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (fields === undefined) instance[level](message);
      else instance[level](`${message} ${JSON.stringify(redact(fields))}`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
