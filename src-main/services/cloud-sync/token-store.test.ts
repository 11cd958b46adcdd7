import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileTokenStore, createMemoryTokenStore } from './token-store';

const dirs: string[] = [];
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pipdesk-tokens-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('file token store (web host)', () => {
  it('keeps the secret in a file only the user can read, and forgets it on remove', () => {
    const file = join(dir(), 'sub', 'cloud-token.json');
    const store = createFileTokenStore(file);
    expect(store.load('cloud.refresh')).toEqual({ ok: true, value: null });
    expect(store.save('cloud.refresh', 'r-123').ok).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(createFileTokenStore(file).load('cloud.refresh')).toEqual({ ok: true, value: 'r-123' });
    expect(store.description).toMatch(/readable only by your user/);
    store.remove('cloud.refresh');
    expect(store.load('cloud.refresh')).toEqual({ ok: true, value: null });
  });

  it('treats a damaged or foreign file as empty and refuses bad names', () => {
    const file = join(dir(), 'cloud-token.json');
    for (const content of ['{not json', '[]', 'null', '{"cloud.refresh": 42}']) {
      writeFileSync(file, content);
      expect(createFileTokenStore(file).load('cloud.refresh')).toEqual({ ok: true, value: null });
    }
    const store = createFileTokenStore(file);
    expect(store.save('../escape', 'x').ok).toBe(false);
    expect(store.save('cloud.refresh', 'fresh').ok).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'cloud.refresh': 'fresh' });
  });
});

describe('memory token store', () => {
  it('keeps secrets for the run only', () => {
    const store = createMemoryTokenStore();
    store.save('cloud.refresh', 'm');
    expect(store.load('cloud.refresh')).toEqual({ ok: true, value: 'm' });
    expect(createMemoryTokenStore().load('cloud.refresh')).toEqual({ ok: true, value: null });
  });
});
