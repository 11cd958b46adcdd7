import type { Kysely } from 'kysely';
import type { Keys } from '../security/crypto';
import type { Database } from './schema';

const PAGE = 500;

/**
 * Re-seals every TOTP secret (enabled or pending) not sealed with the current TOTP_SEALING_KEY: the values
 * sealed with JWT_SECRET before the keys were split, and those of TOTP_SEALING_KEY_PREVIOUS after a rotation
 * (docs/security.md, "Keys and rotation"). Runs at start after the migrations; each row is replaced only if it
 * still holds the value read, so instances starting together (or a user enabling 2FA meanwhile) cannot lose a
 * secret. Returns how many values were re-sealed.
 */
export async function resealTotpSecrets(db: Kysely<Database>, keys: Keys): Promise<number> {
  let resealed = 0;
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'totp_secret', 'totp_pending_secret'])
      .where('id', '>', after)
      .where((eb) => eb.or([eb('totp_secret', 'is not', null), eb('totp_pending_secret', 'is not', null)]))
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      for (const column of ['totp_secret', 'totp_pending_secret'] as const) {
        const sealed = row[column];
        if (sealed === null || !keys.needsReseal(sealed)) continue;
        const result = await db
          .updateTable('users')
          .set({ [column]: keys.sealText(keys.openText(sealed)) })
          .where('id', '=', row.id)
          .where(column, '=', sealed)
          .executeTakeFirst();
        resealed += Number(result.numUpdatedRows);
      }
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < PAGE) return resealed;
    after = last.id;
  }
}
