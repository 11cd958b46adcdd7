import QRCode from 'qrcode';
import type { Kysely } from 'kysely';
import type { TotpEnableResponse, TotpSetupResponse } from '../../../../src-core/contracts/cloud-api';
import type { AuthContext, CloudContext } from '../../context';
import type { Database } from '../../db/schema';
import { enforceLimit } from '../../context';
import { apiError, errors } from '../../errors';
import { emails } from '../../mail/mailer';
import { newId } from '../../security/crypto';
import {
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  totpUri,
} from '../../security/totp';
import { findUserById, type Caller, type UserRow } from './account-rows';

/** TOTP two-factor authentication and recovery codes. */
export class TwoFactor {
  constructor(private readonly ctx: CloudContext) {}

  private get db(): Kysely<Database> {
    return this.ctx.db.kysely;
  }

  async totpSetup(auth: AuthContext): Promise<TotpSetupResponse> {
    const user = await findUserById(this.db, auth.userId);
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
    const user = await findUserById(this.db, auth.userId);
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
    const user = await findUserById(this.db, auth.userId);
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
  async checkSecondFactor(
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
      .where('code_hash', 'in', this.ctx.keys.recoveryCodeCandidates(normalized))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return refuse('wrong_or_used_recovery_code');
    await this.ctx.audit.write({ event, result: 'recovery_code_used', userId: user.id, ip: caller.ip });
  }
}
