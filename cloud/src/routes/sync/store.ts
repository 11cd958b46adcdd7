import type { Kysely } from 'kysely';
import { StatusSnapshot } from '../../../../src-core/contracts/connector';
import {
  toSyncedJournalEntry,
  type SyncJournalPage,
  type SyncJournalQuery,
} from '../../../../src-core/contracts/cloud-sync';
import { JournalEntry } from '../../../../src-core/contracts/journal';
import type { Database } from '../../db/schema';

/** The sync tables (migration 0002-sync), added to the cloud's Kysely types here rather than in schema.ts. */
export type SyncStatusTable = {
  connection_id: string;
  snapshot: string | null;
  snapshot_at: number | null;
  /** 0 or 1: SQLite cannot bind booleans. */
  remote_trading: number;
  last_seen_at: number | null;
  updated_at: number;
};

export type SyncJournalTable = {
  connection_id: string;
  entry_id: string;
  version: number;
  created_at: number;
  state: string;
  origin: string;
  operation: string;
  symbol: string | null;
  /** The desktop's {@link JournalEntry} as JSON (validated on the way in). */
  entry: string;
  received_at: number;
};

// A type alias, not an interface: Kysely's withTables needs the implicit index signature.
export type SyncTables = {
  sync_status: SyncStatusTable;
  sync_journal: SyncJournalTable;
};

export type SyncDb = Kysely<Database & SyncTables>;

export interface StoredStatus {
  readonly snapshot: Omit<StatusSnapshot, 'type'> | null;
  readonly remoteTrading: boolean;
  readonly lastSeenAt: number | null;
}

/** Cursor of a journal page: the last row's (created_at, entry_id), base64url so it stays opaque. */
export function encodeCursor(createdAt: number, entryId: string): string {
  return Buffer.from(JSON.stringify([createdAt, entryId]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; entryId: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { createdAt: value[0] as number, entryId: value[1] };
    }
  } catch {
    // not ours: treated like any other bad cursor
  }
  return null;
}

/** Stored sync data. Every method takes a connection id whose ownership the caller has already checked. */
export class SyncStore {
  constructor(private readonly db: SyncDb) {}

  /**
   * Stores entries idempotently: a new id is inserted, a known id is replaced only by a higher version, so a
   * resend or a late older version changes nothing. Returns the entries that changed what the portal shows.
   */
  async upsertJournal(
    connectionId: string,
    entries: readonly JournalEntry[],
    now: number,
  ): Promise<readonly JournalEntry[]> {
    if (entries.length === 0) return [];
    // One entry id may appear twice in a batch (two versions): keep the highest.
    const latest = new Map<string, JournalEntry>();
    for (const entry of entries) {
      const known = latest.get(entry.id);
      if (known === undefined || known.version < entry.version) latest.set(entry.id, entry);
    }
    const rows = [...latest.values()].map((e) => ({
      connection_id: connectionId,
      entry_id: e.id,
      version: e.version,
      created_at: e.createdAt,
      state: e.state,
      origin: e.origin,
      operation: e.operation,
      symbol: e.symbol,
      entry: JSON.stringify(e),
      received_at: now,
    }));
    const changed = await this.db
      .insertInto('sync_journal')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['connection_id', 'entry_id'])
          .doUpdateSet((eb) => ({
            version: eb.ref('excluded.version'),
            created_at: eb.ref('excluded.created_at'),
            state: eb.ref('excluded.state'),
            origin: eb.ref('excluded.origin'),
            operation: eb.ref('excluded.operation'),
            symbol: eb.ref('excluded.symbol'),
            entry: eb.ref('excluded.entry'),
            received_at: eb.ref('excluded.received_at'),
          }))
          .where('sync_journal.version', '<', (eb) => eb.ref('excluded.version')),
      )
      .returning(['entry_id'])
      .execute();
    const ids = new Set(changed.map((r) => r.entry_id));
    return [...latest.values()].filter((e) => ids.has(e.id));
  }

  async journalPage(connectionId: string, query: SyncJournalQuery): Promise<SyncJournalPage | null> {
    let q = this.db
      .selectFrom('sync_journal')
      .select(['entry', 'created_at', 'entry_id'])
      .where('connection_id', '=', connectionId);
    if (query.state !== undefined) q = q.where('state', 'in', query.state);
    if (query.symbol !== undefined) q = q.where('symbol', '=', query.symbol);
    if (query.origin !== undefined) q = q.where('origin', '=', query.origin);
    if (query.operation !== undefined) q = q.where('operation', '=', query.operation);
    if (query.from !== undefined) q = q.where('created_at', '>=', Date.parse(query.from));
    if (query.to !== undefined) q = q.where('created_at', '<', Date.parse(query.to));
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      if (cursor === null) return null;
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', cursor.createdAt),
          eb.and([eb('created_at', '=', cursor.createdAt), eb('entry_id', '<', cursor.entryId)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('entry_id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      entries: page.map((r) => toSyncedJournalEntry(JournalEntry.parse(JSON.parse(r.entry)))),
      next_cursor:
        rows.length > query.limit && last !== undefined ? encodeCursor(last.created_at, last.entry_id) : null,
    };
  }

  async countJournal(connectionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('sync_journal')
      // pg returns COUNT as int8; the cloud's pool parses it to a number, SQLite gives one already
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connection_id', '=', connectionId)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  async saveSnapshot(connectionId: string, snapshot: StatusSnapshot, now: number): Promise<void> {
    const { type: _type, ...rest } = snapshot;
    const json = JSON.stringify(rest);
    await this.db
      .insertInto('sync_status')
      .values({
        connection_id: connectionId,
        snapshot: json,
        snapshot_at: snapshot.at_ms,
        remote_trading: 0,
        last_seen_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column('connection_id')
          .doUpdateSet({ snapshot: json, snapshot_at: snapshot.at_ms, last_seen_at: now, updated_at: now }),
      )
      .execute();
  }

  async saveRemoteTrading(connectionId: string, isOn: boolean, now: number): Promise<void> {
    const value = isOn ? 1 : 0;
    await this.db
      .insertInto('sync_status')
      .values({
        connection_id: connectionId,
        snapshot: null,
        snapshot_at: null,
        remote_trading: value,
        last_seen_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('connection_id').doUpdateSet({ remote_trading: value, last_seen_at: now, updated_at: now }),
      )
      .execute();
  }

  async touch(connectionId: string, now: number): Promise<void> {
    await this.db
      .insertInto('sync_status')
      .values({
        connection_id: connectionId,
        snapshot: null,
        snapshot_at: null,
        remote_trading: 0,
        last_seen_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('connection_id').doUpdateSet({ last_seen_at: now, updated_at: now }))
      .execute();
  }

  async status(connectionId: string): Promise<StoredStatus> {
    const row = await this.db
      .selectFrom('sync_status')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    if (row === undefined) return { snapshot: null, remoteTrading: false, lastSeenAt: null };
    const parsed =
      row.snapshot === null ? null : StatusSnapshot.omit({ type: true }).safeParse(JSON.parse(row.snapshot));
    return {
      snapshot: parsed?.success === true ? parsed.data : null,
      remoteTrading: row.remote_trading === 1,
      lastSeenAt: row.last_seen_at,
    };
  }

  /** The connection if the user owns it: the same check, and the same "not found", as the connection routes. */
  async owns(userId: string, connectionId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('connections')
      .select('id')
      .where('id', '=', connectionId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
