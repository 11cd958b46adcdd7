import type {
  AuthResult,
  Session,
  TokenPair,
  TotpEnableResponse,
  TotpSetupResponse,
  User,
} from '../../../src-core/contracts/cloud-api';
import { enforceLimit, type AuthContext, type CloudContext } from '../context';
import { apiError, errors } from '../errors';
import { newId } from '../security/crypto';
import type { SessionRead } from '../security/session-gate';
import {
  findUserByEmail,
  findUserById,
  normalizeEmail,
  refuseWeakPassword,
  toUser,
  type Caller,
  type UserRow,
} from './accounts/account-rows';
import { Passwords } from './accounts/passwords';
import { Sessions } from './accounts/sessions';
import { TwoFactor } from './accounts/two-factor';

export { RESET_TOKEN_TTL_MS } from './accounts/passwords';
export { normalizeEmail, toUser, type Caller } from './accounts/account-rows';

/**
 * Accounts: registration and login here; sessions (`accounts/sessions.ts`), passwords
 * (`accounts/passwords.ts`) and two-factor (`accounts/two-factor.ts`) in their own files. Routes validate
 * shapes; these classes hold the rules.
 */
export class AccountService {
  readonly sessions: Sessions;
  readonly passwords: Passwords;
  readonly twoFactor: TwoFactor;

  constructor(private readonly ctx: CloudContext) {
    this.sessions = new Sessions(ctx);
    this.passwords = new Passwords(ctx, this.sessions);
    this.twoFactor = new TwoFactor(ctx);
  }

  private get db() {
    return this.ctx.db.kysely;
  }

  async register(email: string, password: string, caller: Caller): Promise<AuthResult> {
    const normalized = normalizeEmail(email);
    await enforceLimit(this.ctx, 'register_ip', caller.ip, caller);
    await enforceLimit(this.ctx, 'register_account', normalized, caller);
    refuseWeakPassword(password, normalized);
    // Hashed before the lookup, so a taken email costs the same argon2 work as a new one (docs/security.md, Register
    // timing). The 409 itself still tells a prober the address is registered: see docs/security.md, Known limits.
    const hash = await this.ctx.hasher.hash(password);
    const existing = await findUserByEmail(this.db, normalized);
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
      if (await findUserByEmail(this.db, normalized)) {
        throw apiError(
          'email_taken',
          'An account with this email already exists. Sign in or reset the password.',
        );
      }
      throw error;
    }
    await this.ctx.audit.write({ event: 'auth.register', result: 'success', userId: row.id, ip: caller.ip });
    return { user: toUser(row), tokens: await this.sessions.startSession(row.id, caller) };
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
    const user = await findUserByEmail(this.db, normalized);
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
      await this.twoFactor.checkSecondFactor(user, totpCode, caller, 'auth.login');
    }
    const tokens = await this.sessions.startSession(user.id, caller, verifiedHash);
    if (tokens === null) {
      // A reset or change committed while this login was verifying the old password: no session from a stale
      // password check (docs/security.md, Sessions and tokens).
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
    const fresh = (await findUserById(this.db, user.id)) ?? user;
    return { user: toUser(fresh), tokens };
  }

  async me(auth: AuthContext): Promise<User> {
    const user = await findUserById(this.db, auth.userId);
    if (user === undefined) throw errors.unauthorized();
    return toUser(user);
  }

  // ---- the other parts, under the names the routes use --------------------------------------------------

  authenticate(token: string, prefetched: SessionRead | null = null): Promise<AuthContext | null> {
    return this.sessions.authenticate(token, prefetched);
  }
  refresh(refreshToken: string, caller: Caller): Promise<TokenPair> {
    return this.sessions.refresh(refreshToken, caller);
  }
  logout(auth: AuthContext | null, refreshToken: string | undefined, caller: Caller): Promise<void> {
    return this.sessions.logout(auth, refreshToken, caller);
  }
  listSessions(auth: AuthContext): Promise<Session[]> {
    return this.sessions.listSessions(auth);
  }
  revokeOwnSession(auth: AuthContext, sessionId: string, caller: Caller): Promise<void> {
    return this.sessions.revokeOwnSession(auth, sessionId, caller);
  }
  changePassword(auth: AuthContext, current: string, next: string, caller: Caller): Promise<void> {
    return this.passwords.changePassword(auth, current, next, caller);
  }
  forgotPassword(email: string, caller: Caller): Promise<void> {
    return this.passwords.forgotPassword(email, caller);
  }
  resetPassword(token: string, newPassword: string, caller: Caller): Promise<void> {
    return this.passwords.resetPassword(token, newPassword, caller);
  }
  totpSetup(auth: AuthContext): Promise<TotpSetupResponse> {
    return this.twoFactor.totpSetup(auth);
  }
  totpEnable(auth: AuthContext, code: string, caller: Caller): Promise<TotpEnableResponse> {
    return this.twoFactor.totpEnable(auth, code, caller);
  }
  totpDisable(auth: AuthContext, password: string, code: string, caller: Caller): Promise<void> {
    return this.twoFactor.totpDisable(auth, password, code, caller);
  }
}
