import { DEFAULT_NOTIFICATION_SETTINGS } from '../../src-core/contracts/notification-settings';
import type { Result } from '../../src-core/result';
import { appError, err, ok } from '../../src-core/result';
import type { SettingsPatch } from '../../src-core/contracts/ipc';
import { Settings, SettingsPatch as SettingsPatchSchema } from '../../src-core/contracts/ipc';
import type { Clock } from '../../src-core/clock';
import type { Db, Migration } from './database';
import { migrate } from './database';
import { Emitter } from '../../src-core/emitter';
import type { Logger } from '../../src-core/logger';

/** Settings a fresh install starts with (docs/order-lifecycle.md: max lot 10.0, max 20 open positions; retries off). */
export const DEFAULT_SETTINGS: Settings = Object.freeze({
  riskLimits: Object.freeze({
    maxLotSize: 10,
    maxOpenPositions: 20,
    maxRiskPercent: null,
    isRetryAllowed: false,
    maxRetries: 2,
  }),
  isOneClickEnabled: false,
  isOneClickRiskAcknowledged: false,
  pipeName: 'pipdesk',
  theme: 'system',
  watchlist: Object.freeze(['EURUSD', 'GBPUSD', 'USDJPY', 'XAUUSD']) as string[],
  defaultVolume: 0.1,
  defaultDeviationPoints: 10,
  // MT5 shows the trade server's clock; traders compare Pipdesk with it first.
  timeDisplay: 'server',
  notifications: DEFAULT_NOTIFICATION_SETTINGS,
  isTickRecordingEnabled: false,
});

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings table',
    up: (db) => {
      db.exec(
        'CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)',
      );
    },
  },
];

const KEY = 'app';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The user's settings, validated with the IPC contract's schema and stored as one JSON row in SQLite. Reads are
 * served from memory; every change is written before it is announced.
 */
export class SettingsStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #changed: Emitter<[Settings]>;
  #current: Settings;

  constructor(db: Db, clock: Clock, logger: Logger) {
    this.#db = db;
    this.#clock = clock;
    this.#logger = logger;
    this.#changed = new Emitter<[Settings]>((e) => {
      logger.error('settings listener failed', { error: e });
    });
    migrate(db, 'settings', MIGRATIONS);
    this.#current = this.#load();
  }

  /**
   * Reads the stored row over the defaults, field by field, so a file written by an older version (missing fields)
   * or damaged by hand keeps what is still valid instead of failing start-up.
   */
  #load(): Settings {
    const row = this.#db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as
      { value: string } | undefined;
    if (row === undefined) return structuredClone(DEFAULT_SETTINGS);
    let stored: unknown;
    try {
      stored = JSON.parse(row.value);
    } catch {
      this.#logger.warn('settings: stored value is not JSON; using defaults');
      return structuredClone(DEFAULT_SETTINGS);
    }
    if (!isRecord(stored)) return structuredClone(DEFAULT_SETTINGS);
    const merged: Record<string, unknown> = structuredClone(DEFAULT_SETTINGS);
    for (const [key, value] of Object.entries(stored)) {
      if (!(key in merged)) continue;
      const candidate =
        key === 'riskLimits' && isRecord(value)
          ? { ...(merged['riskLimits'] as Record<string, unknown>), ...value }
          : value;
      const trial = Settings.safeParse({ ...merged, [key]: candidate });
      if (trial.success) merged[key] = candidate;
      else this.#logger.warn('settings: ignoring an invalid stored field', { field: key });
    }
    return Settings.parse(merged);
  }

  /** The current settings (a copy). */
  get(): Settings {
    return structuredClone(this.#current);
  }

  /** The current settings without copying, for hot paths that only read (the executor, per order). */
  peek(): Readonly<Settings> {
    return this.#current;
  }

  /**
   * Validates and applies a patch (possibly from the renderer), stores the result and announces it.
   * Answers `INVALID_SETTINGS` with the field errors when the patch is not valid.
   */
  set(patch: unknown): Result<Settings> {
    const parsed = SettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      return err(
        appError('INVALID_SETTINGS', 'These settings are not valid.', {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        }),
      );
    }
    const p: SettingsPatch = parsed.data;
    const next: Record<string, unknown> = { ...this.#current };
    for (const [key, value] of Object.entries(p)) {
      if (value === undefined) continue;
      next[key] = key === 'riskLimits' ? { ...this.#current.riskLimits, ...(value as object) } : value;
    }
    const full = Settings.safeParse(next);
    if (!full.success) {
      return err(appError('INVALID_SETTINGS', 'These settings are not valid.'));
    }
    this.#db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(KEY, JSON.stringify(full.data), this.#clock.now());
    this.#current = full.data;
    this.#logger.info('settings changed', { fields: Object.keys(p) });
    this.#changed.emit(this.get());
    return ok(this.get());
  }

  /** Called with the full settings after every change. Returns an unsubscribe function. */
  onChanged(listener: (settings: Settings) => void): () => void {
    return this.#changed.on(listener);
  }
}
