import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, restrictExisting } from './private-files';

/** The app's SQLite handle (journal, settings). */
export type Db = Database.Database;

/** One schema step. Versions are applied in order, each inside a transaction, and never edited once shipped. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Db) => void;
}

/**
 * Opens (creating if needed) the app database in WAL mode.
 *
 * Durability: WAL with `synchronous=NORMAL` survives an application crash (committed frames sit in the OS page
 * cache and are replayed), but can lose the last commits on a power cut. The executor raises `synchronous` to
 * FULL for the one write that must survive anything, the `pending` row written before an order is sent
 * (a dedicated FULL connection, {@link openDurableConnection}, or {@link withFullSync}); later updates may run at NORMAL because losing one only leaves the row
 * `pending`/`sent`, which start-up reconciliation settles.
 */
export function openDatabase(file: string): Db {
  const isFile = file !== ':memory:';
  if (isFile) {
    // The file exists 0600 before SQLite opens it, so the -wal and -shm SQLite creates take the same mode
    // (SQLite copies the database file's permissions to them); see private-files.ts for why.
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  if (isFile) restrictExisting([`${file}-wal`, `${file}-shm`]);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Another process (a second app instance, a reader) may hold the write lock briefly.
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * A second connection to a file database with `synchronous=FULL`, for writes that must be fsynced before they
 * return; null for an in-memory database.
 */
export function openDurableConnection(db: Db): Db | null {
  if (db.memory) return null;
  const durable = new Database(db.name);
  durable.pragma('synchronous = FULL');
  durable.pragma('busy_timeout = 5000');
  return durable;
}

/** Runs `fn` with `synchronous=FULL`, so its commit is fsynced before `fn` returns. */
export function withFullSync<T>(db: Db, fn: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return fn();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

/**
 * Applies the migrations of one `scope` (e.g. `journal`, `settings`) that are not applied yet. Each scope keeps its
 * own version line so modules can evolve their tables independently in one database file.
 */
export function migrate(db: Db, scope: string, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (scope, version)
  )`);
  const row = db
    .prepare<[string], { v: number | null }>(
      'SELECT MAX(version) AS v FROM schema_migrations WHERE scope = ?',
    )
    .get(scope);
  const current = row?.v ?? 0;
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  let applied = 0;
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (scope, version, name, applied_at) VALUES (?, ?, ?, ?)').run(
        scope,
        m.version,
        m.name,
        Date.now(),
      );
    })();
    applied += 1;
  }
  return applied;
}
