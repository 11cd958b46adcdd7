import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionStatus,
  LiveEvent,
  RemoteOrderResponse,
  SyncJournalPage,
  type RemoteOrderRequest,
} from '../../../../src-core/contracts/cloud-sync';
import type { ConnectorCommand } from '../../../../src-core/contracts/connector';
import { buildTestApp, createTestDatabase, tempDir, testConfig } from '../../../test/helpers';
import { readEvents } from '../../../portal/src/api/live';
import {
  asFrame,
  makeEntry,
  snapshot,
  TestConnector,
  userWithConnection,
  type TestUser,
} from './testing/test-kit';

// One cloud instance on SQLite: journal storage and paging, status, live events, remote orders and their
// refusals, and ownership on every route. The two-instance relay is in scale-out.test.ts.

let app: FastifyInstance;
let base: string;
const dir = tempDir();

beforeAll(async () => {
  const db = await createTestDatabase('sqlite', dir.path);
  app = await buildTestApp({
    config: testConfig({ dataDir: dir.path, databaseUrl: db.url }),
    sync: { orderTimeoutMs: 400, keepAliveMs: 60_000, statusWriteIntervalMs: 0 },
    limits: { register_ip: { limit: 10_000 } },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
  dir.remove();
});

const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function journal(user: TestUser, query = ''): Promise<SyncJournalPage> {
  const res = await app.inject({
    url: `/api/v1/connections/${user.connectionId}/journal${query}`,
    headers: auth(user.token),
  });
  expect(res.statusCode, res.body).toBe(200);
  return SyncJournalPage.parse(res.json());
}

const order = (key = `key-${Math.random().toString(36).slice(2, 12)}`): RemoteOrderRequest => ({
  request_key: key,
  intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.1 } },
});

describe('sync: journal', () => {
  it('stores entries once per id, keeps the highest version, acknowledges by id', async () => {
    const user = await userWithConnection(app);
    const connector = await TestConnector.open(base, user.token, user.connectionId);
    const a = makeEntry({ state: 'sent', version: 1, outcome: null, message: null });
    const b = makeEntry({ symbol: 'XAUUSD', origin: 'remote' });
    connector.send({ type: 'journal', entries: [asFrame(a), asFrame(b)] });
    const ack = await connector.next((m) => m.type === 'ack');
    expect(ack).toMatchObject({ type: 'ack', ids: [a.id, b.id] });

    // The same again (a resend after a lost ack), a newer version of a, and an older version of b.
    const aDone = { ...a, state: 'done' as const, version: 3, message: 'Bought', updatedAt: a.updatedAt + 5 };
    connector.send({
      type: 'journal',
      entries: [asFrame(a), asFrame(aDone), asFrame({ ...b, version: 1, state: 'sent' })],
    });
    expect(await connector.next((m) => m.type === 'ack')).toMatchObject({
      type: 'ack',
      ids: [a.id, aDone.id, b.id],
    });

    const page = await journal(user);
    expect(page.entries.map((e) => [e.id, e.version, e.state])).toEqual([
      [b.id, 3, 'done'],
      [a.id, 3, 'done'],
    ]);
    expect(page.next_cursor).toBeNull();
    await connector.close();
  });

  it('refuses invalid entries with a reason, keeps an unknown kind unacknowledged, and shows neither', async () => {
    const user = await userWithConnection(app);
    const connector = await TestConnector.open(base, user.token, user.connectionId);
    const good = makeEntry();
    const mismatched = makeEntry();
    connector.send({
      type: 'journal',
      entries: [
        asFrame(good),
        { id: 'x-1', at_ms: 1, kind: 'trade', payload: { id: 'x-1', nonsense: true } },
        { ...asFrame(mismatched), id: 'another-id' },
        { id: 'y-1', at_ms: 1, kind: 'future-kind', payload: {} },
      ],
    });
    // An unknown kind may be from a newer desktop: neither taken nor refused, so a newer cloud can take it.
    expect(await connector.next((m) => m.type === 'ack')).toMatchObject({
      type: 'ack',
      ids: [good.id],
      refused: [
        { id: 'x-1', index: 1, reason: expect.stringMatching(/^payload\.clientOrderId: /) as string },
        { id: 'another-id', index: 2, reason: 'payload.id: differs from the entry id' },
      ],
    });
    expect((await journal(user)).entries.map((e) => e.id)).toEqual([good.id]);
    await connector.close();
  });

  it('pages newest first with an opaque cursor and filters by state, symbol, origin and time', async () => {
    const user = await userWithConnection(app);
    const connector = await TestConnector.open(base, user.token, user.connectionId);
    const t0 = 1_795_000_000_000;
    const entries = Array.from({ length: 7 }, (_, i) =>
      makeEntry({
        createdAt: t0 + i * 60_000,
        symbol: i % 2 === 0 ? 'EURUSD' : 'USDJPY',
        state: i === 3 ? 'rejected' : 'done',
        origin: i === 5 ? 'remote' : 'local',
      }),
    );
    connector.send({ type: 'journal', entries: entries.map(asFrame) });
    await connector.next((m) => m.type === 'ack');

    const first = await journal(user, '?limit=3');
    expect(first.entries.map((e) => e.id)).toEqual([entries[6]?.id, entries[5]?.id, entries[4]?.id]);
    const second = await journal(user, `?limit=3&cursor=${first.next_cursor ?? ''}`);
    expect(second.entries.map((e) => e.id)).toEqual([entries[3]?.id, entries[2]?.id, entries[1]?.id]);
    const third = await journal(user, `?limit=3&cursor=${second.next_cursor ?? ''}`);
    expect(third.entries.map((e) => e.id)).toEqual([entries[0]?.id]);
    expect(third.next_cursor).toBeNull();

    expect((await journal(user, '?state=rejected')).entries.map((e) => e.id)).toEqual([entries[3]?.id]);
    expect((await journal(user, '?symbol=USDJPY')).entries).toHaveLength(3);
    expect((await journal(user, '?origin=remote')).entries.map((e) => e.origin)).toEqual(['remote']);
    const from = new Date(t0 + 2 * 60_000).toISOString();
    const to = new Date(t0 + 4 * 60_000).toISOString();
    expect((await journal(user, `?from=${from}&to=${to}`)).entries.map((e) => e.id)).toEqual([
      entries[3]?.id,
      entries[2]?.id,
    ]);
    await connector.close();
  });

  it('refuses bad queries with validation_failed', async () => {
    const user = await userWithConnection(app);
    for (const query of [
      '?limit=0',
      '?limit=1000',
      '?state=maybe',
      '?origin=mars',
      '?from=yesterday',
      '?cursor=%%%',
      '?cursor=bm90LWpzb24',
      '?color=red',
    ]) {
      const res = await app.inject({
        url: `/api/v1/connections/${user.connectionId}/journal${query}`,
        headers: auth(user.token),
      });
      expect(res.statusCode, query).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
    }
  });
});

