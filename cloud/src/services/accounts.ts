import QRCode from 'qrcode';
import type { Selectable } from 'kysely';
import type {
  AuthResult,
  Session,
  TokenPair,
  TotpEnableResponse,
  TotpSetupResponse,
  User,
} from '../../../src-core/contracts/cloud-api';
import { enforceLimit, type AuthContext, type CloudContext } from '../context';
import type { UsersTable } from '../db/schema';
import { apiError, errors } from '../errors';
import { emails } from '../mail/mailer';
import { checkPasswordPolicy } from '../security/password-policy';
import { newId, randomToken, tokenHash } from '../security/crypto';
import { matchTotp, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, totpUri } from '../security/totp';

export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

/** Who is asking: used for sessions, audit rows and per-address limits. */
export interface Caller {
  readonly ip: string;
  readonly userAgent: string | null;
}

type UserRow = Selectable<UsersTable>;

const iso = (ms: number): string => new Date(ms).toISOString();

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

/**
 * Accounts, sessions, password reset and 2FA. Routes validate shapes; this class holds the rules.
 * Sessions are refresh-token families: each refresh marks its token used and issues the next; presenting a
 * used token again revokes the family (RFC 9700 4.14.2). Access tokens name their session, and each request
 * checks the session is live and the token is newer than the user's cut-off (ASVS 5.0 7.4.1).
 */
