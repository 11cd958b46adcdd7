// The one scrubber for error reports (cloud, desktop main, renderer): every event and breadcrumb passes through
// it before it leaves the process (docs/security.md, "Error reports"). Pure: no Sentry import, so the same code
// serves @sentry/node and @sentry/browser and is tested on plain objects.

/** What replaces a removed value. */
export const FILTERED = '[Filtered]';

/** Property names whose values are secret or personal, wherever they appear in an event. */
const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|auth|cookie|session|(^|[^a-z])sid$|otp|2fa|mfa|recovery|api[-_]?key|private[-_]?key|credential|jwt|csrf|xsrf|signature|e-?mail|reset|^codes?$/i;

/** Request headers a report may keep (values still scrubbed); every other header is dropped. */
const SAFE_HEADERS = new Set([
  'accept',
  'accept-language',
  'content-length',
  'content-type',
  'host',
  'user-agent',
  'x-request-id',
]);

/** Top-level event fields that are Sentry's own bookkeeping and never carry user data. */
const STRUCTURAL = new Set([
  'event_id',
  'timestamp',
  'start_timestamp',
  'platform',
  'level',
  'type',
  'release',
  'dist',
  'environment',
  'server_name',
  'sdk',
  'debug_meta',
  'modules',
  'sdkProcessingMetadata',
]);

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s"'<>`]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const AUTH_SCHEME = /\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// `password=…`, `"refresh_token": "…"`, `code: 123456`, `Cookie: a=b; c=d` in free text (log lines, messages).
const KEYED_VALUE =
  /(["']?)([\w-]*(?:pass(?:word|wd)?|secret|token|cookie|session|otp|recovery|api[-_]?key|authorization|credential|signature)[\w-]*|\b(?:totp_?|otp_?|mfa_?|2fa_?)?codes?)\1(\s*[:=]\s*)(?!\[Filtered\])("[^"]*"|'[^']*'|[^\s,&}\]]+(?:;\s*[^\s,&}\]]+)*)/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// The desktop's pairing token and other hex keys; 32+ also covers hex session ids and digests.
const LONG_HEX = /\b[0-9a-fA-F]{32,}\b/g;
// Random tokens (refresh, reset, API keys): long base64url runs that mix letters and digits.
const LONG_TOKEN =
  /(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])/g;
// Request, connection and event ids: identifiers, not credentials, and what makes a report traceable.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// TOTP secrets are base32 (RFC 4648), 16 or more characters.
const BASE32_SECRET = /\b(?=[A-Z2-7]*[2-7])(?=[A-Z2-7]*[A-Z])[A-Z2-7]{16,}\b/g;

/**
 * A URL without what could identify or authorize someone: no user info, query values replaced (keys kept, so
 * `/reset-password?token=[Filtered]` still says which page failed), no fragment, and path segments that look
 * like tokens or emails removed.
 */
export function scrubUrl(url: string): string {
  const hashAt = url.indexOf('#');
  let rest = hashAt < 0 ? url : url.slice(0, hashAt);
  const schemeEnd = rest.indexOf('://');
  if (schemeEnd >= 0) {
    const authorityStart = schemeEnd + 3;
    const pathStart = rest.slice(authorityStart).search(/[/?]/);
    const authority =
      pathStart < 0 ? rest.slice(authorityStart) : rest.slice(authorityStart, authorityStart + pathStart);
    const at = authority.lastIndexOf('@');
    if (at >= 0) rest = rest.slice(0, authorityStart) + rest.slice(authorityStart + at + 1);
  }
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const cleanPath = scrubSecrets(path);
  if (queryAt < 0) return cleanPath;
  return `${cleanPath}?${scrubQuery(rest.slice(queryAt + 1))}`;
}

/** `a=1&token=x` → `a=[Filtered]&token=[Filtered]`: keys stay (when they look like keys), every value goes. */
export function scrubQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const key = pair.split('=', 1)[0] ?? '';
      // A bare value (`?SECRET`) or an odd key could itself be the secret.
      return pair.includes('=') && /^[A-Za-z0-9_.[\]-]{1,40}$/.test(key) ? `${key}=${FILTERED}` : FILTERED;
    })
    .join('&');
}

