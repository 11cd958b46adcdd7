import type { z } from 'zod';
import {
  AuthResult,
  type CloudErrorCode,
  Connection,
  ConnectionList,
  ErrorBody,
  Ok,
  TokenPair,
  type CreateConnectionRequest,
} from '../../../src-core/contracts/cloud-api';
import type { ErrorCode } from '../../../src-core/errors';
import { appError, err, ok, type AppError, type Result } from '../../../src-core/result';

/** A cloud answer the desktop acts on: a desktop code (see {@link DESKTOP_CODE_OF_CLOUD}), its words, the status. */
export type CloudError = AppError & { readonly status: number };

/**
 * How each code the cloud answers (lower snake case, `CloudErrorCode`) reaches the desktop, where codes are the
 * one list of `src-core/errors.ts`. Codes the desktop acts on keep their own name; the rest become
 * `CLOUD_REFUSED` with the cloud's words and `details.cloudCode`. Typed as a full record, so a code added to the
 * cloud's contract does not compile until it is mapped here. docs/errors.md shows the table.
 */
export const DESKTOP_CODE_OF_CLOUD = {
  validation_failed: 'VALIDATION_FAILED',
  invalid_credentials: 'INVALID_CREDENTIALS',
  totp_required: 'TOTP_REQUIRED',
  invalid_totp_code: 'INVALID_TOTP_CODE',
  unauthorized: 'CLOUD_SESSION_EXPIRED',
  invalid_refresh_token: 'CLOUD_SESSION_EXPIRED',
  invalid_reset_token: 'CLOUD_REFUSED',
  weak_password: 'CLOUD_REFUSED',
  email_taken: 'CLOUD_REFUSED',
  totp_already_enabled: 'CLOUD_REFUSED',
  totp_not_enabled: 'CLOUD_REFUSED',
  totp_setup_required: 'CLOUD_REFUSED',
  not_found: 'CLOUD_REFUSED',
  rate_limited: 'RATE_LIMITED',
  payload_too_large: 'CLOUD_REFUSED',
  unsupported_media_type: 'CLOUD_REFUSED',
  headers_too_large: 'CLOUD_REFUSED',
  // Redis away: the cloud could not tell; like a 5xx, worth trying again later.
  service_unavailable: 'CLOUD_ERROR',
  sizing_failed: 'CLOUD_REFUSED',
  remote_trading_disabled: 'CLOUD_REFUSED',
  connector_offline: 'CLOUD_REFUSED',
  outcome_unknown: 'OUTCOME_UNKNOWN',
  internal: 'CLOUD_ERROR',
} as const satisfies Readonly<Record<CloudErrorCode, ErrorCode>>;

const cloudError = (
  status: number,
  code: ErrorCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): CloudError => ({ ...appError(code, message, details), status });

/** A cloud error body as the desktop's error; the cloud's own code stays in `details.cloudCode`. */
export const fromCloudError = (status: number, code: CloudErrorCode, message: string): CloudError =>
  cloudError(status, DESKTOP_CODE_OF_CLOUD[code], message, { cloudCode: code });

/**
 * The cloud's HTTP API as the desktop uses it. Every answer is validated with the cloud's own zod contract
 * (data from the network is untrusted); network failures are `CLOUD_UNREACHABLE`.
 */
export class CloudClient {
  constructor(
    readonly baseUrl: string,
    private readonly userAgent = 'Pipdesk desktop',
  ) {}

  async #call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    options: { body?: unknown; token?: string } = {},
  ): Promise<Result<z.infer<S>, CloudError>> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(15_000),
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch {
      return err(cloudError(0, 'CLOUD_UNREACHABLE', 'The Pipdesk cloud cannot be reached.'));
    }
    let json: unknown = null;
    try {
      json = await response.json();
    } catch {
      // an empty or non-JSON body: judged below
    }
    if (!response.ok) {
      const body = ErrorBody.safeParse(json);
      return err(
        body.success
          ? fromCloudError(response.status, body.data.error.code, body.data.error.message)
          : cloudError(response.status, 'CLOUD_ERROR', `The cloud answered ${response.status}.`),
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      return err(cloudError(response.status, 'CLOUD_BAD_ANSWER', 'The cloud sent an unreadable answer.'));
    return ok(parsed.data);
  }

  login(email: string, password: string, totpCode?: string): Promise<Result<AuthResult, CloudError>> {
    const body = totpCode === undefined ? { email, password } : { email, password, totp_code: totpCode };
    return this.#call('POST', '/auth/login', AuthResult, { body });
  }

  refresh(refreshToken: string): Promise<Result<TokenPair, CloudError>> {
    return this.#call('POST', '/auth/refresh', TokenPair, { body: { refresh_token: refreshToken } });
  }

  async logout(refreshToken: string, accessToken?: string): Promise<void> {
    await this.#call('POST', '/auth/logout', Ok, {
      body: { refresh_token: refreshToken },
      ...(accessToken === undefined ? {} : { token: accessToken }),
    });
  }

  listConnections(token: string): Promise<Result<ConnectionList, CloudError>> {
    return this.#call('GET', '/connections', ConnectionList, { token });
  }

  createConnection(token: string, body: CreateConnectionRequest): Promise<Result<Connection, CloudError>> {
    return this.#call('POST', '/connections', Connection, { token, body });
  }
}
