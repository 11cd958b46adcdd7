import { statSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, Readiness } from '../../src-core/contracts/cloud-api';
import { SyncJournalPage } from '../../src-core/contracts/cloud-sync';
import {
  asFrame,
  makeEntry,
  TestConnector,
  userWithConnection,
  type TestUser,
} from '../src/routes/sync/testing/test-kit';
import { buildTestApp, createTestDatabase, freePort, SpareRedis, tempDir, testConfig } from './helpers';

const NUL = '\u0000';

/** The project's error shape with the given status and code. */
function expectError(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(ErrorBody.parse(response.json()).error.code).toBe(code);
}

/**
 * Hostile input against one database dialect: NUL bytes, huge and tiny numbers, a bad journal entry among
 * good ones, deep nesting, Redis away under the live stream, sub-point stops, cross rates, malformed URLs and
 * oversized headers, the SQLite file's mode. See docs/operations.md, "Bad input".
 */
export function hostileInputSuite(dialect: 'sqlite' | 'postgres'): void {
  describe(`hostile input on ${dialect}`, () => {
    const dir = tempDir();
    let redis: SpareRedis;
    let app: FastifyInstance;
    let base: string;
    let drop: () => Promise<void>;
    let user: TestUser;

    const call = (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: unknown,
      token?: string,
    ) =>
      app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });

    beforeAll(async () => {
      redis = new SpareRedis(await freePort());
      await redis.start();
      const db = await createTestDatabase(dialect, dir.path);
      drop = db.drop;
      app = await buildTestApp({
        config: testConfig({ dataDir: dir.path, databaseUrl: db.url, redisUrl: redis.url }),
        sync: { orderTimeoutMs: 400, keepAliveMs: 60_000, statusWriteIntervalMs: 0 },
        limits: { register_ip: { limit: 10_000 }, global_ip: { limit: 100_000 } },
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      user = await userWithConnection(app);
    });

    afterAll(async () => {
      await app.close();
      await redis.stop();
      await drop();
      dir.remove();
    });

    describe('1. NUL bytes are a 400, never a 500', () => {
      it('in a connection name or broker server', async () => {
        for (const field of ['name', 'broker_server']) {
          const body = {
            name: 'Demo',
            broker_server: 'Exness-MT5Trial7',
            account_login: '123',
            [field]: `a${NUL}b`,
          };
          const response = await call('POST', '/api/v1/connections', body, user.token);
          expectError(response, 400, 'validation_failed');
          expect(response.json<ErrorBody>().error.details).toMatchObject({
            location: 'body',
            issues: [{ path: field }],
          });
        }
      });

      it('in a path id on every /connections/{id} route and DELETE /auth/sessions/{id}', async () => {
        const id = 'abc%00def';
        const routes: ['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?][] = [
          ['GET', `/api/v1/connections/${id}`],
          ['PATCH', `/api/v1/connections/${id}`, { name: 'x' }],
          ['DELETE', `/api/v1/connections/${id}`],
          ['GET', `/api/v1/connections/${id}/status`],
          ['GET', `/api/v1/connections/${id}/journal`],
          ['GET', `/api/v1/connections/${id}/events`],
          [
            'POST',
            `/api/v1/connections/${id}/orders`,
            { request_key: 'k-123456', intent: { operation: 'close_all', input: {} } },
          ],
          ['DELETE', `/api/v1/auth/sessions/${id}`],
        ];
        for (const [method, url, body] of routes) {
          const response = await call(method, url, body, user.token);
          expectError(response, 400, 'validation_failed');
          expect(response.json<ErrorBody>().error.details, url).toMatchObject({ location: 'params' });
        }
      });

      it('in a journal query', async () => {
        const response = await call(
          'GET',
          `/api/v1/connections/${user.connectionId}/journal?symbol=%00`,
          undefined,
          user.token,
        );
        expectError(response, 400, 'validation_failed');
      });
    });

    describe('2 and 5. position sizing refuses what would be Infinity, NaN or a sub-point stop', () => {
      const size = (over: Record<string, unknown>) =>
        call('POST', '/api/v1/trading/position-size/calculate', {
          account_balance: 10_000,
          risk_percent: 1,
          entry_price: 1.1,
          stop_loss: 1.098,
          symbol: 'EURUSD',
          ...over,
        });

      it.each([
        [{ entry_price: 1e308, stop_loss: 1 }, 'entry_price', 'INVALID_PRICE'],
        [{ stop_loss: 1e308 }, 'stop_loss', 'INVALID_STOP_LOSS'],
        [{ commission_per_lot: 1e308 }, 'commission_per_lot', 'INVALID_COMMISSION'],
        [{ leverage: 1e-320 }, 'leverage', 'INVALID_LEVERAGE'],
        [{ stop_loss: 1.099999999 }, 'stop_loss', 'INVALID_STOP_LOSS'],
      ])('%j → 422 naming %s', async (over, field, coreCode) => {
        const response = await size(over);
        expectError(response, 422, 'sizing_failed');
        expect(response.json<ErrorBody>().error.details).toMatchObject({ field, core_code: coreCode });
      });

      it('6. EURJPY with only USDJPY sizes through the symbol price', async () => {
        const response = await size({
          symbol: 'EURJPY',
          entry_price: 162,
          stop_loss: 161.5,
          rates: { USDJPY: 150 },
        });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json<{ lot_size: number }>().lot_size).toBeGreaterThan(0);
      });
    });

    describe('3. one bad journal entry never blocks the others', () => {
      it('stores the good entries, refuses the bad ones with a reason, and a resend gives the same', async () => {
        const owner = await userWithConnection(app);
        const connector = await TestConnector.open(base, owner.token, owner.connectionId);
        const good1 = makeEntry();
        const good2 = makeEntry();
        const bigVersion = makeEntry({ version: 2 ** 40 });
        // 100,000 arrays deep: built as text, since JSON.stringify itself cannot write it.
        const deepEntry = makeEntry({ intent: '__DEEP__' });
        const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
        const badId = { ...asFrame(makeEntry()), id: `bad${NUL}id` };
        const nulInside = makeEntry({ message: `x${NUL}y` });
        const batch = [
          asFrame(good1),
          badId,
          asFrame(bigVersion),
          asFrame(deepEntry),
          asFrame(nulInside),
          asFrame(good2),
        ];
        const frame = JSON.stringify({ type: 'journal', entries: batch }).replace('"__DEEP__"', deep);
        for (let round = 0; round < 2; round += 1) {
          connector.socket.send(frame);
          const ack = await connector.next((m) => m.type === 'ack');
          expect(ack).toMatchObject({ type: 'ack', ids: [good1.id, bigVersion.id, good2.id] });
          const refused =
            (ack as { refused?: { id: string | null; index: number; reason: string }[] }).refused ?? [];
          expect(refused.map((r) => [r.id, r.index])).toEqual([
            [`bad${NUL}id`, 1],
            [deepEntry.id, 3],
            [nulInside.id, 4],
          ]);
          expect(refused[0]?.reason).toMatch(/^id: .*NUL/);
          expect(refused[1]?.reason).toMatch(/nested deeper/);
          expect(refused[2]?.reason).toMatch(/^payload\.message: .*NUL/);
        }
        const page = await call(
          'GET',
          `/api/v1/connections/${owner.connectionId}/journal`,
          undefined,
          owner.token,
        );
        expect(page.statusCode, page.body).toBe(200);
        const stored = SyncJournalPage.parse(page.json()).entries;
        expect(stored.map((e) => e.id).sort()).toEqual([good1.id, good2.id, bigVersion.id].sort());
        expect(stored.find((e) => e.id === bigVersion.id)?.version).toBe(2 ** 40);
        await connector.close();
      });
    });

    describe('7. malformed requests answer in the project error shape', () => {
      it('bad percent-encoding in the path', async () => {
        const response = await call('GET', '/api/v1/connections/%E0%A4%A', undefined, user.token);
        expectError(response, 400, 'validation_failed');
      });

      it('headers over 16 KB: 431 headers_too_large', async () => {
        const { port } = app.server.address() as AddressInfo;
        const socket = connect(port, '127.0.0.1');
        const answer = await new Promise<string>((resolve, reject) => {
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          socket.on('end', () => {
            resolve(text);
          });
          socket.on('error', reject);
          socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
        });
        expect(answer).toMatch(/^HTTP\/1\.1 431 /);
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        expect(ErrorBody.parse(JSON.parse(body)).error.code).toBe('headers_too_large');
      });

      it('logout with no body, or an empty JSON body, ends the session', async () => {
        const other = await userWithConnection(app);
        const empty = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: { authorization: `Bearer ${other.token}`, 'content-type': 'application/json' },
          payload: '',
        });
        expect(empty.statusCode, empty.body).toBe(200);
        const third = await userWithConnection(app);
        const none = await call('POST', '/api/v1/auth/logout', undefined, third.token);
        expect(none.statusCode, none.body).toBe(200);
      });

      it('413, 415 and 400 are documented on every body route, and answered in our shape', async () => {
        const doc = (await call('GET', '/openapi.json')).json<{
          paths: Record<
            string,
            Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>
          >;
        }>();
        let bodyRoutes = 0;
        for (const [path, operations] of Object.entries(doc.paths)) {
          for (const [method, operation] of Object.entries(operations)) {
            if (operation.requestBody === undefined) continue;
            bodyRoutes += 1;
            expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(
              expect.arrayContaining(['400', '413', '415']),
            );
          }
        }
        expect(bodyRoutes).toBeGreaterThan(10);
        const big = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70_000) }),
        });
        expectError(big, 413, 'payload_too_large');
        const text = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { 'content-type': 'text/plain' },
          payload: 'hello',
        });
        expectError(text, 415, 'unsupported_media_type');
        const malformed = await app.inject({
          method: 'POST',
          url: '/api/v1/trading/position-size/calculate',
          headers: { 'content-type': 'application/json' },
          payload: '{"account_balance":',
        });
        expectError(malformed, 400, 'validation_failed');
      });
    });

    if (dialect === 'sqlite') {
      it('9. the SQLite database file is readable by its owner only (0600)', () => {
        const file = app.cloud.config.databaseUrl.slice('sqlite:'.length);
        expect(statSync(file).mode & 0o777).toBe(0o600);
      });
    }

    // Last: it stops this suite's Redis.
    describe('4. with Redis down, live status answers at once with a clear 503', () => {
      it('events, status and orders answer 503 service_unavailable, and /readyz says degraded', async () => {
        const owner = await userWithConnection(app);
        await redis.stop();
        const started = Date.now();
        const events = await fetch(`${base}/api/v1/connections/${owner.connectionId}/events`, {
          headers: { authorization: `Bearer ${owner.token}` },
        });
        expect(events.status).toBe(503);
        expect(ErrorBody.parse(await events.json()).error.code).toBe('service_unavailable');
        expect(Date.now() - started).toBeLessThan(5_000);
        expectError(
          await call('GET', `/api/v1/connections/${owner.connectionId}/status`, undefined, owner.token),
          503,
          'service_unavailable',
        );
        const order = await call(
          'POST',
          `/api/v1/connections/${owner.connectionId}/orders`,
          {
            request_key: 'key-redis-down',
            intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.1 } },
          },
          owner.token,
        );
        expectError(order, 503, 'service_unavailable');
        const ready = Readiness.parse((await call('GET', '/readyz')).json());
        expect(ready).toMatchObject({ status: 'degraded', redis: 'down', sync_bus: 'down' });
      });
    });
  });
}
