import { type Kysely, type Migration } from 'kysely';

/**
 * Cloud sync (docs/cloud-sync.md): the latest status of each connection, and every journal entry the desktop sent,
 * once per entry id (the highest version wins). Both go with their connection (cascade).
 */
export function sync(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sync_status')
        .addColumn('connection_id', 'text', (c) =>
          c.primaryKey().references('connections.id').onDelete('cascade'),
        )
        .addColumn('snapshot', 'text')
        .addColumn('snapshot_at', 'bigint')
        .addColumn('remote_trading', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_seen_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sync_journal')
        .addColumn('connection_id', 'text', (c) =>
          c.notNull().references('connections.id').onDelete('cascade'),
        )
        .addColumn('entry_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text')
        .addColumn('entry', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_journal_pk', ['connection_id', 'entry_id'])
        .execute();
      // Pages are newest first by (created_at, entry_id) within a connection.
      await db.schema
        .createIndex('sync_journal_page_idx')
        .on('sync_journal')
        .columns(['connection_id', 'created_at', 'entry_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('sync_journal').execute();
      await db.schema.dropTable('sync_status').execute();
    },
  };
}
