import { z } from 'zod';

/**
 * The cloud's HTTP contract under `/api/v1` (JSON, snake_case). The cloud validates requests with these
 * schemas and serialises responses with them; the desktop's sync client and the portal use the same ones.
 */

/** Every error code the cloud answers with, listed once. Clients switch on these, never on messages. */
export const CloudErrorCode = z.enum([
  /** The body, query or path failed its schema; `details.issues` lists the fields. */
  'validation_failed',
  /** Wrong email or password (the same answer for both, so accounts cannot be enumerated). */
  'invalid_credentials',
  /** The account has 2FA and the login carried no code. */
  'totp_required',
  /** A wrong, reused or expired 2FA or recovery code. */
  'invalid_totp_code',
  /** Missing, malformed, expired or revoked access token. */
  'unauthorized',
  /** The refresh token is unknown, expired, revoked, or was already used (its family is then revoked). */
  'invalid_refresh_token',
  /** The reset token is unknown, used or expired (one answer for all three). */
  'invalid_reset_token',
  /** The new password breaks the policy; `details.reason` says which rule. */
  'weak_password',
  /** Registration with an email that already has an account. */
  'email_taken',
  'totp_already_enabled',
  'totp_not_enabled',
  /** `/2fa/enable` before `/2fa/setup`. */
  'totp_setup_required',
  /** Missing, or not the caller's (one answer for both: no IDOR oracle). */
  'not_found',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  /** The request's headers are larger than the server takes (16 KB). */
  'headers_too_large',
  /**
   * A shared service the answer depends on (Redis) cannot be reached right now, so the cloud cannot tell;
   * try again shortly. Never a statement about the desktop.
   */
  'service_unavailable',
  /** The sizing core refused the input; `details.field` and `details.core_code` name why. */
  'sizing_failed',
  /** Cloud sync: the desktop holding the connector has remote trading off for this connection. */
  'remote_trading_disabled',
  /** Cloud sync: no desktop is attached to this connection right now. */
  'connector_offline',
  /**
   * Cloud sync: the desktop did not answer a remote order in time. It may or may not have been executed; the
   * cloud never resends it, the trader checks the journal first.
   */
  'outcome_unknown',
  'internal',
]);
export type CloudErrorCode = z.infer<typeof CloudErrorCode>;

