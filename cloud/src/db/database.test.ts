import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, tempDir } from '../../test/helpers';
import { migrateToLatest, openDatabase, type Db } from './database';

describe.each(['sqlite', 'postgres'] as const)('prepared queries on %s', (dialect) => {
  const dir = tempDir();
  let test: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Db;

  beforeAll(async () => {
    test = await createTestDatabase(dialect, dir.path);
    db = openDatabase(test.url);
    await migrateToLatest(db);
    const row = (id: string, user: string, at: number) => ({
      id,
      user_id: user,
      name: `n-${id}`,
      platform: 'mt5',
      broker_server: 'S',
      account_login: '1',
      created_at: at,
      updated_at: at,
    });
    await db.kysely
      .insertInto('users')
      .values(
        ['u1', 'u2'].map((id) => ({
          id,
          email: `${id}@example.com`,
          email_normalized: `${id}@example.com`,
          password_hash: 'x',
          tokens_valid_after: 0,
          totp_enabled: 0,
          totp_secret: null,
          totp_pending_secret: null,
          totp_last_step: null,
          created_at: 0,
          updated_at: 0,
        })),
      )
      .execute();
    await db.kysely
      .insertInto('connections')
      .values([row('c1', 'u1', 3), row('c2', 'u1', 1), row('c3', 'u2', 2), row('c4', 'u1', 2)])
      .execute();
  });
  afterAll(async () => {
    await db.close();
    await test.drop();
    dir.remove();
  });

  it('runs with each call its own arguments, keeps values fixed at build time, and numbers stay numbers', async () => {
    const list = db.prepare('test_list', (kysely, param) =>
      kysely
        .selectFrom('connections')
        .select(['id', 'created_at'])
        .where('user_id', '=', param(0))
        .where('id', '!=', param(1))
        .orderBy('created_at', 'asc')
        .limit(2),
    );
    expect(await list(['u1', 'none'])).toEqual([
      { id: 'c2', created_at: 1 },
      { id: 'c4', created_at: 2 },
    ]);
    // Run again on the same statement with other arguments (on PostgreSQL: bound, not parsed again).
    expect(await list(['u1', 'c2'])).toEqual([
      { id: 'c4', created_at: 2 },
      { id: 'c1', created_at: 3 },
    ]);
    expect(await list(['u2', 'none'])).toEqual([{ id: 'c3', created_at: 2 }]);
  });

  it('refuses a name used twice and a call with the wrong number of arguments', () => {
    const build = (kysely: Db['kysely'], param: (index: number) => string) =>
      kysely.selectFrom('users').select('id').where('id', '=', param(0));
    const byId = db.prepare('test_twice', build);
    expect(() => db.prepare('test_twice', build)).toThrow(/defined twice/);
    expect(() => byId([])).toThrow(/takes 1 arguments/);
  });
});
