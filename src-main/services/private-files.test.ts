import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { createFileLogger } from './file-logger';
import { ensurePrivateDir, ensurePrivateFile, restrictExisting } from './private-files';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'pipdesk-private-'));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

// These files exist only off Windows in this sense; CI runs the suite on Linux (docs/testing.md).
describe.runIf(process.platform !== 'win32')('the data folder off Windows', () => {
  it('creates the folder 0700 and the journal, its -wal and -shm 0600', () => {
    const dataDir = join(base, 'Pipdesk');
    ensurePrivateDir(dataDir);
    const file = join(dataDir, 'pipdesk.db');
    const db = openDatabase(file);
    try {
      db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
      expect(modeOf(dataDir)).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(path), path).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('tightens a folder and database an older version left readable by others', () => {
    const dataDir = join(base, 'old');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, 'pipdesk.db');
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      writeFileSync(path, '');
      chmodSync(path, 0o644);
    }
    rmSync(`${file}-wal`);
    rmSync(`${file}-shm`);
    const db = openDatabase(file);
    try {
      db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
      expect(modeOf(dataDir)).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(path), path).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('writes logs 0600 in a 0700 folder, rotated archives and the fresh file included', () => {
    const logs = join(base, 'data', 'logs');
    const logger = createFileLogger({ file: join(logs, 'main.log'), maxBytes: 2_000, keep: 2 });
    for (let i = 0; i < 100; i += 1) logger.info('a line long enough to rotate the file soon', { i });
    const files = readdirSync(logs);
    expect(files).toEqual(expect.arrayContaining(['main.log', 'main.1.log']));
    expect(modeOf(logs)).toBe(0o700);
    for (const name of files) expect(modeOf(join(logs, name)), name).toBe(0o600);
  });

  it('restricts only files that exist and leaves missing ones missing', () => {
    const present = join(base, 'present');
    writeFileSync(present, 'x', { mode: 0o644 });
    chmodSync(present, 0o644);
    restrictExisting([present, join(base, 'absent')]);
    expect(modeOf(present)).toBe(0o600);
    expect(readdirSync(base)).toEqual(['present']);
  });
});

describe('the data folder on Windows', () => {
  it('only creates the folder and file: no chmod (NTFS ACLs of the profile apply)', () => {
    const dir = join(base, 'win');
    ensurePrivateDir(dir, 'win32');
    const file = join(dir, 'pipdesk.db');
    ensurePrivateFile(file, 'win32');
    if (process.platform !== 'win32') {
      chmodSync(file, 0o644);
      restrictExisting([file], 'win32');
      expect(modeOf(file)).toBe(0o644);
    }
    expect(statSync(file).isFile()).toBe(true);
  });
});
