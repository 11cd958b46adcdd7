import type { Db } from '../database';
import { migrate, type Migration } from '../database';

/** An MT5 account as `login@server` (the bridge's session key). */
export type AccountKey = string;

export interface CloudLink {
  readonly accountKey: AccountKey;
  readonly connectionId: string;
  /** Off until the user turns it on, per connection. */
  readonly isRemoteTradingOn: boolean;
  readonly linkedAt: number;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'cloud links, entry accounts, meta',
    up: (db) => {
      db.exec(`
        CREATE TABLE cloud_links (
          account_key TEXT PRIMARY KEY,
          connection_id TEXT NOT NULL,
          remote_trading INTEGER NOT NULL DEFAULT 0,
          linked_at INTEGER NOT NULL
        );
        CREATE TABLE cloud_entry_accounts (
          entry_id TEXT PRIMARY KEY,
          account_key TEXT NOT NULL
        );
        CREATE TABLE cloud_meta (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    name: 'journal entries the cloud refused',
    up: (db) => {
      db.exec(`
        CREATE TABLE cloud_refused_entries (
          entry_id TEXT PRIMARY KEY,
          account_key TEXT NOT NULL,
          reason TEXT NOT NULL,
          refused_at INTEGER NOT NULL,
          entry_json TEXT NOT NULL
        );
      `);
    },
  },
];

/** A journal entry the cloud refused for good, kept aside with the cloud's reason. */
export interface RefusedSyncEntry {
  readonly entryId: string;
  readonly accountKey: AccountKey;
  readonly reason: string;
  readonly refusedAt: number;
  /** The entry as it was sent (JSON), so nothing is lost. */
  readonly entryJson: string;
}

interface LinkRow {
  account_key: string;
  connection_id: string;
  remote_trading: number;
  linked_at: number;
}

/**
 * What the desktop remembers about the cloud in its own database (scope `cloud-sync`): which MT5 account is
 * which cloud connection (the user confirmed it once), whether remote trading is on for it, which account each
 * journal entry was made on, and who is signed in.
 */
export class CloudLinks {
  constructor(private readonly db: Db) {
    migrate(db, 'cloud-sync', MIGRATIONS);
  }

  all(): CloudLink[] {
    return (this.db.prepare('SELECT * FROM cloud_links ORDER BY linked_at').all() as LinkRow[]).map(toLink);
  }

  get(accountKey: AccountKey): CloudLink | undefined {
    const row = this.db.prepare('SELECT * FROM cloud_links WHERE account_key = ?').get(accountKey) as
      LinkRow | undefined;
    return row === undefined ? undefined : toLink(row);
  }

  save(accountKey: AccountKey, connectionId: string, now: number): CloudLink {
    this.db
      .prepare(
        `INSERT INTO cloud_links (account_key, connection_id, remote_trading, linked_at) VALUES (?, ?, 0, ?)
         ON CONFLICT (account_key) DO UPDATE SET connection_id = excluded.connection_id`,
      )
      .run(accountKey, connectionId, now);
    const link = this.get(accountKey);
    if (link === undefined) throw new Error('link not saved');
    return link;
  }

  setRemoteTrading(accountKey: AccountKey, isOn: boolean): boolean {
    return (
      this.db
        .prepare('UPDATE cloud_links SET remote_trading = ? WHERE account_key = ?')
        .run(isOn ? 1 : 0, accountKey).changes > 0
    );
  }

  /** Forgets one link (its connection was deleted in the cloud); the user may link the account again. */
  remove(accountKey: AccountKey): void {
    this.db.prepare('DELETE FROM cloud_links WHERE account_key = ?').run(accountKey);
  }

  /** Forgets every link (another cloud user signed in: the old connection ids are not theirs). */
  clear(): void {
    this.db.exec('DELETE FROM cloud_links; DELETE FROM cloud_meta;');
  }

  /** Remembers the account a journal entry was made on, the first time the entry is seen. */
  tagEntry(entryId: string, accountKey: AccountKey): void {
    this.db
      .prepare('INSERT OR IGNORE INTO cloud_entry_accounts (entry_id, account_key) VALUES (?, ?)')
      .run(entryId, accountKey);
  }

  entryAccounts(entryIds: readonly string[]): Map<string, AccountKey> {
    const get = this.db.prepare('SELECT account_key FROM cloud_entry_accounts WHERE entry_id = ?');
    const found = new Map<string, AccountKey>();
    for (const id of entryIds) {
      const row = get.get(id) as { account_key: string } | undefined;
      if (row !== undefined) found.set(id, row.account_key);
    }
    return found;
  }

  /** Keeps an entry the cloud refused, with its reason; a later refusal of the same entry replaces it. */
  saveRefused(entry: RefusedSyncEntry): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO cloud_refused_entries (entry_id, account_key, reason, refused_at, entry_json)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(entry.entryId, entry.accountKey, entry.reason, entry.refusedAt, entry.entryJson);
  }

  /** The refused entries, newest first. */
  refused(limit = 100): RefusedSyncEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM cloud_refused_entries ORDER BY refused_at DESC, entry_id LIMIT ?')
      .all(limit) as {
      entry_id: string;
      account_key: string;
      reason: string;
      refused_at: number;
      entry_json: string;
    }[];
    return rows.map((r) => ({
      entryId: r.entry_id,
      accountKey: r.account_key,
      reason: r.reason,
      refusedAt: r.refused_at,
      entryJson: r.entry_json,
    }));
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM cloud_meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM cloud_meta WHERE key = ?').run(key);
    else this.db.prepare('INSERT OR REPLACE INTO cloud_meta (key, value) VALUES (?, ?)').run(key, value);
  }
}

function toLink(row: LinkRow): CloudLink {
  return {
    accountKey: row.account_key,
    connectionId: row.connection_id,
    isRemoteTradingOn: row.remote_trading === 1,
    linkedAt: row.linked_at,
  };
}
