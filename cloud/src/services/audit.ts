import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';

/** Security events (ASVS 5.0 16.3.1-16.3.3). Names are `area.action`; results say what the server decided. */
export type AuditEvent =
  | 'auth.register'
  | 'auth.login'
  | 'auth.refresh'
  | 'auth.logout'
  | 'auth.session_revoke'
  | 'auth.password_change'
  | 'auth.password_forgot'
  | 'auth.password_reset'
  | 'auth.totp_enable'
  | 'auth.totp_disable'
  | 'auth.rate_limited'
  | 'connector.connect'
  /** Cloud sync (docs/cloud-sync.md, Remote orders): an order from the portal relayed to the desktop. */
  | 'sync.remote_order';

export interface AuditRecord {
  readonly event: AuditEvent;
  readonly result: string;
  readonly userId?: string | null;
  readonly connectionId?: string | null;
  readonly ip?: string | null;
  /** Never passwords, tokens or codes. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Writes the record; a failed write is logged, never turned into a failed request. */
  async write(record: AuditRecord): Promise<void> {
    try {
      await this.db
        .insertInto('audit_log')
        .values({
          at: this.clock.now(),
          event: record.event,
          result: record.result,
          user_id: record.userId ?? null,
          connection_id: record.connectionId ?? null,
          ip: record.ip ?? null,
          details: record.details === undefined ? null : JSON.stringify(record.details),
        })
        .execute();
    } catch (error) {
      this.log.error({ err: error, event: record.event, result: record.result }, 'audit write failed');
    }
  }
}
