import type { Kysely, Transaction } from 'kysely';
import type { AuthContext, CloudContext } from '../../context';
import type { Database } from '../../db/schema';
import { enforceLimit } from '../../context';
import { apiError, errors } from '../../errors';
import { emails } from '../../mail/mailer';
import { newId, randomToken, tokenHash } from '../../security/crypto';
import {
  findUserByEmail,
  findUserById,
  normalizeEmail,
  refuseWeakPassword,
  type Caller,
} from './account-rows';
import { revokeSessions, type Sessions } from './sessions';

export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

/** Voids every unused reset link of a user (a newer link, a changed or a reset password). */
async function voidPendingResets(trx: Transaction<Database>, userId: string, now: number): Promise<void> {
  await trx
    .updateTable('password_resets')
    .set({ voided_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .execute();
}

/** Password change, forgot-password and reset. */
export class Passwords {
  constructor(
    private readonly ctx: CloudContext,
    private readonly sessions: Sessions,
  ) {}

  private get db(): Kysely<Database> {
    return this.ctx.db.kysely;
  }

  async changePassword(auth: AuthContext, current: string, next: string, caller: Caller): Promise<void> {
    await enforceLimit(this.ctx, 'password_change_account', auth.userId, caller);
    const user = await findUserById(this.db, auth.userId);
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
    refuseWeakPassword(next, user.email_normalized);
    const hash = await this.ctx.hasher.hash(next);
    const now = this.ctx.clock.now();
    const ended = await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, updated_at: now })
        .where('id', '=', user.id)
        .execute();
      // Other devices are signed out (ASVS 5.0 7.4.3); this one keeps its session, and access tokens already
      // issued stay valid (no cut-off): the caller proved the current password.
      const revoked = await revokeSessions(trx, this.ctx.sessionGate, {
        userId: user.id,
        reason: 'password_changed',
        now,
        keep: auth.sessionId,
      });
      await voidPendingResets(trx, user.id, now);
      return revoked;
    });
    await this.sessions.endConnectorSockets(ended);
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
      const user = await findUserByEmail(this.db, normalized);
      const token = randomToken(32);
      if (user !== undefined) {
        const now = this.ctx.clock.now();
        await this.db.transaction().execute(async (trx) => {
          // A newer request voids every older token.
          await voidPendingResets(trx, user.id, now);
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
    refuseWeakPassword(newPassword, reset.email_normalized);
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
      // Whoever held the old password may hold a session or a token: every session ends, and the cut-off
      // (tokens_valid_after above) refuses every access token issued before now.
      const revoked = await revokeSessions(trx, this.ctx.sessionGate, {
        userId: reset.user_id,
        reason: 'password_reset',
        now: done,
      });
      await voidPendingResets(trx, reset.user_id, done);
      return revoked;
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
    await this.sessions.endConnectorSockets(won);
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
}
