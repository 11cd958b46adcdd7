import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../src-core/contracts/notification-settings';
import { createMemoryLogger } from '../../src-core/logger';
import { openDatabase, type Db } from './database';
import { SettingsStore } from './settings';

let dir: string;
let db: Db;
const clock = { now: () => 1_700_000_000_000 };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-settings-n-'));
  db = openDatabase(join(dir, 'pipdesk.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('notification settings (docs/ui.md, "Notifications")', () => {
  it('reads a file written before notifications existed as the defaults, keeping its other fields', () => {
    new SettingsStore(db, clock, createMemoryLogger());
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('app', ?, 0)").run(
      JSON.stringify({ theme: 'light', timeDisplay: 'local' }),
    );
    const s = new SettingsStore(db, clock, createMemoryLogger()).get();
    expect(s.notifications).toEqual(DEFAULT_NOTIFICATION_SETTINGS);
    expect(s.theme).toBe('light');
  });

  it('stores a switch turned off and reads it back after a restart', () => {
    const store = new SettingsStore(db, clock, createMemoryLogger());
    const next = {
      ...DEFAULT_NOTIFICATION_SETTINGS,
      stopHit: { isInApp: true, isDesktop: false, isSound: true },
    };
    expect(store.set({ notifications: next }).ok).toBe(true);
    db.close();
    db = openDatabase(join(dir, 'pipdesk.db'));
    expect(new SettingsStore(db, clock, createMemoryLogger()).get().notifications).toEqual(next);
  });

  it('drops a damaged stored value for the defaults instead of failing start-up', () => {
    new SettingsStore(db, clock, createMemoryLogger());
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('app', ?, 0)").run(
      JSON.stringify({ notifications: { fill: { isInApp: 'yes' } } }),
    );
    expect(new SettingsStore(db, clock, createMemoryLogger()).get().notifications).toEqual(
      DEFAULT_NOTIFICATION_SETTINGS,
    );
  });

  it.each([
    [{ notifications: { fill: { isInApp: true } } }],
    [{ notifications: null }],
    [{ notifications: { ...DEFAULT_NOTIFICATION_SETTINGS, fill: { isInApp: 1, isDesktop: 1, isSound: 1 } } }],
  ])('refuses a partial or wrongly typed patch %j', (patch) => {
    const store = new SettingsStore(db, clock, createMemoryLogger());
    expect(store.set(patch).ok).toBe(false);
    expect(store.get().notifications).toEqual(DEFAULT_NOTIFICATION_SETTINGS);
  });
});