/** The one error body: `{"error":{"code","message","details"?}}`. */
export const ErrorBody = z.object({
  error: z.object({
    code: CloudErrorCode,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---- shared fields --------------------------------------------------------------------------------------

/** Emails are compared case-insensitively; the address is kept as typed for display. */
export const Email = z.string().trim().min(3).max(254).pipe(z.email());
export type Email = z.infer<typeof Email>;

/**
 * Passwords are taken exactly as typed (no trimming, no case change, ASVS 5.0 6.2.8). The schema only bounds
 * the size; the policy (length in code points, common/breached list) runs in the service so its answer is
 * `weak_password` with a reason rather than a schema error.
 */
export const Password = z.string().min(1).max(1024);
export type Password = z.infer<typeof Password>;

/** A 6-digit TOTP or a recovery code (`xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`, case and dashes ignored). */
export const SecondFactorCode = z.string().trim().min(6).max(64);
export type SecondFactorCode = z.infer<typeof SecondFactorCode>;

const IsoTime = z.string().describe('ISO 8601 UTC time');
const Id = z.string().min(1).max(64);

// ---- auth -----------------------------------------------------------------------------------------------

export const User = z.object({
  id: Id,
  email: z.string(),
  totp_enabled: z.boolean(),
  created_at: IsoTime,
});
export type User = z.infer<typeof User>;

export const TokenPair = z.object({
  /** Short-lived JWT for `Authorization: Bearer`. */
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expires_in: z.number().int(),
  /** Opaque, single-use: each refresh returns a new one; reusing an old one revokes the session. */
  refresh_token: z.string(),
  /** Seconds until the refresh token expires. */
  refresh_expires_in: z.number().int(),
  session_id: Id,
});
export type TokenPair = z.infer<typeof TokenPair>;

export const AuthResult = z.object({ user: User, tokens: TokenPair });
export type AuthResult = z.infer<typeof AuthResult>;

export const RegisterRequest = z.object({ email: Email, password: Password });
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const LoginRequest = z.object({
  email: Email,
  password: Password,
  totp_code: SecondFactorCode.optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const RefreshRequest = z.object({ refresh_token: z.string().min(1).max(512) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** Logout ends the session of the access token, or the one the refresh token belongs to. */
export const LogoutRequest = z.object({ refresh_token: z.string().min(1).max(512).optional() });
export type LogoutRequest = z.infer<typeof LogoutRequest>;

export const Session = z.object({
  id: Id,
  created_at: IsoTime,
  last_used_at: IsoTime,
  expires_at: IsoTime,
  user_agent: z.string().nullable(),
  ip: z.string().nullable(),
  /** True for the session of the access token making the request. */
  current: z.boolean(),
});
export type Session = z.infer<typeof Session>;

export const SessionList = z.object({ sessions: z.array(Session) });
export type SessionList = z.infer<typeof SessionList>;

export const ChangePasswordRequest = z.object({
  current_password: Password,
  new_password: Password,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

export const ForgotPasswordRequest = z.object({ email: Email });
export type ForgotPasswordRequest = z.infer<typeof ForgotPasswordRequest>;

export const ResetPasswordRequest = z.object({
  token: z.string().min(1).max(256),
  new_password: Password,
});
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

/** The one answer to forgot-password, whether or not the email has an account. */
export const Accepted = z.object({ status: z.literal('accepted'), message: z.string() });
export type Accepted = z.infer<typeof Accepted>;

export const Ok = z.object({ status: z.literal('ok') });
export type Ok = z.infer<typeof Ok>;

export const TotpSetupResponse = z.object({
  /** Base32 secret for manual entry. */
  secret: z.string(),
  otpauth_url: z.string(),
  /** The otpauth URL as a PNG data URL, for a QR code. */
  qr_data_url: z.string(),
});
export type TotpSetupResponse = z.infer<typeof TotpSetupResponse>;

export const TotpEnableRequest = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'six digits'),
});
export type TotpEnableRequest = z.infer<typeof TotpEnableRequest>;

/** Shown once; only their hashes are kept. */
export const TotpEnableResponse = z.object({ recovery_codes: z.array(z.string()) });
export type TotpEnableResponse = z.infer<typeof TotpEnableResponse>;

export const TotpDisableRequest = z.object({ password: Password, code: SecondFactorCode });
export type TotpDisableRequest = z.infer<typeof TotpDisableRequest>;

// ---- connections ----------------------------------------------------------------------------------------

export const Platform = z.enum(['mt5']);
export type Platform = z.infer<typeof Platform>;

const ConnectionName = z.string().trim().min(1).max(100);
const BrokerServer = z.string().trim().min(1).max(128);
/** MT5 logins are 64-bit integers: kept as decimal strings. */
const AccountLogin = z
  .string()
  .trim()
  .regex(/^\d{1,20}$/, 'a decimal account number');

export const Connection = z.object({
  id: Id,
  name: z.string(),
  platform: Platform,
  broker_server: z.string(),
  account_login: z.string(),
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type Connection = z.infer<typeof Connection>;

export const ConnectionList = z.object({ connections: z.array(Connection) });
export type ConnectionList = z.infer<typeof ConnectionList>;

export const CreateConnectionRequest = z.object({
  name: ConnectionName,
  platform: Platform.default('mt5'),
  broker_server: BrokerServer,
  account_login: AccountLogin,
});
export type CreateConnectionRequest = z.infer<typeof CreateConnectionRequest>;

export const UpdateConnectionRequest = z
  .object({ name: ConnectionName, broker_server: BrokerServer, account_login: AccountLogin })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field to change');
export type UpdateConnectionRequest = z.infer<typeof UpdateConnectionRequest>;

export const IdParams = z.object({ id: Id });
export type IdParams = z.infer<typeof IdParams>;

// ---- health ---------------------------------------------------------------------------------------------

export const Health = z.object({ status: z.literal('ok') });
export type Health = z.infer<typeof Health>;

export const Readiness = z.object({
  status: z.enum(['ready', 'degraded', 'unavailable']),
  database: z.enum(['up', 'down']),
  /** `memory`: no REDIS_URL; `down`: configured but unreachable, limits fall back to memory. */
  redis: z.enum(['up', 'down', 'memory']),
  rate_limiter: z.enum(['redis', 'memory']),
  /**
   * Whether revocations from other instances reach this one: `subscribed`, `retrying` (the subscription
   * failed and is being retried: a session revoked elsewhere ends here only at the next heartbeat re-check),
   * or `local` (one instance, nothing to receive).
   */
  revocations: z.enum(['subscribed', 'retrying', 'local']),
  /** The sync relay between instances: `up`, `down` (remote orders and presence answer 503), or `local`. */
  sync_bus: z.enum(['up', 'down', 'local']),
});
export type Readiness = z.infer<typeof Readiness>;

// ---- trading --------------------------------------------------------------------------------------------

/**
 * `symbol_spec` in snake_case: the MT5 fields sizing needs. Without it the symbol resolves against the catalog.
 * Numbers are not range-checked here: the core answers each bad value with its own code.
 */
export const SizingSymbolSpec = z.object({
  digits: z.number().int().min(0).max(10),
  point: z.number(),
  pip_size: z.number().optional(),
  tick_size: z.number(),
  tick_value: z.number().optional(),
  contract_size: z.number(),
  volume_min: z.number(),
  volume_max: z.number(),
  volume_step: z.number(),
  currency_base: z.string().min(1).max(6),
  currency_profit: z.string().min(1).max(6),
  currency_margin: z.string().min(1).max(6),
  calc_mode: z.enum([
    'FOREX',
    'FOREX_NO_LEVERAGE',
    'CFD',
    'CFDLEVERAGE',
    'CFDINDEX',
    'FUTURES',
    'EXCH_STOCKS',
  ]),
  margin_rate: z.number().optional(),
});
export type SizingSymbolSpec = z.infer<typeof SizingSymbolSpec>;

export const PositionSizeRequest = z.object({
  account_balance: z.number(),
  risk_percent: z.number(),
  entry_price: z.number(),
  stop_loss: z.number(),
  symbol: z.string().trim().min(1).max(64),
  account_currency: z.string().trim().min(3).max(6).default('USD'),
  /** Inferred from the stop when absent: a stop below the entry is a buy. */
  side: z.enum(['buy', 'sell']).optional(),
  leverage: z.number().default(100),
  max_lot_size: z.number().default(10),
  /** One side, in the account currency; charged on open and close. */
  commission_per_lot: z.number().default(0),
  /** Pair → mid price, e.g. `{"USDJPY": 150.0}`, for converting to the account currency. */
  rates: z.record(z.string().min(2).max(16), z.number()).default({}),
  symbol_spec: SizingSymbolSpec.optional(),
});
export type PositionSizeRequest = z.infer<typeof PositionSizeRequest>;

export const PositionSizeResponse = z.object({
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  lot_size: z.number(),
  risk_amount: z.number(),
  stop_loss_pips: z.number(),
  stop_loss_points: z.number(),
  margin_required: z.number(),
  actual_risk_amount: z.number(),
  pip_value_per_lot: z.number(),
  flags: z.array(z.enum(['CAPPED_AT_MAX_LOT', 'BELOW_MIN_LOT'])),
});
export type PositionSizeResponse = z.infer<typeof PositionSizeResponse>;
