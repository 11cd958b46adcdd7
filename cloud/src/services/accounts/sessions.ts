import type { Kysely, Transaction } from 'kysely';
import type { Session, TokenPair } from '../../../../src-core/contracts/cloud-api';
import type { AuthContext, CloudContext } from '../../context';
import type { Database } from '../../db/schema';
import { enforceLimit } from '../../context';
import { errors } from '../../errors';
import { newId, randomToken, tokenHash } from '../../security/crypto';
import { isLive, type SessionGate, type SessionRead } from '../../security/session-gate';
import { iso, type Caller } from './account-rows';

/** Why sessions were ended, as stored in `sessions.revoked_reason`. */
export type RevokeReason =
  'logout' | 'revoked_by_user' | 'refresh_token_reuse' | 'password_changed' | 'password_reset';

/**
 * Ends a user's live sessions inside the caller's transaction and returns their ids (for the connector
 * sockets). `keep` spares one session: a password change keeps the device that made it, a reset keeps none.
 * The ended sessions are marked for every instance before the transaction commits; when that fails the
 * transaction rolls back with a 503 (security/session-gate.ts).
 */
export async function revokeSessions(
  trx: Transaction<Database>,
  gate: SessionGate,
  options: {
    readonly userId: string;
    readonly reason: RevokeReason;
    readonly now: number;
    readonly keep?: string;
  },
): Promise<string[]> {
  let query = trx
    .updateTable('sessions')
    .set({ revoked_at: options.now, revoked_reason: options.reason })
    .where('user_id', '=', options.userId)
    .where('revoked_at', 'is', null);
  if (options.keep !== undefined) query = query.where('id', '!=', options.keep);
  const revoked = (await query.returning('id').execute()).map((r) => r.id);
  await gate.markRevoked(revoked);
  return revoked;
}

/**
 * Sessions are refresh-token families: each refresh marks its token used and issues the next; presenting a
 * used token again revokes the family (RFC 9700 4.14.2). Access tokens name their session, and each request
 * checks the session is live and the token is newer than the user's cut-off (ASVS 5.0 7.4.1).
 */
export class Sessions {
  /** The per-request session check (when Redis has not decided), prepared once (db/database.ts). */
  private readonly liveSession: (
    args: readonly [sessionId: string, userId: string],
  ) => Promise<{ revoked_at: number | null; expires_at: number; tokens_valid_after: number }[]>;

  constructor(private readonly ctx: CloudContext) {
    this.liveSession = ctx.db.prepare('session_check', (db, param) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.revoked_at', 'sessions.expires_at', 'users.tokens_valid_after'])
        .where('sessions.id', '=', param(0))
        .where('sessions.user_id', '=', param(1)),
    );
  }

  private get db(): Kysely<Database> {
    return this.ctx.db.kysely;
  }

  /**
   * Creates a session. With `verifiedHash` (login), only while the user's stored hash is still the one the
   * password was verified against, else null: a reset or change that commits during the verification would
   * otherwise miss this session. On PostgreSQL the user row is locked, so a concurrent reset either commits
   * first (the hash differs here) or waits for this session and then revokes it; SQLite runs one write
   * transaction at a time.
   */
  async startSession(userId: string, caller: Caller): Promise<TokenPair>;
  async startSession(userId: string, caller: Caller, verifiedHash: string): Promise<TokenPair | null>;
  async startSession(userId: string, caller: Caller, verifiedHash?: string): Promise<TokenPair | null> {
    const now = this.ctx.clock.now();
    const sessionId = newId();
    const expiresAt = now + this.ctx.config.refreshTokenTtlSec * 1000;
    const isCreated = await this.db.transaction().execute(async (trx) => {
      if (verifiedHash !== undefined) {
        const select = trx.selectFrom('users').select('password_hash').where('id', '=', userId);
        const row = await (
          this.ctx.db.dialect === 'postgres' ? select.forUpdate() : select
        ).executeTakeFirst();
        if (row?.password_hash !== verifiedHash) return false;
      }
      await trx
        .insertInto('sessions')
        .values({
          id: sessionId,
          user_id: userId,
          created_at: now,
          last_used_at: now,
          expires_at: expiresAt,
          revoked_at: null,
          revoked_reason: null,
          user_agent: caller.userAgent?.slice(0, 256) ?? null,
          ip: caller.ip,
        })
        .execute();
      return true;
    });
    if (!isCreated) return null;
    return this.issueTokens(userId, sessionId, expiresAt);
  }