describe('sync: status and live events', () => {
  it('keeps the latest snapshot, the remote-trading switch and presence', async () => {
    const user = await userWithConnection(app);
    const read = async (): Promise<ConnectionStatus> => {
      const res = await app.inject({
        url: `/api/v1/connections/${user.connectionId}/status`,
        headers: auth(user.token),
      });
      expect(res.statusCode).toBe(200);
      return ConnectionStatus.parse(res.json());
    };
    expect(await read()).toMatchObject({
      online: false,
      remote_trading: false,
      snapshot: null,
      last_seen_at: null,
    });

    const connector = await TestConnector.open(base, user.token, user.connectionId);
    connector.send({ type: 'settings', remote_trading: true });
    connector.send(snapshot(10_000));
    connector.send({ type: 'ping', id: 'p1' });
    await connector.next((m) => m.type === 'pong');
    const live = await read();
    expect(live).toMatchObject({ online: true, remote_trading: true });
    expect(live.snapshot?.account?.balance).toBe(10_000);

    await connector.close();
    await expect.poll(async () => (await read()).online).toBe(false);
    const after = await read();
    expect(after.snapshot?.account?.balance).toBe(10_000);
    expect(after.last_seen_at).not.toBeNull();
  });

  it('streams status and journal changes to the portal as server-sent events', async () => {
    const user = await userWithConnection(app);
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/connections/${user.connectionId}/events`, {
      headers: auth(user.token),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = readEvents(res.body as ReadableStream<Uint8Array>);
    const nextEvent = async (): Promise<LiveEvent> => {
      const { value, done } = await events.next();
      if (done === true) throw new Error('stream ended');
      return LiveEvent.parse(JSON.parse(value));
    };
    expect(await nextEvent()).toMatchObject({ type: 'status', status: { online: false } });

    const connector = await TestConnector.open(base, user.token, user.connectionId);
    expect(await nextEvent()).toMatchObject({ type: 'status', status: { online: true } });
    connector.send(snapshot(2_500));
    expect(await nextEvent()).toMatchObject({
      type: 'status',
      status: { snapshot: { account: { balance: 2_500 } } },
    });
    const entry = makeEntry();
    connector.send({ type: 'journal', entries: [asFrame(entry)] });
    expect(await nextEvent()).toMatchObject({ type: 'journal', entries: [{ id: entry.id }] });
    await connector.close();
    expect(await nextEvent()).toMatchObject({ type: 'status', status: { online: false } });
    controller.abort();
  });
});

describe('sync: remote orders', () => {
  const post = (user: TestUser, body: unknown) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/connections/${user.connectionId}/orders`,
      headers: auth(user.token),
      payload: body as Record<string, unknown>,
    });

  it('answers 503 when no desktop is attached', async () => {
    const user = await userWithConnection(app);
    const res = await post(user, order());
    expect(res.statusCode).toBe(503);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('connector_offline');
  });

  it('answers 409 when the desktop has remote trading off, without sending anything', async () => {
    const user = await userWithConnection(app);
    const connector = await TestConnector.open(base, user.token, user.connectionId);
    connector.send({ type: 'settings', remote_trading: false });
    connector.send({ type: 'ping', id: 'p' });
    await connector.next((m) => m.type === 'pong');
    const res = await post(user, order());
    expect(res.statusCode).toBe(409);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('remote_trading_disabled');
    expect(connector.received.some((m) => m.type === 'command')).toBe(false);
    await connector.close();
  });

  it('relays the ticket to the desktop and answers with its executor result', async () => {
    const user = await userWithConnection(app);
    const connector = await TestConnector.open(base, user.token, user.connectionId);
    connector.send({ type: 'settings', remote_trading: true });
    // The setting is applied before the cloud answers a ping sent after it: only then may a ticket count on it.
    connector.send({ type: 'ping', id: 'p' });
    await connector.next((m) => m.type === 'pong');
    const body = order();
    const pending = post(user, body);
    const command = await connector.next((m): m is ConnectorCommand => m.type === 'command');
    expect(command.name).toBe('place_order');
    expect(command.args).toEqual({ request_key: body.request_key, intent: body.intent });
    connector.send({
      type: 'command_result',
      id: command.id,
      status: 'done',
      result: {
        ok: true,
        code: null,
        message: 'Bought 0.10 EURUSD at 1.08512',
        client_order_id: 'PD00000001',
        entry_id: 'e-1',
        retcode: 10009,
        order: '5000001',
        deal: '6000001',
        position: '5000001',
        volume: 0.1,
        price: 1.08512,
        duplicate: false,
      },
    });
    const res = await pending;
    expect(res.statusCode, res.body).toBe(200);
    expect(RemoteOrderResponse.parse(res.json()).result).toMatchObject({ ok: true, price: 1.08512 });
    await connector.close();
  });

  it('answers 409 when the desktop refuses because remote trading went off, and 504 "outcome unknown" when it never answers', async () => {
    const user = await userWithConnection(app);
    const connector = await TestConnector.open(base, user.token, user.connectionId);
    connector.send({ type: 'settings', remote_trading: true });
    connector.send({ type: 'ping', id: 'p' });
    await connector.next((m) => m.type === 'pong');

    const refused = post(user, order());
    const first = await connector.next((m): m is ConnectorCommand => m.type === 'command');
    connector.send({ type: 'command_result', id: first.id, status: 'remote_trading_disabled', result: null });
    expect((await refused).statusCode).toBe(409);

    const silent = await post(user, order());
    expect(silent.statusCode).toBe(504);
    const error = silent.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('outcome_unknown');
    expect(error.message).toMatch(/may or may not have been executed/);
    // Exactly one command went out for it: the cloud never retries on its own.
    const commands = connector.received.filter((m) => m.type === 'command');
    expect(commands).toHaveLength(1);
    await connector.close();
  });

  it('refuses a ticket that is not a valid trade intent', async () => {
    const user = await userWithConnection(app);
    for (const body of [
      {},
      { request_key: 'short', intent: order().intent },
      {
        request_key: 'key-12345678',
        intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'up', volume: 0.1 } },
      },
      {
        request_key: 'key-12345678',
        intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: -1 } },
      },
      { ...order(), extra: true },
    ]) {
      const res = await post(user, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('sync: ownership', () => {
  it("answers another user's connection exactly like a missing one on every sync route", async () => {
    const owner = await userWithConnection(app);
    const other = await userWithConnection(app);
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [owner.connectionId, missing]) {
      for (const [method, path] of [
        ['GET', 'status'],
        ['GET', 'journal'],
        ['GET', 'events'],
        ['POST', 'orders'],
      ] as const) {
        const res = await app.inject({
          method,
          url: `/api/v1/connections/${id}/${path}`,
          headers: auth(other.token),
          ...(method === 'POST' ? { payload: order() } : {}),
        });
        expect(res.statusCode, `${method} ${path}`).toBe(404);
        expect(res.json()).toEqual({ error: { code: 'not_found', message: 'Connection not found.' } });
      }
    }
    const anonymous = await app.inject({ url: `/api/v1/connections/${owner.connectionId}/journal` });
    expect(anonymous.statusCode).toBe(401);
  });
});