export class AccountService {
  constructor(private readonly ctx: CloudContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  private weakPassword(password: string, email: string): void {
    const verdict = checkPasswordPolicy(password, email);
    if (!verdict.ok) {
      throw apiError('weak_password', verdict.error.message, { reason: verdict.error.reason });
    }
  }

  // ---- registration and login ---------------------------------------------------------------------------

  async register(email: string, password: string, caller: Caller): Promise<AuthResult> {
    const normalized = normalizeEmail(email);
    await enforceLimit(this.ctx, 'register_ip', caller.ip, caller);
    await enforceLimit(this.ctx, 'register_account', normalized, caller);
    this.weakPassword(password, normalized);
    // Hashed before the lookup, so a taken email costs the same argon2 work as a new one (timing, F3). The
    // 409 itself still tells a prober the address is registered: see docs/security.md, Known limits.
    const hash = await this.ctx.hasher.hash(password);
    const existing = await this.findUserByEmail(normalized);
    if (existing !== undefined) {
      await this.ctx.audit.write({
        event: 'auth.register',
        result: 'email_taken',
        userId: existing.id,
        ip: caller.ip,
      });
      throw apiError(
        'email_taken',
        'An account with this email already exists. Sign in or reset the password.',
      );
    }
    const now = this.ctx.clock.now();
    const row: UserRow = {
      id: newId(),
      email: email.trim(),
      email_normalized: normalized,
      password_hash: hash,
      tokens_valid_after: 0,
      totp_enabled: 0,
      totp_secret: null,
      totp_pending_secret: null,
      totp_last_step: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (error) {
      // Two registrations racing for one email: the unique index decides.
      if (await this.findUserByEmail(normalized)) {
        throw apiError(
          'email_taken',
          'An account with this email already exists. Sign in or reset the password.',
        );
      }
      throw error;
    }
    await this.ctx.audit.write({ event: 'auth.register', result: 'success', userId: row.id, ip: caller.ip });
    return { user: toUser(row), tokens: await this.startSession(row.id, caller) };
  }

  async login(
    email: string,
    password: string,
    totpCode: string | undefined,
    caller: Caller,
  ): Promise<AuthResult> {
    const normalized = normalizeEmail(email);
    await enforceLimit(this.ctx, 'login_ip', caller.ip, caller);
    await enforceLimit(this.ctx, 'login_account', normalized, caller);
    const user = await this.findUserByEmail(normalized);
    if (user === undefined) {
      await this.ctx.hasher.verifyDummy(password);
      await this.ctx.audit.write({ event: 'auth.login', result: 'unknown_email', ip: caller.ip });
      throw errors.invalidCredentials();
    }
    const check = await this.ctx.hasher.verify(user.password_hash, password);
    if (!check.isValid) {
      await this.ctx.audit.write({
        event: 'auth.login',
        result: 'wrong_password',
        userId: user.id,
        ip: caller.ip,
      });
      throw errors.invalidCredentials();
    }
    // The hash this password was checked against: the session is created only while it is still the stored one.
    let verifiedHash = user.password_hash;
    if (check.needsRehash) {
      const fresh = await this.ctx.hasher.hash(password);
      const rehashed = await this.db
        .updateTable('users')
        .set({ password_hash: fresh, updated_at: this.ctx.clock.now() })
        .where('id', '=', user.id)
        .where('password_hash', '=', user.password_hash)
        .executeTakeFirst();
      if (Number(rehashed.numUpdatedRows) === 1) verifiedHash = fresh;
      this.ctx.log.info(
        { userId: user.id, from: check.scheme },
        'password rehashed to current argon2id parameters',
      );
    }
    if (user.totp_enabled === 1) {
      if (totpCode === undefined) {
        await this.ctx.audit.write({
          event: 'auth.login',
          result: 'totp_required',
          userId: user.id,
          ip: caller.ip,
        });
        throw apiError(
          'totp_required',
          'Enter the 6-digit code from your authenticator app or a recovery code.',
        );
      }
      await this.checkSecondFactor(user, totpCode, caller, 'auth.login');
    }
    const tokens = await this.startSession(user.id, caller, verifiedHash);
    if (tokens === null) {
      // A reset or change committed while this login was verifying the old password (F13).
      await this.ctx.audit.write({
        event: 'auth.login',
        result: 'password_changed_during_login',
        userId: user.id,
        ip: caller.ip,
      });
      throw errors.invalidCredentials();
    }
    await this.ctx.audit.write({
      event: 'auth.login',
      result: 'success',
      userId: user.id,
      ip: caller.ip,
      ...(check.needsRehash ? { details: { rehashed_from: check.scheme } } : {}),
    });
    const fresh = (await this.findUserById(user.id)) ?? user;
    return { user: toUser(fresh), tokens };
  }

  // ---- sessions and tokens ------------------------------------------------------------------------------

  /**
   * Creates a session. With `verifiedHash` (login), only while the user's stored hash is still the one the
   * password was verified against, else null: a reset or change that commits during the verification would
   * otherwise miss this session. On PostgreSQL the user row is locked, so a concurrent reset either commits
   * first (the hash differs here) or waits for this session and then revokes it; SQLite runs one write
   * transaction at a time.
   */
  private async startSession(userId: string, caller: Caller): Promise<TokenPair>;
  private async startSession(userId: string, caller: Caller, verifiedHash: string): Promise<TokenPair | null>;
  private async startSession(
    userId: string,
    caller: Caller,
    verifiedHash?: string,
  ): Promise<TokenPair | null> {
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

  /** Checks an access token against its session and the user's cut-off; null when it may not be used. */
  async authenticate(token: string): Promise<AuthContext | null> {
    const claims = await this.ctx.accessTokens.verify(token);
    if (claims === null) return null;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.revoked_at', 'sessions.expires_at', 'users.tokens_valid_after'])
      .where('sessions.id', '=', claims.sid)
      .where('sessions.user_id', '=', claims.sub)
      .executeTakeFirst();
    if (row === undefined || row.revoked_at !== null) return null;
    if (row.expires_at <= this.ctx.clock.now() || claims.iat_ms < row.tokens_valid_after) return null;
    return { userId: claims.sub, sessionId: claims.sid };
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

  private async revokeSession(sessionId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: this.ctx.clock.now(), revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    await this.endConnectorSockets([sessionId]);
  }

  /** A connector socket lives no longer than the session that opened it, on whichever instance holds it. */
  private async endConnectorSockets(sessionIds: readonly string[]): Promise<void> {
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
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: this.ctx.clock.now(), revoked_reason: 'revoked_by_user' })
      .where('id', '=', sessionId)
      .where('user_id', '=', auth.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw errors.notFound('Session');
    await this.endConnectorSockets([sessionId]);
    await this.ctx.audit.write({
      event: 'auth.session_revoke',
      result: 'success',
      userId: auth.userId,
      ip: caller.ip,
      details: { session_id: sessionId },
    });
  }

  async me(auth: AuthContext): Promise<User> {
    const user = await this.findUserById(auth.userId);
    if (user === undefined) throw errors.unauthorized();
    return toUser(user);
  }

  // ---- passwords ----------------------------------------------------------------------------------------

  async changePassword(auth: AuthContext, current: string, next: string, caller: Caller): Promise<void> {
    await enforceLimit(this.ctx, 'password_change_account', auth.userId, caller);
    const user = await this.findUserById(auth.userId);
    if (user === undefined) throw errors.unauthorized();
    const check = await this.ctx.hasher.verify(user.password_hash, current);
    if (!check.isValid) {
      await this.ctx.audit.write({
        event: 'auth.password_change',
        result: 'wrong_password',
        userId: user.id,
        ip: caller.ip,
      });
      throw apiError('invalid_credentials', 'The current password is wrong.');
    }
    this.weakPassword(next, user.email_normalized);
    const hash = await this.ctx.hasher.hash(next);
    const now = this.ctx.clock.now();
    const ended = await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, updated_at: now })
        .where('id', '=', user.id)
        .execute();
      // Other devices are signed out (ASVS 5.0 7.4.3); this one keeps its session.
      const revoked = await trx
        .updateTable('sessions')
        .set({ revoked_at: now, revoked_reason: 'password_changed' })
        .where('user_id', '=', user.id)
        .where('id', '!=', auth.sessionId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      await trx
        .updateTable('password_resets')
        .set({ voided_at: now })
        .where('user_id', '=', user.id)
        .where('used_at', 'is', null)
        .where('voided_at', 'is', null)
        .execute();
      return revoked.map((r) => r.id);
    });
    await this.endConnectorSockets(ended);
    await this.ctx.audit.write({
      event: 'auth.password_change',
      result: 'success',
      userId: user.id,
      ip: caller.ip,
    });
    this.ctx.background(
      this.ctx.mailer.send(emails.passwordChanged(user.email, 'change')),
      'password changed mail',
    );
  }

