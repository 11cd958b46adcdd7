import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './database';
import { openDatabase } from './database';
import { createMemoryLogger } from '../../src-core/logger';
import { DEFAULT_SETTINGS, SettingsStore } from './settings';

let dir: string;
let db: Db;
const clock = { now: () => 1_700_000_000_000 };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-settings-'));
  db = openDatabase(join(dir, 'pipdesk.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SettingsStore', () => {
  it('starts with the issue defaults: max lot 10, 20 positions, retries off, one-click off', () => {
    const s = new SettingsStore(db, clock, createMemoryLogger()).get();
    expect(s).toEqual(DEFAULT_SETTINGS);
    expect(s.riskLimits.maxLotSize).toBe(10);
    expect(s.riskLimits.maxOpenPositions).toBe(20);
    expect(s.riskLimits.isRetryAllowed).toBe(false);
    expect(s.isOneClickEnabled).toBe(false);
  });

  it('applies a partial patch, persists it and announces it', () => {
    const store = new SettingsStore(db, clock, createMemoryLogger());
    const seen: number[] = [];
    store.onChanged((s) => seen.push(s.riskLimits.maxLotSize));
    const r = store.set({ riskLimits: { maxLotSize: 2.5, isRetryAllowed: true }, theme: 'dark' });
    expect(r.ok).toBe(true);
    expect(seen).toEqual([2.5]);
    db.close();
    db = openDatabase(join(dir, 'pipdesk.db'));
    const again = new SettingsStore(db, clock, createMemoryLogger()).get();
    expect(again.riskLimits).toEqual({
      ...DEFAULT_SETTINGS.riskLimits,
      maxLotSize: 2.5,
      isRetryAllowed: true,
    });
    expect(again.theme).toBe('dark');
  });

  it.each([
    [{ riskLimits: { maxLotSize: -1 } }],
    [{ riskLimits: { maxRetries: 50 } }],
    [{ pipeName: 'bad name with spaces' }],
    [{ theme: 'purple' }],
    [{ unknownField: 1 }],
    ['not an object'],
    [null],
  ])('refuses a bad patch %j and keeps the old settings', (patch) => {
    const store = new SettingsStore(db, clock, createMemoryLogger());
    const r = store.set(patch);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INVALID_SETTINGS');
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps valid stored fields and drops damaged ones', () => {
    new SettingsStore(db, clock, createMemoryLogger());
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('app', ?, 0)").run(
      JSON.stringify({ theme: 'light', pipeName: '??', riskLimits: { maxLotSize: 3, maxOpenPositions: -4 } }),
    );
    const logger = createMemoryLogger();
    const s = new SettingsStore(db, clock, logger).get();
    expect(s.theme).toBe('light');
    expect(s.pipeName).toBe(DEFAULT_SETTINGS.pipeName);
    expect(s.riskLimits).toEqual(DEFAULT_SETTINGS.riskLimits);
    expect(logger.records.some((r) => r.level === 'warn')).toBe(true);
  });

  it('survives a stored value that is not JSON', () => {
    new SettingsStore(db, clock, createMemoryLogger());
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('app', '{oops', 0)").run();
    expect(new SettingsStore(db, clock, createMemoryLogger()).get()).toEqual(DEFAULT_SETTINGS);
  });
});
