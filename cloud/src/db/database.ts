import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Compilable,
  type MigrationResult,
} from 'kysely';
import pg from 'pg';
import type { Database } from './schema';
import { migrations } from './migrations/index';

export type Dialect = 'sqlite' | 'postgres';

/** Where database trouble is reported (the app's logger); only `warn` and `error` are used. */
export interface DbLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Connections of the PostgreSQL pool right now (all zero on SQLite, which has one connection). */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Pool occupancy for /metrics. */
  poolStats(): PoolStats;
  /** Errors the pool reported on idle connections since start. */
  readonly poolErrors: () => number;
  /**
   * A query run on every request, built and compiled once: `build` places `param(i)` where the i-th string
   * argument goes, and the returned function runs it with new arguments. On PostgreSQL it runs as the named
   * prepared statement `name` (parsed and planned once per pooled connection, not per request); on SQLite
   * through Kysely as usual. `name` must be unique per database handle.
   */
  prepare<R>(
    name: string,
    build: (kysely: Kysely<Database>, param: (index: number) => string) => Compilable<R>,
  ): (args: readonly string[]) => Promise<R[]>;
  /** True when a trivial query answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const int8AsNumber = new pg.TypeOverrides();
int8AsNumber.setTypeParser(INT8_OID, (value: string) => Number(value));

/**
 * Opens `sqlite:<path>` or `postgres://…`. pg returns int8 (our epoch-millisecond columns, COUNT) as strings;
 * this pool parses them to numbers, which is exact for every value we store (below 2^53).
 */
export function openDatabase(url: string, log?: DbLog): Db {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      // Password hashes and sealed TOTP secrets live here: readable by the service's user only, like
      // jwt-secret. SQLite gives its -wal and -shm files the database file's mode.
      closeSync(openSync(path, 'a', 0o600));
      chmodSync(path, 0o600);
    }
    const sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return wrap(
      kysely,
      'sqlite',
      () => ({ total: 1, idle: 0, waiting: 0 }),
      () => 0,
      async <R>(_name: string, text: string, values: unknown[]) =>
        (await kysely.executeQuery<R>(CompiledQuery.raw(text, values))).rows,
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    types: int8AsNumber,
  });
  let poolErrors = 0;
  // An idle client that loses its server emits 'error' on the pool; without a listener that kills the process.
  // The pool drops that client and opens a new one on demand, so this is logged, counted and survived.
  pool.on('error', (error: Error) => {
    poolErrors += 1;
    log?.error({ err: error }, 'database: an idle PostgreSQL connection failed (the pool replaces it)');
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return wrap(
    kysely,
    'postgres',
    () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    () => poolErrors,
    // Straight to the pool: the statement is compiled already, and Kysely's driver cannot name statements.
    async <R>(name: string, text: string, values: unknown[]) =>
      (await pool.query<R & pg.QueryResultRow>({ name, text, values })).rows,
  );
}

type Run = <R>(name: string, text: string, values: unknown[]) => Promise<R[]>;

/**
 * Marks an argument's place while a prepared query compiles (replaced by the argument on every run; the NUL
 * keeps it apart from any literal a query could hold).
 */
const PARAM_MARK = '\u0000pipdesk-param:';

function wrap(
  kysely: Kysely<Database>,
  dialect: Dialect,
  poolStats: () => PoolStats,
  poolErrors: () => number,
  run: Run,
): Db {
  const names = new Set<string>();
  return {
    kysely,
    dialect,
    poolStats,
    poolErrors,
    prepare<R>(
      name: string,
      build: (db: Kysely<Database>, param: (index: number) => string) => Compilable<R>,
    ): (args: readonly string[]) => Promise<R[]> {
      if (names.has(name)) throw new Error(`Prepared query ${name} is defined twice.`);
      names.add(name);
      let arity = 0;
      const compiled = build(kysely, (index) => {
        arity = Math.max(arity, index + 1);
        return `${PARAM_MARK}${index}`;
      }).compile();
      // Each compiled parameter is either an argument's mark or a value fixed at build time (e.g. a limit).
      const slots = compiled.parameters.map((value) =>
        typeof value === 'string' && value.startsWith(PARAM_MARK)
          ? Number(value.slice(PARAM_MARK.length))
          : -1,
      );
      return (args) => {
        if (args.length !== arity) throw new Error(`Prepared query ${name} takes ${arity} arguments.`);
        const values = slots.map((slot, i) => (slot >= 0 ? args[slot] : compiled.parameters[i]));
        return run<R>(name, compiled.sql, values);
      };
    },
    async ping() {
      try {
        await sql`select 1`.execute(kysely);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await kysely.destroy();
    },
  };
}

/** Brings the schema to the latest migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<readonly MigrationResult[]> {
  const list = migrations(db.dialect);
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: () => Promise.resolve(list) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `Migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      {
        cause: error,
      },
    );
  }
  return results ?? [];
}
