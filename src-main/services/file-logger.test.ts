import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, redact } from '../../src-core/logger';
import { createFileLogger } from './file-logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-log-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('logger', () => {
  it('redacts secret-looking keys at any depth, keeps the rest', () => {
    expect(
      redact({
        token: 't',
        nested: { password: 'p', accessToken: 'a', margin: 12.5 },
        list: [{ apiKey: 'k' }],
      }),
    ).toEqual({
      token: '[redacted]',
      nested: { password: '[redacted]', accessToken: '[redacted]', margin: 12.5 },
      list: [{ apiKey: '[redacted]' }],
    });
  });

  it('writes lines with fields to a file and rotates it, keeping a bounded number of archives', () => {
    const file = join(dir, 'main.log');
    const log = createFileLogger({ file, maxBytes: 1500, keep: 2 });
    for (let i = 0; i < 200; i += 1) log.info('order margin', { i, margin: 12.3, token: 'secret-value' });
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('order margin {"i":199,"margin":12.3,"token":"[redacted]"}');
    expect(text).not.toContain('secret-value');
  });

  it('captures redacted records in memory for tests', () => {
    const log = createMemoryLogger();
    log.warn('x', { password: 'p' });
    expect(log.records).toEqual([{ level: 'warn', message: 'x', fields: { password: '[redacted]' } }]);
  });
});
