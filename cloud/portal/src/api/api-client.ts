import type { z } from 'zod';
import { err, ok, type Result } from '../../../../src-core/result';
import { apiError, ErrorBody, type ApiError } from './api-error';
import { TokenPair } from './schemas';

/**
 * Where the portal keeps its tokens: in this object's memory only, never in localStorage, sessionStorage or a
 * readable cookie, so a script injected into the page has nothing to lift once the tab is gone. The price is
 * that a reload signs the user out (the cloud returns the refresh token in the JSON body; it sets no httpOnly
 * cookie the portal could lean on). docs/portal.md explains the choice.
 */
export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiClientOptions {
  /** Origin of the cloud; empty means the page's own origin (the cloud serves the portal). */
  readonly baseUrl?: string;
  /** Called once when the session ends without the user asking (refresh refused, session revoked). */
  readonly onSessionEnded?: (reason: string) => void;
  readonly fetchImpl?: typeof fetch;
}

const SESSION_ENDED = 'Your session has ended. Please sign in again.';

/** One typed way to the cloud API: JSON in and out, zod-checked answers, `Result` for expected failures. */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  #onSessionEnded: (reason: string) => void;
  #tokens: Tokens | null = null;
  #refreshing: Promise<boolean> | null = null;

  constructor(options: ApiClientOptions = {}) {
    this.#baseUrl = options.baseUrl ?? '';
    this.#fetch = options.fetchImpl ?? ((input, init) => fetch(input, init));
    this.#onSessionEnded = options.onSessionEnded ?? (() => undefined);
  }

  set onSessionEnded(handler: (reason: string) => void) {
    this.#onSessionEnded = handler;
  }

  get isSignedIn(): boolean {
    return this.#tokens !== null;
  }

  setTokens(tokens: Tokens | null): void {
    this.#tokens = tokens;
  }

  /** The current access token, for a streaming request that cannot go through {@link call}. */
  get accessToken(): string | null {
    return this.#tokens?.accessToken ?? null;
  }

  get refreshToken(): string | null {
    return this.#tokens?.refreshToken ?? null;
  }

  /**
   * Calls `path` under `/api/v1`. With a session, an expired access token is refreshed once (one refresh in
   * flight for all callers) and the call repeated; a refused refresh ends the session.
   */
  async call<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<Result<z.infer<S>, ApiError>> {
    const first = await this.#send(method, path, body);
    if (!first.ok) return first;
    let response = first.value;
    if (response.status === 401 && this.#tokens !== null && !path.startsWith('/auth/login')) {
      const sentWith = this.#tokens.accessToken;
      const refreshed = await this.refresh(sentWith);
      if (!refreshed) return err(apiError(401, 'SESSION_ENDED', SESSION_ENDED));
      const again = await this.#send(method, path, body);
      if (!again.ok) return again;
      response = again.value;
      if (response.status === 401) {
        this.#endSession(SESSION_ENDED);
        return err(apiError(401, 'SESSION_ENDED', SESSION_ENDED));
      }
    }
    return parseResponse(response, schema);
  }

  /**
   * Trades the refresh token for a new pair. `staleAccessToken` lets concurrent callers that saw the same 401
   * share one refresh instead of racing (the cloud rotates refresh tokens and treats reuse as theft).
   */
  async refresh(staleAccessToken?: string): Promise<boolean> {
    if (this.#tokens === null) return false;
    if (staleAccessToken !== undefined && this.#tokens.accessToken !== staleAccessToken) return true;
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<boolean> {
    const refreshToken = this.#tokens?.refreshToken;
    if (refreshToken === undefined) return false;
    const sent = await this.#send('POST', '/auth/refresh', { refresh_token: refreshToken }, false);
    if (!sent.ok) return false; // network trouble: keep the session, the next call tries again
    const parsed = await parseResponse(sent.value, TokenPair);
    if (!parsed.ok) {
      this.#endSession(SESSION_ENDED);
      return false;
    }
    this.#tokens = { accessToken: parsed.value.access_token, refreshToken: parsed.value.refresh_token };
    return true;
  }

  #endSession(reason: string): void {
    if (this.#tokens === null) return;
    this.#tokens = null;
    this.#onSessionEnded(reason);
  }

  /** Opens a streaming GET (server-sent events) with the bearer token; fetch lets us send the header. */
  async openStream(path: string, signal: AbortSignal): Promise<Result<Response, ApiError>> {
    const attempt = async (): Promise<Result<Response, ApiError>> => {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      const token = this.#tokens?.accessToken;
      if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
      try {
        return ok(await this.#fetch(`${this.#baseUrl}/api/v1${path}`, { headers, signal }));
      } catch {
        return err(apiError(0, 'NETWORK', 'No answer from the cloud.'));
      }
    };
    let sent = await attempt();
    if (sent.ok && sent.value.status === 401 && this.#tokens !== null) {
      if (await this.refresh(this.#tokens.accessToken)) sent = await attempt();
    }
    if (!sent.ok) return sent;
    if (!sent.value.ok) return err(await errorFrom(sent.value));
    return sent;
  }

  async #send(
    method: Method,
    path: string,
    body: unknown,
    withAuth = true,
  ): Promise<Result<Response, ApiError>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = this.#tokens?.accessToken;
    if (withAuth && token !== undefined) headers['authorization'] = `Bearer ${token}`;
    try {
      const init: RequestInit = { method, headers, credentials: 'same-origin' };
      if (body !== undefined) init.body = JSON.stringify(body);
      return ok(await this.#fetch(`${this.#baseUrl}/api/v1${path}`, init));
    } catch {
      return err(apiError(0, 'NETWORK', 'No answer from the cloud.'));
    }
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const retryHeader = response.headers.get('retry-after');
  const retryAfter = retryHeader === null ? undefined : Number.parseInt(retryHeader, 10);
  const extra = retryAfter === undefined || Number.isNaN(retryAfter) ? {} : { retryAfter };
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    // not JSON (a proxy's error page): fall through to a generic error
  }
  const body = ErrorBody.safeParse(json);
  if (body.success) {
    const { code, message, details } = body.data.error;
    return apiError(response.status, code, message, details === undefined ? extra : { ...extra, details });
  }
  return apiError(
    response.status,
    'HTTP_' + String(response.status),
    `The cloud answered ${response.status}.`,
    extra,
  );
}

async function parseResponse<S extends z.ZodType>(
  response: Response,
  schema: S,
): Promise<Result<z.infer<S>, ApiError>> {
  if (!response.ok) return err(await errorFrom(response));
  let json: unknown = null;
  if (response.status !== 204) {
    const text = await response.text();
    try {
      json = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      return err(
        apiError(response.status, 'BAD_RESPONSE', 'The cloud sent an answer the portal cannot read.'),
      );
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return err(apiError(response.status, 'BAD_RESPONSE', 'The cloud sent an answer the portal cannot read.'));
  }
  return ok(parsed.data);
}
