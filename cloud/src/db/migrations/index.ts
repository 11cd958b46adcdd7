import type { Migration } from 'kysely';
import type { Dialect } from '../database';
import { initial } from './0001-initial';
import { sync } from './0002-sync';
import { journalVersionBigint } from './0003-journal-version-bigint';

/**
 * Every migration, in order, by name. Kysely runs them by name order, so new ones get the next number
 * (e.g. `0002-sync`) and a line here.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': initial(dialect),
    '0002-sync': sync(),
    '0003-journal-version-bigint': journalVersionBigint(dialect),
  };
}
