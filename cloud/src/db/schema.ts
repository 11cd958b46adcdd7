import type { Generated } from 'kysely';

/**
 * Table types. Times are epoch milliseconds in `bigint` columns (pg's int8 is parsed to a number in
 * `database.ts`; SQLite returns numbers), flags are 0/1 integers: better-sqlite3 cannot bind booleans or dates.
 */
export interface UsersTable {
  id: string;
  email: string;
  /** Lower-cased email: the unique key, so emails compare case-insensitively. */
  email_normalized: string;
  password_hash: string;
  /** Access tokens issued before this instant are refused (per-user cut-off, ASVS 5.0 7.4.1). */
  tokens_valid_after: number;
  totp_enabled: number;
  /** AES-256-GCM sealed base32 secret (see security/secret-box.ts). */
  totp_secret: string | null;
  totp_pending_secret: string | null;
  /** Last accepted TOTP time step: a code of this step or earlier is refused (replay, ASVS 5.0 6.5.1). */
  totp_last_step: number | null;
  created_at: number;
  updated_at: number;
}

/** One sign-in (a refresh-token family). Revoking it ends its refresh tokens and its access tokens. */
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

export interface RefreshTokensTable {
  id: string;
  session_id: string;
  /** SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface PasswordResetsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** Set when a newer request or a password change made this token void. */
  voided_at: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: number | null;
  created_at: number;
}

export interface ConnectionsTable {
  id: string;
  user_id: string;
  name: string;
  platform: string;
  broker_server: string;
  account_login: string;
  created_at: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  event: string;
  result: string;
  user_id: string | null;
  connection_id: string | null;
  ip: string | null;
  /** JSON object with event-specific fields (never passwords or tokens). */
  details: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  password_resets: PasswordResetsTable;
  recovery_codes: RecoveryCodesTable;
  connections: ConnectionsTable;
  audit_log: AuditLogTable;
}
