import { randomUUID } from 'node:crypto';
import type {
  AccountKind,
  JournalEntry,
  JournalPage,
  JournalQueryInput,
  JournalState,
  OutboxItem,
} from '../../src-core/contracts/journal';
import { JournalQuery } from '../../src-core/contracts/journal';
import { silentLogger, type Logger } from '../../src-core/logger';
import type { Clock } from '../../src-core/clock';
import type { Db, Migration } from './database';
import { migrate, openDurableConnection, withFullSync } from './database';
import { Emitter } from '../../src-core/emitter';

/** Fields fixed when an intent is first journalled. */
type FixedFields =
  | 'clientOrderId'
  | 'parentId'
  | 'origin'
  | 'operation'
  | 'requestKey'
  | 'symbol'
  | 'side'
  | 'volume'
  | 'intent'
  | 'state';

/** What the executor writes when it journals an intent; the rest starts empty. */
export type NewJournalEntry = Pick<JournalEntry, FixedFields> &
  Partial<Omit<JournalEntry, FixedFields | 'id' | 'createdAt' | 'updatedAt' | 'version'>> & { id?: string };

/** The fields an update may change. */
export type JournalPatch = Partial<
  Omit<
    JournalEntry,
    | 'id'
    | 'accountKind'
    | 'clientOrderId'
    | 'parentId'
    | 'origin'
    | 'operation'
    | 'createdAt'
    | 'updatedAt'
    | 'version'
  >
>;

type FieldKind = 'plain' | 'json';
const COLUMNS = [
  ['id', 'id', 'plain'],
  ['clientOrderId', 'client_order_id', 'plain'],
  ['parentId', 'parent_id', 'plain'],
  ['origin', 'origin', 'plain'],
  ['operation', 'operation', 'plain'],
  ['requestKey', 'request_key', 'plain'],
  ['symbol', 'symbol', 'plain'],
  ['side', 'side', 'plain'],
  ['volume', 'volume', 'plain'],
  ['intent', 'intent', 'json'],
  ['state', 'state', 'plain'],
  ['outcome', 'outcome', 'plain'],
  ['request', 'request', 'json'],
  ['response', 'response', 'json'],
  ['retcode', 'retcode', 'plain'],
  ['retcodeName', 'retcode_name', 'plain'],
  ['message', 'message', 'plain'],
  ['errorCode', 'error_code', 'plain'],
  ['requestedPrice', 'requested_price', 'plain'],
  ['filledPrice', 'filled_price', 'plain'],
  ['filledVolume', 'filled_volume', 'plain'],
  ['bid', 'bid', 'plain'],
  ['ask', 'ask', 'plain'],
  ['sl', 'sl', 'plain'],
  ['tp', 'tp', 'plain'],
  ['margin', 'margin', 'plain'],
  ['freeMargin', 'free_margin', 'plain'],
  ['order', 'order_ticket', 'plain'],
  ['deal', 'deal_ticket', 'plain'],
  ['position', 'position_ticket', 'plain'],
  ['attempts', 'attempts', 'plain'],
  ['reconcileAttempts', 'reconcile_attempts', 'plain'],
  ['createdAt', 'created_at', 'plain'],
  ['sentAt', 'sent_at', 'plain'],
  ['completedAt', 'completed_at', 'plain'],
  ['latencyMs', 'latency_ms', 'plain'],
  ['updatedAt', 'updated_at', 'plain'],
  ['version', 'version', 'plain'],
] as const satisfies readonly (readonly [keyof JournalEntry, string, FieldKind])[];

