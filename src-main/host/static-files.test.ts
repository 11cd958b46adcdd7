import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStatic } from './static-files';

describe('readStatic', () => {
  const base = mkdtempSync(join(tmpdir(), 'pipdesk-static-'));
  const root = join(base, 'renderer');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'index.html'), '<div id="root"></div>');
  writeFileSync(join(root, 'assets', 'app.js'), 'inside');
  writeFileSync(join(outside, 'secret.txt'), 'outside-secret');
  writeFileSync(join(base, 'token.txt'), 'outside-token');
  // Real links: one to a file outside, one to a folder outside, one that stays inside (allowed).
  symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'leak.txt'));
  symlinkSync(outside, join(root, 'linked'));
  symlinkSync(join(root, 'assets', 'app.js'), join(root, 'assets', 'alias.js'));

  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('serves files inside the folder, and links that stay inside it', async () => {
    expect((await readStatic(root, '/assets/app.js'))?.body.toString()).toBe('inside');
    expect((await readStatic(root, '/assets/alias.js'))?.body.toString()).toBe('inside');
    expect((await readStatic(root, '/'))?.body.toString()).toContain('root');
  });

  it('refuses a symlink to a file outside the folder', async () => {
    expect(await readStatic(root, '/assets/leak.txt')).toBeNull();
  });

  it('refuses a file reached through a symlinked folder outside', async () => {
    expect(await readStatic(root, '/linked/secret.txt')).toBeNull();
  });

  it('refuses .., NUL, backslashes and encoded traversal', async () => {
    for (const path of [
      '/../token.txt',
      '/assets/../../token.txt',
      '/%2e%2e/token.txt',
      '/assets/..%2f..%2ftoken.txt',
      '/%2E%2E%2Ftoken.txt',
      '/assets%5c..%5c..%5ctoken.txt',
      '/index.html%00.js',
      '/%00',
      '/%E0%A4%A', // malformed escape
      '/..',
    ]) {
      const file = await readStatic(root, path);
      expect(file?.body.toString() ?? '', path).not.toContain('outside');
      if (file !== null) expect(file.body.toString(), path).toContain('root');
    }
  });

  it('answers null when the root itself is missing', async () => {
    expect(await readStatic(join(base, 'missing'), '/')).toBeNull();
  });
});
