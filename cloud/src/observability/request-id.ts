import { randomUUID } from 'node:crypto';

/** The header that carries a request id in and out (nginx `$request_id`, Caddy `{http.request.uuid}`). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids we take from a proxy: short, printable, no spaces or quotes, so a log line cannot be forged through one. */
const ACCEPTED = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * The id of a request: the proxy's `X-Request-Id` when a trusted proxy sits in front (TRUST_PROXY_HOPS > 0) and
 * the value is well formed, else a new UUID. A client talking to the service directly cannot choose its id, so it
 * cannot make its requests look like someone else's in the logs. Every log line of the request carries it as
 * `request_id`, the response echoes it in `X-Request-Id`, and the connector frames carry it (docs/operations.md).
 */
export function requestIdFor(header: string | string[] | undefined, isProxyTrusted: boolean): string {
  if (isProxyTrusted && typeof header === 'string' && ACCEPTED.test(header)) return header;
  return randomUUID();
}