const COLUMN_OF = new Map<string, readonly [keyof JournalEntry, string, FieldKind]>(
  COLUMNS.map((c) => [c[0], c]),
);

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'journal and outbox',
    up: (db) => {
      db.exec(`
        CREATE TABLE journal (
          id TEXT PRIMARY KEY,
          client_order_id TEXT NOT NULL UNIQUE,
          parent_id TEXT REFERENCES journal(id),
          origin TEXT NOT NULL,
          operation TEXT NOT NULL,
          request_key TEXT,
          symbol TEXT,
          side TEXT,
          volume REAL,
          intent TEXT NOT NULL,
          state TEXT NOT NULL,
          outcome TEXT,
          request TEXT,
          response TEXT,
          retcode INTEGER,
          retcode_name TEXT,
          message TEXT,
          error_code TEXT,
          requested_price REAL,
          filled_price REAL,
          filled_volume REAL,
          bid REAL,
          ask REAL,
          sl REAL,
          tp REAL,
          margin REAL,
          free_margin REAL,
          order_ticket TEXT,
          deal_ticket TEXT,
          position_ticket TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          reconcile_attempts INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          sent_at INTEGER,
          completed_at INTEGER,
          latency_ms REAL,
          updated_at INTEGER NOT NULL,
          version INTEGER NOT NULL
        );
        CREATE INDEX journal_created ON journal (created_at DESC, id DESC);
        CREATE INDEX journal_state ON journal (state, created_at);
        CREATE INDEX journal_symbol ON journal (symbol, created_at);
        CREATE INDEX journal_request_key ON journal (request_key) WHERE request_key IS NOT NULL;
        CREATE INDEX journal_parent ON journal (parent_id) WHERE parent_id IS NOT NULL;
        -- One row per entry with unsent changes; a change gives the entry a new, higher seq, so acknowledging an
        -- older seq never hides a newer change.
        CREATE TABLE journal_outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          entry_id TEXT NOT NULL UNIQUE REFERENCES journal(id)
        );
      `);
    },
  },
  {
    version: 2,
    name: 'account of each entry',
    up: (db) => {
      // login@server of the terminal session the order was sent to: reconciliation must ask that account, never
      // another one (a different account has no trace of it). Null for rows written before this column existed.
      db.exec('ALTER TABLE journal ADD COLUMN account TEXT');
    },
  },
  {
    version: 3,
    name: 'account kind of each entry',
    up: (db) => {
      // 'paper' or 'real', fixed when the row is written: the journal shows a paper order as paper even after the
      // paper account is reset or removed. Null for rows written before paper accounts existed.
      db.exec('ALTER TABLE journal ADD COLUMN account_kind TEXT');
    },
  },
];

type Row = Record<string, unknown>;

function toRowValue(kind: FieldKind, value: unknown): unknown {
  if (value === undefined) return null;
  if (kind === 'json') return value === null ? null : JSON.stringify(value);
  return value;
}

function fromRow(row: Row): JournalEntry {
  const out: Record<string, unknown> = {};
  for (const [field, column, kind] of COLUMNS) {
    const raw = row[column];
    out[field] =
      kind === 'json' ? (typeof raw === 'string' ? (JSON.parse(raw) as unknown) : null) : (raw ?? null);
  }
  const kind = row['account_kind'];
  if (kind === 'paper' || kind === 'replay' || kind === 'real') out['accountKind'] = kind;
  // The row was written by this module from a typed entry; the cast restores the type SQLite erased.
  return out as unknown as JournalEntry;
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.indexOf(':');
  if (at <= 0) return undefined;
  const createdAt = Number(text.slice(0, at));
  if (!Number.isSafeInteger(createdAt)) return undefined;
  return { createdAt, id: text.slice(at + 1) };
}

const OPEN_STATES: readonly JournalState[] = ['pending', 'sent', 'unknown'];
const OPEN_STATES_SQL = OPEN_STATES.map((st) => `'${st}'`).join(', ');

/**
 * The durable trade journal. Every change bumps the entry's `version`, stamps `updatedAt`, queues the entry in the
 * cloud-sync outbox and is announced to `onChanged` subscribers, all in one transaction.
 */
export class Journal {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #changed: Emitter<[JournalEntry]>;
  readonly #insert: ReturnType<Db['prepare']>;
  readonly #byId: ReturnType<Db['prepare']>;
  readonly #touchOutbox: ReturnType<Db['prepare']>;
  /** Update statements by the columns they set (a handful of shapes; preparing each time costs more than the write). */
  readonly #updates = new Map<string, ReturnType<Db['prepare']>>();
  /**
   * A second connection to the same file with synchronous=FULL, for durable inserts. Switching one connection's
   * `synchronous` back and forth measurably costs an extra sync on the next commit; a dedicated connection does not.
   * Null for an in-memory database (which has nothing to fsync).
   */
  readonly #durable: { db: Db; write: (params: Row, id: string) => void } | null;

  readonly #accountKind: (account: string) => AccountKind;

