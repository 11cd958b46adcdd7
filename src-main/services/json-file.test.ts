import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonFile, writeJsonFileAtomic } from './json-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-json-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const Names = z.record(z.string(), z.string());

describe('atomic JSON file', () => {
  it('writes, replaces and reads back, leaving no temporary file, owner-only', () => {
    const file = join(dir, 'sub', 'secrets.json');
    writeJsonFileAtomic(file, { a: '1' });
    writeJsonFileAtomic(file, { a: '2', b: '3' });
    expect(readJsonFile(file, Names)).toEqual({ a: '2', b: '3' });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['secrets.json']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reads a missing, torn or foreign file as nothing stored', () => {
    const file = join(dir, 'x.json');
    expect(readJsonFile(file, Names)).toBeNull();
    writeFileSync(file, '{"a":"1"');
    expect(readJsonFile(file, Names)).toBeNull();
    writeFileSync(file, '{"a":1}');
    expect(readJsonFile(file, Names)).toBeNull();
  });

  it('leaves the old file whole when the new data cannot be written', () => {
    const file = join(dir, 'x.json');
    writeJsonFileAtomic(file, { a: '1' });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => {
      writeJsonFileAtomic(file, cyclic);
    }).toThrow();
    expect(readJsonFile(file, Names)).toEqual({ a: '1' });
  });
});
