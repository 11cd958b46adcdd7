import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionStatus,
  LiveEvent,
  RemoteOrderResponse,
  SyncJournalPage,
} from '../../../../src-core/contracts/cloud-sync';
import type { ConnectorCommand } from '../../../../src-core/contracts/connector';
import {
  buildTestApp,
  createTestDatabase,
  REDIS_URL,
  tempDir,
  testConfig,
  unique,
} from '../../../test/helpers';
import { readEvents } from '../../../portal/src/api/live';
import { asFrame, makeEntry, snapshot, TestConnector, userWithConnection } from './testing/test-kit';

// Two cloud instances sharing one PostgreSQL database and one Redis: the desktop's socket is on A, the
// portal talks to B.

let a: FastifyInstance;
let b: FastifyInstance;
let urlA: string;
let urlB: string;
let dropDb: () => Promise<void>;
const dirA = tempDir();
const dirB = tempDir();

beforeAll(async () => {
  const db = await createTestDatabase('postgres', dirA.path);
  dropDb = db.drop;
  const prefix = `pipdesk-sync-test:${unique()}:`;
  const options = {
    sync: { orderTimeoutMs: 2_000, keepAliveMs: 60_000, statusWriteIntervalMs: 0 },
    limits: { register_ip: { limit: 10_000 } },
  };
  a = await buildTestApp({
    config: testConfig({
      dataDir: dirA.path,
      databaseUrl: db.url,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
    }),
    ...options,
  });
  b = await buildTestApp({
    config: testConfig({
      dataDir: dirB.path,
      databaseUrl: db.url,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
    }),
    migrate: false,
    ...options,
  });
  await a.listen({ port: 0, host: '127.0.0.1' });
  await b.listen({ port: 0, host: '127.0.0.1' });
  urlA = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
  urlB = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await a.close();
  await b.close();
  await dropDb();
  dirA.remove();
  dirB.remove();
});

const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('sync across two instances (PostgreSQL + Redis)', () => {
  it('relays a portal order posted on B to the desktop attached to A and returns its result', async () => {
    const user = await userWithConnection(a);
    const connector = await TestConnector.open(urlA, user.token, user.connectionId);
    connector.send({ type: 'settings', remote_trading: true });
    connector.send({ type: 'ping', id: 'p' });
    await connector.next((m) => m.type === 'pong');

    const status = await b.inject({
      url: `/api/v1/connections/${user.connectionId}/status`,
      headers: auth(user.token),
    });
    expect(ConnectionStatus.parse(status.json())).toMatchObject({ online: true, remote_trading: true });

    const pending = b.inject({
      method: 'POST',
      url: `/api/v1/connections/${user.connectionId}/orders`,
      headers: auth(user.token),
      payload: {
        request_key: 'portal-ticket-0001',
        intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'sell', volume: 0.2 } },
      },
    });
    const command = await connector.next((m): m is ConnectorCommand => m.type === 'command');
    expect(command.args).toMatchObject({ request_key: 'portal-ticket-0001' });
    connector.send({
      type: 'command_result',
      id: command.id,
      status: 'done',
      result: {
        ok: false,
        code: 'NOT_ENOUGH_MONEY',
        message: 'Not enough free margin for 0.20 EURUSD.',
        client_order_id: 'PD0000000A',
        entry_id: 'e-2',
        retcode: 10019,
        order: null,
        deal: null,
        position: null,
        volume: null,
        price: null,
        duplicate: false,
      },
    });
    const res = await pending;
    expect(res.statusCode, res.body).toBe(200);
    expect(RemoteOrderResponse.parse(res.json()).result).toMatchObject({
      ok: false,
      code: 'NOT_ENOUGH_MONEY',
    });
    await connector.close();

    // Once A has dropped the socket, B sees the connection offline and answers 503.
    await expect
      .poll(async () => {
        const r = await b.inject({
          url: `/api/v1/connections/${user.connectionId}/status`,
          headers: auth(user.token),
        });
        return ConnectionStatus.parse(r.json()).online;
      })
      .toBe(false);
    const offline = await b.inject({
      method: 'POST',
      url: `/api/v1/connections/${user.connectionId}/orders`,
      headers: auth(user.token),
      payload: {
        request_key: 'portal-ticket-0002',
        intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.1 } },
      },
    });
    expect(offline.statusCode).toBe(503);
  });

  it('streams live status and journal from the desktop on A to a portal on B, and stores the journal once', async () => {
    const user = await userWithConnection(a);
    const controller = new AbortController();
    const res = await fetch(`${urlB}/api/v1/connections/${user.connectionId}/events`, {
      headers: auth(user.token),
      signal: controller.signal,
    });
    const events = readEvents(res.body as ReadableStream<Uint8Array>);
    const nextEvent = async (): Promise<LiveEvent> => {
      const { value, done } = await events.next();
      if (done === true) throw new Error('stream ended');
      return LiveEvent.parse(JSON.parse(value));
    };
    expect(await nextEvent()).toMatchObject({ type: 'status', status: { online: false } });

    const connector = await TestConnector.open(urlA, user.token, user.connectionId);
    expect(await nextEvent()).toMatchObject({ type: 'status', status: { online: true } });
    connector.send(snapshot(7_777));
    expect(await nextEvent()).toMatchObject({
      type: 'status',
      status: { snapshot: { account: { balance: 7_777 } } },
    });
    const entry = makeEntry({ origin: 'remote' });
    connector.send({ type: 'journal', entries: [asFrame(entry), asFrame(entry)] });
    expect(await connector.next((m) => m.type === 'ack')).toMatchObject({
      type: 'ack',
      ids: [entry.id, entry.id],
    });
    expect(await nextEvent()).toMatchObject({
      type: 'journal',
      entries: [{ id: entry.id, origin: 'remote' }],
    });
    const page = await b.inject({
      url: `/api/v1/connections/${user.connectionId}/journal`,
      headers: auth(user.token),
    });
    expect(SyncJournalPage.parse(page.json()).entries.map((e) => e.id)).toEqual([entry.id]);
    controller.abort();
    await connector.close();
  });
});