  /**
   * Always the same answer, in at least `forgotPasswordFloorMs`: the work for a known email (token, row,
   * queued mail) is quick and the mail is sent after the response, so the floor hides the difference.
   */
  async forgotPassword(email: string, caller: Caller): Promise<void> {
    const started = performance.now();
    const normalized = normalizeEmail(email);
    try {
      await enforceLimit(this.ctx, 'forgot_ip', caller.ip, caller);
      await enforceLimit(this.ctx, 'forgot_account', normalized, caller);
      const user = await this.findUserByEmail(normalized);
      const token = randomToken(32);
      if (user !== undefined) {
        const now = this.ctx.clock.now();
        await this.db.transaction().execute(async (trx) => {
          // A newer request voids every older token.
          await trx
            .updateTable('password_resets')
            .set({ voided_at: now })
            .where('user_id', '=', user.id)
            .where('used_at', 'is', null)
            .where('voided_at', 'is', null)
            .execute();
          await trx
            .insertInto('password_resets')
            .values({
              id: newId(),
              user_id: user.id,
              token_hash: tokenHash(token),
              created_at: now,
              expires_at: now + RESET_TOKEN_TTL_MS,
              used_at: null,
              voided_at: null,
            })
            .execute();
        });
        // The link's base is configuration, never the request's Host header.
        const link = `${this.ctx.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
        this.ctx.background(
          this.ctx.mailer.send(emails.passwordReset(user.email, link, RESET_TOKEN_TTL_MS / 60_000)),
          'password reset mail',
        );
      }
      await this.ctx.audit.write({
        event: 'auth.password_forgot',
        result: user === undefined ? 'unknown_email' : 'token_sent',
        userId: user?.id ?? null,
        ip: caller.ip,
      });
    } finally {
      const elapsed = performance.now() - started;
      const wait = this.ctx.forgotPasswordFloorMs - elapsed;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async resetPassword(token: string, newPassword: string, caller: Caller): Promise<void> {
    const hashOfToken = tokenHash(token);
    await enforceLimit(this.ctx, 'reset_ip', caller.ip, caller);
    await enforceLimit(this.ctx, 'reset_token', hashOfToken, caller);
    const now = this.ctx.clock.now();
    const reset = await this.db
      .selectFrom('password_resets')
      .innerJoin('users', 'users.id', 'password_resets.user_id')
      .select([
        'password_resets.id',
        'password_resets.used_at',
        'password_resets.voided_at',
        'password_resets.expires_at',
        'users.id as user_id',
        'users.email',
        'users.email_normalized',
      ])
      .where('password_resets.token_hash', '=', hashOfToken)
      .executeTakeFirst();
    // Per account as well, once the token names one: many guessed links cannot all aim at one user.
    if (reset !== undefined) await enforceLimit(this.ctx, 'reset_account', reset.user_id, caller);
    const isUsable =
      reset !== undefined && reset.used_at === null && reset.voided_at === null && reset.expires_at > now;
    if (!isUsable) {
      await this.ctx.audit.write({
        event: 'auth.password_reset',
        result: reset === undefined ? 'unknown_token' : 'used_voided_or_expired_token',
        userId: reset?.user_id ?? null,
        ip: caller.ip,
      });
      throw errors.invalidResetToken();
    }
    // The policy is checked before the token is spent, so a refused password does not burn the link.
    this.weakPassword(newPassword, reset.email_normalized);
    const hash = await this.ctx.hasher.hash(newPassword);
    const done = this.ctx.clock.now();
    const won = await this.db.transaction().execute(async (trx): Promise<string[] | null> => {
      const claim = await trx
        .updateTable('password_resets')
        .set({ used_at: done })
        .where('id', '=', reset.id)
        .where('used_at', 'is', null)
        .where('voided_at', 'is', null)
        .where('expires_at', '>', done)
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) return null;
      await trx
        .updateTable('users')
        .set({ password_hash: hash, tokens_valid_after: done, updated_at: done })
        .where('id', '=', reset.user_id)
        .execute();
      const revoked = await trx
        .updateTable('sessions')
        .set({ revoked_at: done, revoked_reason: 'password_reset' })
        .where('user_id', '=', reset.user_id)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      await trx
        .updateTable('password_resets')
        .set({ voided_at: done })
        .where('user_id', '=', reset.user_id)
        .where('used_at', 'is', null)
        .where('voided_at', 'is', null)
        .execute();
      return revoked.map((r) => r.id);
    });
    if (won === null) {
      await this.ctx.audit.write({
        event: 'auth.password_reset',
        result: 'lost_race',
        userId: reset.user_id,
        ip: caller.ip,
      });
      throw errors.invalidResetToken();
    }
    await this.endConnectorSockets(won);
    await this.ctx.audit.write({
      event: 'auth.password_reset',
      result: 'success',
      userId: reset.user_id,
      ip: caller.ip,
    });
    this.ctx.background(
      this.ctx.mailer.send(emails.passwordChanged(reset.email, 'reset')),
      'password changed mail',
    );
  }

  // ---- two-factor ---------------------------------------------------------------------------------------

  async totpSetup(auth: AuthContext): Promise<TotpSetupResponse> {
    const user = await this.findUserById(auth.userId);
    if (user === undefined) throw errors.unauthorized();
    if (user.totp_enabled === 1)
      throw apiError('totp_already_enabled', 'Two-factor authentication is already on.');
    const secret = newTotpSecret();
    await this.db
      .updateTable('users')
      .set({ totp_pending_secret: this.ctx.keys.sealText(secret), updated_at: this.ctx.clock.now() })
      .where('id', '=', user.id)
      .execute();
    const url = totpUri(secret, user.email);
    return { secret, otpauth_url: url, qr_data_url: await QRCode.toDataURL(url) };
  }

  async totpEnable(auth: AuthContext, code: string, caller: Caller): Promise<TotpEnableResponse> {
    await enforceLimit(this.ctx, 'totp_ip', caller.ip, caller);
    await enforceLimit(this.ctx, 'totp_account', auth.userId, caller);
    const user = await this.findUserById(auth.userId);
    if (user === undefined) throw errors.unauthorized();
    if (user.totp_enabled === 1)
      throw apiError('totp_already_enabled', 'Two-factor authentication is already on.');
    if (user.totp_pending_secret === null) {
      throw apiError('totp_setup_required', 'Start with /api/v1/auth/2fa/setup to get a secret.');
    }
    const secret = this.ctx.keys.openText(user.totp_pending_secret);
    const step = matchTotp(secret, code, this.ctx.clock.now(), user.totp_last_step);
    if (step === null) {
      await this.ctx.audit.write({
        event: 'auth.totp_enable',
        result: 'wrong_code',
        userId: user.id,
        ip: caller.ip,
      });
      throw apiError('invalid_totp_code', 'The code is wrong or expired. Check the time on your phone.');
    }
    const codes = newRecoveryCodes();
    const now = this.ctx.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({
          totp_enabled: 1,
          totp_secret: user.totp_pending_secret,
          totp_pending_secret: null,
          totp_last_step: step,
          updated_at: now,
        })
        .where('id', '=', user.id)
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
      await trx
        .insertInto('recovery_codes')
        .values(
          codes.map((c) => ({
            id: newId(),
            user_id: user.id,
            code_hash: this.ctx.keys.recoveryCodeHash(normalizeRecoveryCode(c) ?? c),
            used_at: null,
            created_at: now,
          })),
        )
        .execute();
    });
    await this.ctx.audit.write({
      event: 'auth.totp_enable',
      result: 'success',
      userId: user.id,
      ip: caller.ip,
    });
    this.ctx.background(this.ctx.mailer.send(emails.twoFactorChanged(user.email, true)), '2fa mail');
    return { recovery_codes: codes };
  }

  async totpDisable(auth: AuthContext, password: string, code: string, caller: Caller): Promise<void> {
    // The password is checked here too, so this endpoint must not become an unlimited password oracle.
    await enforceLimit(this.ctx, 'password_change_account', auth.userId, caller);
    const user = await this.findUserById(auth.userId);
    if (user === undefined) throw errors.unauthorized();
    if (user.totp_enabled !== 1) throw apiError('totp_not_enabled', 'Two-factor authentication is off.');
    const check = await this.ctx.hasher.verify(user.password_hash, password);
    if (!check.isValid) {
      await this.ctx.audit.write({
        event: 'auth.totp_disable',
        result: 'wrong_password',
        userId: user.id,
        ip: caller.ip,
      });
      throw apiError('invalid_credentials', 'The password is wrong.');
    }
    await this.checkSecondFactor(user, code, caller, 'auth.totp_disable');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({
          totp_enabled: 0,
          totp_secret: null,
          totp_pending_secret: null,
          updated_at: this.ctx.clock.now(),
        })
        .where('id', '=', user.id)
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
    });
    await this.ctx.audit.write({
      event: 'auth.totp_disable',
      result: 'success',
      userId: user.id,
      ip: caller.ip,
    });
    this.ctx.background(this.ctx.mailer.send(emails.twoFactorChanged(user.email, false)), '2fa mail');
  }

  /**
   * Accepts a TOTP (once per time step: the step is claimed with a conditional update, so two requests
   * with one code cannot both pass) or an unused recovery code (claimed the same way).
   */
  private async checkSecondFactor(
    user: UserRow,
    code: string,
    caller: Caller,
    event: 'auth.login' | 'auth.totp_disable',
  ): Promise<void> {
    await enforceLimit(this.ctx, 'totp_ip', caller.ip, caller);
    await enforceLimit(this.ctx, 'totp_account', user.id, caller);
    const refuse = async (result: string): Promise<never> => {
      await this.ctx.audit.write({ event, result, userId: user.id, ip: caller.ip });
      throw apiError('invalid_totp_code', 'The code is wrong, expired or already used.');
    };
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) {
      if (user.totp_secret === null) return refuse('no_secret');
      const secret = this.ctx.keys.openText(user.totp_secret);
      const step = matchTotp(secret, trimmed, this.ctx.clock.now(), user.totp_last_step);
      if (step === null) return refuse('wrong_or_replayed_totp');
      const claim = await this.db
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('id', '=', user.id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) return refuse('replayed_totp');
      return;
    }
    const normalized = normalizeRecoveryCode(trimmed);
    if (normalized === null) return refuse('malformed_code');
    const claim = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: this.ctx.clock.now() })
      .where('user_id', '=', user.id)
      .where('code_hash', '=', this.ctx.keys.recoveryCodeHash(normalized))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return refuse('wrong_or_used_recovery_code');
    await this.ctx.audit.write({ event, result: 'recovery_code_used', userId: user.id, ip: caller.ip });
  }

  // ---- lookups ------------------------------------------------------------------------------------------

  findUserByEmail(normalized: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('email_normalized', '=', normalized)
      .executeTakeFirst();
  }

  findUserById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