  private async issueTokens(userId: string, sessionId: string, sessionExpiresAt: number): Promise<TokenPair> {
    const now = this.ctx.clock.now();
    const refresh = randomToken();
    await this.db
      .insertInto('refresh_tokens')
      .values({
        id: newId(),
        session_id: sessionId,
        token_hash: tokenHash(refresh),
        created_at: now,
        expires_at: sessionExpiresAt,
        used_at: null,
      })
      .execute();
    return {
      access_token: await this.ctx.accessTokens.sign(userId, sessionId),
      token_type: 'Bearer',
      expires_in: this.ctx.accessTokens.ttlSec,
      refresh_token: refresh,
      refresh_expires_in: Math.max(0, Math.floor((sessionExpiresAt - now) / 1000)),
      session_id: sessionId,
    };
  }

  /**
   * Checks an access token against its session and the user's cut-off; null when it may not be used.
   * `prefetched`: this request's read of the session's mark, made alongside its rate limit (app.ts).
   */
  async authenticate(token: string, prefetched: SessionRead | null = null): Promise<AuthContext | null> {
    const claims = await this.ctx.accessTokens.verify(token);
    if (claims === null) return null;
    const now = this.ctx.clock.now();
    // With Redis, one round trip there usually decides; the database answers when it cannot.
    const { verdict, ticket } = await this.ctx.sessionGate.check(claims, now, prefetched);
    if (verdict !== undefined) return verdict ? { userId: claims.sub, sessionId: claims.sid } : null;
    const [row] = await this.liveSession([claims.sid, claims.sub]);
    if (row === undefined || row.revoked_at !== null) return null;
    const session = {
      userId: claims.sub,
      expiresAt: row.expires_at,
      tokensValidAfter: row.tokens_valid_after,
    };
    this.ctx.sessionGate.remember(claims.sid, session, ticket);
    return isLive(session, claims, now) ? { userId: claims.sub, sessionId: claims.sid } : null;
  }

  async refresh(refreshToken: string, caller: Caller): Promise<TokenPair> {
    await enforceLimit(this.ctx, 'refresh_ip', caller.ip, caller);
    const now = this.ctx.clock.now();
    const found = await this.db
      .selectFrom('refresh_tokens')
      .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .select([
        'refresh_tokens.id as token_id',
        'refresh_tokens.used_at',
        'refresh_tokens.expires_at',
        'sessions.id as session_id',
        'sessions.user_id',
        'sessions.revoked_at',
        'sessions.expires_at as session_expires_at',
      ])
      .where('refresh_tokens.token_hash', '=', tokenHash(refreshToken))
      .executeTakeFirst();
    if (found === undefined) throw errors.invalidRefreshToken();
    if (found.revoked_at !== null || found.expires_at <= now || found.session_expires_at <= now) {
      await this.ctx.audit.write({
        event: 'auth.refresh',
        result: 'refused_session_ended',
        userId: found.user_id,
        ip: caller.ip,
      });
      throw errors.invalidRefreshToken();
    }
    // Claim the token atomically: of two requests presenting it, exactly one wins; the other is a reuse.
    const claimed =
      found.used_at === null
        ? await this.db
            .updateTable('refresh_tokens')
            .set({ used_at: now })
            .where('id', '=', found.token_id)
            .where('used_at', 'is', null)
            .executeTakeFirst()
        : undefined;
    if (claimed === undefined || Number(claimed.numUpdatedRows) !== 1) {
      await this.revokeSession(found.session_id, 'refresh_token_reuse');
      await this.ctx.audit.write({
        event: 'auth.refresh',
        result: 'reuse_detected_session_revoked',
        userId: found.user_id,
        ip: caller.ip,
        details: { session_id: found.session_id },
      });
      throw errors.invalidRefreshToken();
    }
    await this.db
      .updateTable('sessions')
      .set({ last_used_at: now, ip: caller.ip })
      .where('id', '=', found.session_id)
      .execute();
    return this.issueTokens(found.user_id, found.session_id, found.session_expires_at);
  }

