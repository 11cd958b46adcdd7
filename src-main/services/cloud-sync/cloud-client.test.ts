import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudErrorCode } from '../../../src-core/contracts/cloud-api';
import { isErrorCode } from '../../../src-core/errors';
import { CloudClient, DESKTOP_CODE_OF_CLOUD } from './cloud-client';

// A real HTTP server answering the cloud's error bodies, so the mapping is proven on what fetch receives.
let server: Server;
let client: CloudClient;
let answer: { status: number; body: string } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new CloudClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(
  () =>
    new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    ),
);

describe('cloud error codes on the desktop (docs/errors.md)', () => {
  it('maps every cloud code onto a listed desktop code', () => {
    for (const code of CloudErrorCode.options)
      expect(isErrorCode(DESKTOP_CODE_OF_CLOUD[code]), code).toBe(true);
  });

  it.each([
    [401, 'invalid_credentials', 'INVALID_CREDENTIALS'],
    [401, 'totp_required', 'TOTP_REQUIRED'],
    [401, 'unauthorized', 'CLOUD_SESSION_EXPIRED'],
    [429, 'rate_limited', 'RATE_LIMITED'],
    [404, 'not_found', 'CLOUD_REFUSED'],
  ] as const)(
    'HTTP %i %s reaches the desktop as %s, keeping the cloud words and code',
    async (status, code, mapped) => {
      answer = { status, body: JSON.stringify({ error: { code, message: `cloud says ${code}` } }) };
      const r = await client.login('a@b.co', 'pw');
      expect(r).toEqual({
        ok: false,
        error: { code: mapped, message: `cloud says ${code}`, details: { cloudCode: code }, status },
      });
    },
  );

  it('a failure body outside the contract is CLOUD_ERROR, a success outside it CLOUD_BAD_ANSWER', async () => {
    answer = { status: 502, body: '<html>bad gateway</html>' };
    expect(await client.login('a@b.co', 'pw')).toMatchObject({ ok: false, error: { code: 'CLOUD_ERROR' } });
    answer = { status: 200, body: '{"unexpected":true}' };
    expect(await client.login('a@b.co', 'pw')).toMatchObject({
      ok: false,
      error: { code: 'CLOUD_BAD_ANSWER' },
    });
  });
});
