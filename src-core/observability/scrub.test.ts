import { describe, expect, it } from 'vitest';
import { ErrorReporting, SentryDsn, dsnOrigin, reportingOptions } from '../contracts/error-reporting';
import { FILTERED, scrubBreadcrumb, scrubEvent, scrubText, scrubUrl } from './scrub';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const PAIRING = 'a3f1'.repeat(16);
const REFRESH = 'rt_Q2x9vLm3Zp8Wd4Ks7Yb1Nc6Hf0Jg5Tq2Xe9Ra';
const RESET_TOKEN = 'Zk3p9QwErTy7UiOp';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
const PASSWORD = 'correct-horse-battery-9';
const EMAIL = 'trader.jane+fx@example.co.uk';
const PLANTED = [JWT, PAIRING, REFRESH, RESET_TOKEN, TOTP_SECRET, PASSWORD, EMAIL, '493817'];

/** True when none of the planted secrets survives anywhere in `value`. */
const isClean = (value: unknown): boolean => {
  const text = JSON.stringify(value);
  return PLANTED.every((secret) => !text.includes(secret));
};

describe('scrubText', () => {
  it.each([
    [`Authorization: Bearer ${JWT}`, `Authorization: ${FILTERED}`],
    [`sent Bearer ${REFRESH} upstream`, `Bearer ${FILTERED}`],
    [`token ${JWT} expired`, FILTERED],
    [`pairing token ${PAIRING} refused`, FILTERED],
    [`refresh_token=${REFRESH}`, `refresh_token=${FILTERED}`],
    [`{"password":"${PASSWORD}","email":"${EMAIL}"}`, `"password":${FILTERED}`],
    [`login failed for ${EMAIL}`, 'login failed for [email]'],
    ['totp code: 493817 rejected', `code: ${FILTERED}`],
    [`secret ${TOTP_SECRET}`, FILTERED],
    [`Cookie: sid=${REFRESH}; theme=dark`, `Cookie: ${FILTERED}`],
    [
      `open https://app.pipdesk.test/reset-password?token=${RESET_TOKEN} to reset`,
      `https://app.pipdesk.test/reset-password?token=${FILTERED} to reset`,
    ],
    [`smtp://mailer:${PASSWORD}@smtp.example.com:587 refused`, 'smtp://smtp.example.com:587'],
  ])('removes the secret from %j', (input, expected) => {
    const out = scrubText(input);
    expect(out).toContain(expected);
    expect(isClean(out)).toBe(true);
  });

  it('keeps ordinary diagnostics readable', () => {
    const line = 'order 123456 for EURUSD rejected: retcode=10019 (no money), statusCode 500 at 1.10523';
    expect(scrubText(line)).toBe(line);
    expect(scrubText('request f42eda7c-cd3d-4346-ada6-e0a71e79c9a0 failed')).toBe(
      'request f42eda7c-cd3d-4346-ada6-e0a71e79c9a0 failed',
    );
    expect(scrubText('TypeError: Cannot read properties of undefined (reading "bid")')).toBe(
      'TypeError: Cannot read properties of undefined (reading "bid")',
    );
  });
});

describe('scrubUrl', () => {
  it('drops user info, query values and the fragment, keeping the path and query keys', () => {
    expect(scrubUrl(`https://user:${PASSWORD}@host.test/a/b?token=${RESET_TOKEN}&page=2#${REFRESH}`)).toBe(
      `https://host.test/a/b?token=${FILTERED}&page=${FILTERED}`,
    );
    expect(scrubUrl(`/api/v1/auth/verify/${REFRESH}`)).toBe(`/api/v1/auth/verify/${FILTERED}`);
    expect(scrubUrl(`/x?${RESET_TOKEN}`)).toBe(`/x?${FILTERED}`);
  });
});

