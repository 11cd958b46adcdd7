import type { Kysely, Selectable } from 'kysely';
import type { User } from '../../../../src-core/contracts/cloud-api';
import type { Database, UsersTable } from '../../db/schema';
import { apiError } from '../../errors';
import { checkPasswordPolicy } from '../../security/password-policy';

/** Who is asking: used for sessions, audit rows and per-address limits. */
export interface Caller {
  readonly ip: string;
  readonly userAgent: string | null;
}

export type UserRow = Selectable<UsersTable>;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Emails are unique and compared case-insensitively; the typed form is kept for display. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    totp_enabled: row.totp_enabled === 1,
    created_at: iso(row.created_at),
  };
}

/** Throws `weak_password` with the policy's reason. */
export function refuseWeakPassword(password: string, email: string): void {
  const verdict = checkPasswordPolicy(password, email);
  if (!verdict.ok) {
    throw apiError('weak_password', verdict.error.message, { reason: verdict.error.reason });
  }
}

export function findUserByEmail(db: Kysely<Database>, normalized: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email_normalized', '=', normalized).executeTakeFirst();
}

export function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}
