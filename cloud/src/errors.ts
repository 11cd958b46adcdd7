import type { CloudErrorCode, ErrorBody } from '../../src-core/contracts/cloud-api';

/**
 * An expected failure answered to a client: an HTTP status and one of the codes of `CloudErrorCode`.
 * Route code throws these (built by {@link apiError}); the one error handler in `app.ts` turns them into
 * `{"error":{"code","message","details"?}}` and anything else into a logged `internal` 500.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: CloudErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error:
        this.details === undefined
          ? { code: this.code, message: this.message }
          : { code: this.code, message: this.message, details: { ...this.details } },
    };
  }
}

/** The status each code answers with, so a code never appears with two statuses. */
const STATUS: Readonly<Record<CloudErrorCode, number>> = {
  validation_failed: 400,
  invalid_credentials: 401,
  totp_required: 401,
  invalid_totp_code: 401,
  unauthorized: 401,
  invalid_refresh_token: 401,
  invalid_reset_token: 400,
  weak_password: 400,
  email_taken: 409,
  totp_already_enabled: 409,
  totp_not_enabled: 409,
  totp_setup_required: 409,
  not_found: 404,
  rate_limited: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  service_unavailable: 503,
  sizing_failed: 422,
  remote_trading_disabled: 409,
  connector_offline: 503,
  outcome_unknown: 504,
  internal: 500,
};

/** The one error factory. */
export function apiError(
  code: CloudErrorCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
  headers?: Readonly<Record<string, string>>,
): ApiError {
  return new ApiError(STATUS[code], code, message, details, headers);
}

/** Standard answers reused across routes so the same situation always reads the same. */
export const errors = {
  unauthorized: (): ApiError =>
    apiError('unauthorized', 'Sign in again: the access token is missing or no longer valid.'),
  notFound: (what = 'Resource'): ApiError => apiError('not_found', `${what} not found.`),
  invalidCredentials: (): ApiError => apiError('invalid_credentials', 'Wrong email or password.'),
  invalidResetToken: (): ApiError =>
    apiError('invalid_reset_token', 'This reset link is invalid or has expired. Ask for a new one.'),
  invalidRefreshToken: (): ApiError =>
    apiError('invalid_refresh_token', 'The session has ended. Sign in again.'),
} as const;