describe('scrubEvent', () => {
  const event = {
    event_id: '0123456789abcdef0123456789abcdef',
    timestamp: 1_700_000_000,
    level: 'error',
    message: `reset for ${EMAIL} failed`,
    exception: {
      values: [
        {
          type: 'Error',
          value: `mail to ${EMAIL} failed: https://app.test/reset-password?token=${RESET_TOKEN}`,
          stacktrace: {
            frames: [{ filename: '/srv/app.js', function: 'send', lineno: 3, vars: { password: PASSWORD } }],
          },
        },
      ],
    },
    request: {
      method: 'POST',
      url: `https://api.test/api/v1/auth/login?next=/x&code=493817`,
      query_string: `code=493817`,
      headers: {
        authorization: `Bearer ${JWT}`,
        cookie: `session=${REFRESH}`,
        'content-type': 'application/json',
        'x-request-id': 'req-12345678',
        'x-pipdesk-token': PAIRING,
      },
      cookies: { session: REFRESH },
      data: { email: EMAIL, password: PASSWORD, totp_code: '493817' },
      env: { REMOTE_ADDR: '203.0.113.7' },
    },
    user: { id: 'user-1', email: EMAIL, ip_address: '203.0.113.7' },
    extra: { refreshToken: REFRESH, nested: { note: `pairing ${PAIRING}` }, attempts: 3 },
    contexts: {
      trace: { trace_id: 'abcdefabcdefabcdefabcdefabcdefab', span_id: '0123456789abcdef' },
      totp: { secret: TOTP_SECRET },
      runtime: { name: 'node', version: 'v22.0.0' },
    },
    tags: { request_id: 'req-12345678', email: EMAIL },
    breadcrumbs: [
      { timestamp: 1, category: 'console', message: `signing in ${EMAIL} with password=${PASSWORD}` },
      {
        timestamp: 2,
        category: 'fetch',
        data: { url: `/reset-password?token=${RESET_TOKEN}`, status_code: 500 },
      },
    ],
  };

  it('leaves no planted secret anywhere in the event', () => {
    expect(isClean(scrubEvent(event))).toBe(true);
  });

  it('denies the body, drops cookies and environment, and keeps only safe headers', () => {
    const out = scrubEvent(event);
    expect(out.request).toEqual({
      method: 'POST',
      url: `https://api.test/api/v1/auth/login?next=${FILTERED}&code=${FILTERED}`,
      query_string: `code=${FILTERED}`,
      data: FILTERED,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-12345678' },
    });
    expect(out.user).toEqual({ id: 'user-1' });
  });

  it("keeps Sentry's bookkeeping, the trace ids and harmless fields as they were", () => {
    const out = scrubEvent(event);
    expect(out.event_id).toBe(event.event_id);
    expect(out.contexts.trace).toEqual(event.contexts.trace);
    expect(out.contexts.runtime).toEqual(event.contexts.runtime);
    expect(out.extra.attempts).toBe(3);
    expect(out.tags.request_id).toBe('req-12345678');
    expect(out.exception.values[0]?.stacktrace.frames[0]?.lineno).toBe(3);
    expect(out.breadcrumbs[1]?.data?.status_code).toBe(500);
  });

  it('does not change the event it was given', () => {
    const copy = structuredClone(event);
    scrubEvent(event);
    expect(event).toEqual(copy);
  });
});

describe('scrubBreadcrumb', () => {
  it('scrubs the message and the data, URLs included', () => {
    const out = scrubBreadcrumb({
      category: 'xhr',
      message: `Authorization: Bearer ${JWT}`,
      data: { url: `https://api.test/a?email=${encodeURIComponent(EMAIL)}`, method: 'GET' },
    });
    expect(isClean(out)).toBe(true);
    expect(out.data.method).toBe('GET');
  });
});

describe('the DSN and the shared options', () => {
  it('accepts real DSNs and refuses passwords, queries and missing project ids', () => {
    expect(SentryDsn.safeParse('https://abc123@o1.ingest.sentry.io/4501').success).toBe(true);
    expect(SentryDsn.safeParse('http://publickey@127.0.0.1:9000/1').success).toBe(true);
    expect(SentryDsn.safeParse('https://abc:secret@o1.ingest.sentry.io/1').success).toBe(false);
    expect(SentryDsn.safeParse('https://abc@o1.ingest.sentry.io/1?x=1').success).toBe(false);
    expect(SentryDsn.safeParse('https://o1.ingest.sentry.io/1').success).toBe(false);
    expect(SentryDsn.safeParse('https://abc@o1.ingest.sentry.io/').success).toBe(false);
    expect(SentryDsn.safeParse('ftp://abc@host/1').success).toBe(false);
  });

  it('gives the origin events go to', () => {
    expect(dsnOrigin('https://abc@O1.Ingest.Sentry.io/4501')).toBe('https://o1.ingest.sentry.io');
    expect(dsnOrigin('http://k@127.0.0.1:9000/x/1')).toBe('http://127.0.0.1:9000');
  });

  it('turns default PII off and routes events and breadcrumbs through the scrubber', () => {
    const config = ErrorReporting.parse({
      dsn: 'http://k@127.0.0.1:9/1',
      release: 'r@1',
      environment: 'test',
    });
    const options = reportingOptions(config);
    expect(options.sendDefaultPii).toBe(false);
    expect(isClean(options.beforeSend(event0()))).toBe(true);
    expect(isClean(options.beforeBreadcrumb({ message: `hello ${EMAIL}` }))).toBe(true);
  });
});

function event0(): { message: string; request: { data: string } } {
  return { message: `for ${EMAIL}`, request: { data: PASSWORD } };
}
