import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database';

/**
 * A journal entry's version is a desktop counter; PostgreSQL's `integer` stops at 2^31 − 1, so a larger one
 * failed the whole batch. `bigint` holds every safe integer the contract allows. SQLite's INTEGER is already
 * 64-bit, so nothing changes there.
 */
export function journalVersionBigint(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`alter table sync_journal alter column version type bigint`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`alter table sync_journal alter column version type integer`.execute(db);
    },
  };
}
