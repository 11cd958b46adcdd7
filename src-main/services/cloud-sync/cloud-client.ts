import type { z } from 'zod';
import {
  AuthResult,
  Connection,
  ConnectionList,
  ErrorBody,
  Ok,
  TokenPair,
  type CreateConnectionRequest,
} from '../../../src-core/contracts/cloud-api';
import { appError, err, ok, type AppError, type Result } from '../../../src-core/result';

/** A cloud answer the desktop acts on: the cloud's code in SCREAMING_SNAKE (`TOTP_REQUIRED`) and its words. */
export type CloudError = AppError & { readonly status: number };

const cloudError = (status: number, code: string, message: string): CloudError => ({
  ...appError(code.toUpperCase(), message),
  status,
});

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
          ? cloudError(response.status, body.data.error.code, body.data.error.message)
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