/** Token-shaped and personal substrings of free text, without touching URLs' structure. */
function scrubSecrets(text: string): string {
  return text
    .replace(JWT, FILTERED)
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${FILTERED}`)
    .replace(
      KEYED_VALUE,
      (_m, quote: string, key: string, sep: string) => `${quote}${key}${quote}${sep}${FILTERED}`,
    )
    .replace(EMAIL, '[email]')
    .replace(LONG_HEX, FILTERED)
    .replace(LONG_TOKEN, (run) => (UUID.test(run) ? run : FILTERED))
    .replace(BASE32_SECRET, FILTERED);
}

/**
 * Free text (a message, an exception's value, a log line) with tokens, passwords, codes, emails and links'
 * secrets removed. URLs are scrubbed whole first, so a reset link loses its token even when it is short.
 */
export function scrubText(text: string): string {
  return scrubSecrets(text.replace(URL_IN_TEXT, (url) => scrubUrl(url)));
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const MAX_DEPTH = 12;
/** Properties that hold a URL, often relative (breadcrumbs' `url`, `from`, `to`): scrubbed as URLs. */
const URL_KEY = /^(url|href|from|to|referrer|referer)$/i;

/** Any value, copied: secret-named properties filtered, every string scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return FILTERED;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Json = {};
  for (const [key, item] of Object.entries(value as Json)) {
    if (SECRET_KEY.test(key) && item !== null && item !== undefined) out[key] = FILTERED;
    else if (URL_KEY.test(key) && typeof item === 'string') out[key] = scrubUrl(item);
    else out[key] = scrubValue(item, depth + 1);
  }
  return out;
}

/** Request data: body never sent, cookies and environment dropped, headers allow-listed, URL and query scrubbed. */
function scrubRequest(request: unknown): unknown {
  if (!isRecord(request)) return undefined;
  const out: Json = {};
  if (typeof request['method'] === 'string') out['method'] = request['method'];
  if (typeof request['url'] === 'string') out['url'] = scrubUrl(request['url']);
  const query = request['query_string'];
  if (typeof query === 'string') out['query_string'] = scrubQuery(query.replace(/^\?/, ''));
  else if (query !== undefined && query !== null) out['query_string'] = FILTERED;
  // Bodies are denied by default: a login, reset or 2FA body is all secret, and no body is needed to fix a 500.
  if (request['data'] !== undefined && request['data'] !== null) out['data'] = FILTERED;
  const headers = request['headers'];
  if (isRecord(headers)) {
    const kept: Json = {};
    for (const [name, value] of Object.entries(headers)) {
      if (SAFE_HEADERS.has(name.toLowerCase()) && typeof value === 'string') kept[name] = scrubText(value);
    }
    out['headers'] = kept;
  }
  return out;
}

/**
 * An error event as it may leave the process: request scrubbed (body denied), user reduced to its opaque id,
 * and every other field outside Sentry's bookkeeping deep-scrubbed. Use as `beforeSend`. Generic so it fits
 * both SDKs' event types without importing either.
 */
export function scrubEvent<E extends object>(event: E): E {
  const out: Json = {};
  for (const [key, value] of Object.entries(event as Json)) {
    if (value === undefined) continue;
    if (STRUCTURAL.has(key)) out[key] = value;
    else if (key === 'request') out[key] = scrubRequest(value);
    else if (key === 'user')
      out[key] = isRecord(value) && typeof value['id'] === 'string' ? { id: value['id'] } : {};
    else if (key === 'contexts' && isRecord(value)) {
      // The trace context only holds generated ids; scrubbing them would break linking events together.
      const { trace, ...rest } = value;
      out[key] = { ...(scrubValue(rest) as Json), ...(trace === undefined ? {} : { trace }) };
    } else if (key === 'breadcrumbs' && Array.isArray(value)) {
      out[key] = (value as unknown[]).map((crumb) => (isRecord(crumb) ? scrubBreadcrumb(crumb) : crumb));
    } else out[key] = scrubValue(value);
  }
  return out as E;
}

/** A breadcrumb as it may be kept: message and data scrubbed (URLs included). Use as `beforeBreadcrumb`. */
export function scrubBreadcrumb<B extends object>(breadcrumb: B): B {
  const out: Json = {};
  for (const [key, value] of Object.entries(breadcrumb as Json)) {
    out[key] = key === 'timestamp' || key === 'level' || key === 'type' ? value : scrubValue(value);
  }
  return out as B;
}