  /**
   * `logger` receives what an `onChanged` subscriber threw (the write itself has committed by then);
   * `accountKind` says which accounts are paper ones (default: none), to mark each row as it is written.
   */
  constructor(
    db: Db,
    clock: Clock,
    logger: Logger = silentLogger,
    options: { readonly accountKind?: (account: string) => AccountKind } = {},
  ) {
    this.#db = db;
    this.#accountKind = options.accountKind ?? (() => 'real');
    this.#clock = clock;
    this.#changed = new Emitter((error) => {
      logger.error('journal: a change listener threw', { error });
    });
    migrate(db, 'journal', MIGRATIONS);
    const cols = [...COLUMNS.map((c) => c[1]), 'account', 'account_kind'];
    const insertSql = `INSERT INTO journal (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`;
    const outboxSql = 'INSERT OR REPLACE INTO journal_outbox (entry_id) VALUES (?)';
    this.#insert = db.prepare(insertSql);
    this.#byId = db.prepare('SELECT * FROM journal WHERE id = ?');
    this.#touchOutbox = db.prepare(outboxSql);
    const durableDb = openDurableConnection(db);
    if (durableDb === null) {
      this.#durable = null;
    } else {
      const insert = durableDb.prepare(insertSql);
      const outbox = durableDb.prepare(outboxSql);
      this.#durable = {
        db: durableDb,
        write: durableDb.transaction((params: Row, id: string) => {
          insert.run(params);
          outbox.run(id);
        }),
      };
    }
  }

  /** Closes the durable-write connection (the main handle belongs to the caller). */
  close(): void {
    this.#durable?.db.close();
  }

  /**
   * Writes a new entry. `durable: true` fsyncs the commit before returning (the `pending` row written before an
   * order is sent must survive a power cut, not only a crash).
   */
  insert(entry: NewJournalEntry, options: { durable: boolean; account?: string | null }): JournalEntry {
    const now = this.#clock.now();
    const full: JournalEntry = {
      outcome: null,
      request: null,
      response: null,
      retcode: null,
      retcodeName: null,
      message: null,
      errorCode: null,
      requestedPrice: null,
      filledPrice: null,
      filledVolume: null,
      bid: null,
      ask: null,
      sl: null,
      tp: null,
      margin: null,
      freeMargin: null,
      order: null,
      deal: null,
      position: null,
      attempts: 0,
      reconcileAttempts: 0,
      sentAt: null,
      completedAt: null,
      latencyMs: null,
      ...entry,
      accountKind: options.account == null ? 'real' : this.#accountKind(options.account),
      id: entry.id ?? randomUUID(),
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const params: Row = {};
    for (const [field, column, kind] of COLUMNS) params[column] = toRowValue(kind, full[field]);
    params['account'] = options.account ?? null;
    params['account_kind'] = full.accountKind ?? null;
    const write = this.#db.transaction(() => {
      this.#insert.run(params);
      this.#touchOutbox.run(full.id);
    });
    if (!options.durable) write();
    else if (this.#durable !== null) this.#durable.write(params, full.id);
    else withFullSync(this.#db, write);
    this.#changed.emit(full);
    return full;
  }

  /**
   * Applies a patch to an entry and returns the entry as stored. Throws if the id is unknown (a bug).
   * Only an open entry (pending, sent, unknown) changes: a final state is never left, so a late reconciliation
   * cannot overwrite a `done` or `rejected` written meanwhile. A patch to a final entry is a no-op that returns the
   * entry unchanged; callers compare the returned state.
   */
  update(id: string, patch: JournalPatch): JournalEntry {
    const sets: string[] = [];
    const params: Row = { id, updated_at: this.#clock.now() };
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const col = COLUMN_OF.get(field);
      if (col === undefined) throw new Error(`journal.update: unknown field ${field}`);
      sets.push(`${col[1]} = @${col[1]}`);
      params[col[1]] = toRowValue(col[2], value);
    }
    sets.push('updated_at = @updated_at', 'version = version + 1');
    const sql = `UPDATE journal SET ${sets.join(', ')} WHERE id = @id AND state IN (${OPEN_STATES_SQL})`;
    let stmt = this.#updates.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      this.#updates.set(sql, stmt);
    }
    const { entry, changed } = this.#db.transaction(() => {
      const info = stmt.run(params);
      if (info.changes !== 1) {
        const row = this.#byId.get(id) as Row | undefined;
        if (row === undefined) throw new Error(`journal.update: no entry ${id}`);
        return { entry: fromRow(row), changed: false };
      }
      this.#touchOutbox.run(id);
      return { entry: fromRow(this.#byId.get(id) as Row), changed: true };
    })();
    if (changed) this.#changed.emit(entry);
    return entry;
  }

  get(id: string): JournalEntry | undefined {
    const row = this.#byId.get(id) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** login@server of the session the entry's order was sent to; null when unknown (older rows, refusals). */
  accountOf(id: string): string | null {
    const row = this.#db.prepare('SELECT account FROM journal WHERE id = ?').get(id) as
      { account: string | null } | undefined;
    return row?.account ?? null;
  }

  getByClientOrderId(clientOrderId: string): JournalEntry | undefined {
    const row = this.#db.prepare('SELECT * FROM journal WHERE client_order_id = ?').get(clientOrderId) as
      Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** The newest top-level entry created with this request key. */
  findByRequestKey(requestKey: string): JournalEntry | undefined {
    const row = this.#db
      .prepare(
        'SELECT * FROM journal WHERE request_key = ? AND parent_id IS NULL ORDER BY created_at DESC, id DESC LIMIT 1',
      )
      .get(requestKey) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** Entries not yet in a final state (pending, sent, unknown), oldest first: what reconciliation works on. */
  listOpen(): JournalEntry[] {
    const marks = OPEN_STATES.map(() => '?').join(', ');
    const rows = this.#db
      .prepare(`SELECT * FROM journal WHERE state IN (${marks}) ORDER BY created_at, id`)
      .all(...OPEN_STATES) as Row[];
    return rows.map(fromRow);
  }

  /** The closes of a `close_all`. */
  listChildren(parentId: string): JournalEntry[] {
    const rows = this.#db
      .prepare('SELECT * FROM journal WHERE parent_id = ? ORDER BY created_at, id')
      .all(parentId) as Row[];
    return rows.map(fromRow);
  }

  /** One page for the journal view, newest first. The query is validated here because it may come from the UI. */
  query(input: JournalQueryInput): JournalPage {
    const q = JournalQuery.parse(input);
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.states !== undefined && q.states.length > 0) {
      where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
      params.push(...q.states);
    }
    if (q.symbol !== undefined) {
      where.push('symbol = ?');
      params.push(q.symbol);
    }
    if (q.origin !== undefined) {
      where.push('origin = ?');
      params.push(q.origin);
    }
    if (q.operation !== undefined) {
      where.push('operation = ?');
      params.push(q.operation);
    }
    if (q.from !== undefined) {
      where.push('created_at >= ?');
      params.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('created_at < ?');
      params.push(q.to);
    }
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      if (c !== undefined) {
        where.push('(created_at < ? OR (created_at = ? AND id < ?))');
        params.push(c.createdAt, c.createdAt, c.id);
      }
    }
    const sql = `SELECT * FROM journal ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, q.limit + 1) as Row[];
    const entries = rows.slice(0, q.limit).map(fromRow);
    const last = entries.at(-1);
    return rows.length > q.limit && last !== undefined
      ? { entries, nextCursor: encodeCursor(last.createdAt, last.id) }
      : { entries };
  }

  /** Number of entries, optionally in one state. */
  count(state?: JournalState): number {
    const row = (
      state === undefined
        ? this.#db.prepare('SELECT COUNT(*) AS n FROM journal').get()
        : this.#db.prepare('SELECT COUNT(*) AS n FROM journal WHERE state = ?').get(state)
    ) as { n: number };
    return row.n;
  }

  /**
   * Entries with changes cloud sync has not acknowledged, oldest change first. Each item carries the entry as it is
   * now; the cloud upserts by `entry.id` keeping the highest `entry.version`.
   */
  listUnsynced(limit: number): OutboxItem[] {
    const n = Math.max(1, Math.min(Math.trunc(limit), 1000));
    const rows = this.#db
      .prepare(
        `SELECT o.seq AS outbox_seq, j.* FROM journal_outbox o JOIN journal j ON j.id = o.entry_id
         ORDER BY o.seq LIMIT ?`,
      )
      .all(n) as Row[];
    return rows.map((r) => ({ seq: r['outbox_seq'] as number, entry: fromRow(r) }));
  }

  /**
   * Acknowledges outbox items by their `seq` (from {@link listUnsynced}). An entry changed after it was listed has a
   * newer seq and stays queued. Returns how many items were removed.
   */
  markSynced(seqs: readonly number[]): number {
    const del = this.#db.prepare('DELETE FROM journal_outbox WHERE seq = ?');
    return this.#db.transaction(() => {
      let n = 0;
      for (const seq of seqs) n += del.run(seq).changes;
      return n;
    })();
  }

  /** Called with the entry after every insert and update. Returns an unsubscribe function. */
  onChanged(listener: (entry: JournalEntry) => void): () => void {
    return this.#changed.on(listener);
  }
}