  private async revokeSession(sessionId: string, reason: RevokeReason): Promise<void> {
    if (reason === 'refresh_token_reuse') {
      // A stolen family must end even with Redis away: the database first, the mark as well as it can be
      // (other instances then refuse its access tokens from their next database read, within a minute).
      await this.db
        .updateTable('sessions')
        .set({ revoked_at: this.ctx.clock.now(), revoked_reason: reason })
        .where('id', '=', sessionId)
        .where('revoked_at', 'is', null)
        .execute();
      await this.ctx.sessionGate.markRevoked([sessionId]).catch((error: unknown) => {
        this.ctx.log.error({ err: error }, 'session revocation: the mark for a reused refresh token failed');
      });
    } else {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('sessions')
          .set({ revoked_at: this.ctx.clock.now(), revoked_reason: reason })
          .where('id', '=', sessionId)
          .where('revoked_at', 'is', null)
          .execute();
        await this.ctx.sessionGate.markRevoked([sessionId]);
      });
    }
    await this.endConnectorSockets([sessionId]);
  }

  /** A connector socket lives no longer than the session that opened it, on whichever instance holds it. */
  async endConnectorSockets(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.ctx.hub.revoke({ kind: 'sessions', session_ids: [...sessionIds] });
  }

  /** Ends the caller's session, or the session a refresh token belongs to. */
  async logout(auth: AuthContext | null, refreshToken: string | undefined, caller: Caller): Promise<void> {
    let sessionId = auth?.sessionId;
    let userId = auth?.userId;
    if (sessionId === undefined && refreshToken !== undefined) {
      const found = await this.db
        .selectFrom('refresh_tokens')
        .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
        .select(['sessions.id', 'sessions.user_id'])
        .where('refresh_tokens.token_hash', '=', tokenHash(refreshToken))
        .executeTakeFirst();
      sessionId = found?.id;
      userId = found?.user_id;
    }
    if (sessionId === undefined) throw errors.unauthorized();
    await this.revokeSession(sessionId, 'logout');
    await this.ctx.audit.write({
      event: 'auth.logout',
      result: 'success',
      userId: userId ?? null,
      ip: caller.ip,
    });
  }

  async listSessions(auth: AuthContext): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', auth.userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', this.ctx.clock.now())
      .orderBy('last_used_at', 'desc')
      .execute();
    return rows.map((s) => ({
      id: s.id,
      created_at: iso(s.created_at),
      last_used_at: iso(s.last_used_at),
      expires_at: iso(s.expires_at),
      user_agent: s.user_agent,
      ip: s.ip,
      current: s.id === auth.sessionId,
    }));
  }

  /** Another user's session answers exactly like a missing one. */
  async revokeOwnSession(auth: AuthContext, sessionId: string, caller: Caller): Promise<void> {
    // Marked only once the update proved the session is the caller's: a mark ends a session anywhere.
    const isRevoked = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('sessions')
        .set({ revoked_at: this.ctx.clock.now(), revoked_reason: 'revoked_by_user' })
        .where('id', '=', sessionId)
        .where('user_id', '=', auth.userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await this.ctx.sessionGate.markRevoked([sessionId]);
      return true;
    });
    if (!isRevoked) throw errors.notFound('Session');
    await this.endConnectorSockets([sessionId]);
    await this.ctx.audit.write({
      event: 'auth.session_revoke',
      result: 'success',
      userId: auth.userId,
      ip: caller.ip,
      details: { session_id: sessionId },
    });
  }
}
