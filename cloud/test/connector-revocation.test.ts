import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuthResult } from '../../src-core/contracts/cloud-api';
import { CONNECTOR_CLOSE } from '../../src-core/contracts/connector';
import { LIMIT_NAMES } from '../src/context';
import {
  REDIS_URL,
  bearer,
  buildTestApp,
  createTestDatabase,
  startSmtp,
  tempDir,
  testConfig,
  unique,
} from './helpers';

const PASSWORD = 'violet tangerine harbour';
const NEW_PASSWORD = 'quiet meadow lantern 42';

interface Client {
  readonly socket: WebSocket;
  /** Settles with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves once the welcome frame arrived (the socket is held by the hub). */
  readonly welcomed: Promise<void>;
}

function connect(baseUrl: string, connectionId: string, token: string): Client {
  const socket = new WebSocket(`ws://${baseUrl}/ws/connector?connection_id=${connectionId}`, {
    headers: bearer(token),
  });
  const welcomed = new Promise<void>((resolve) => {
    socket.once('message', () => {
      resolve();
    });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
    });
  });
  return { socket, closed, welcomed };
}

/** The close, or a failure after `ms`: before the fix these sockets never closed. */
async function closedWithin(client: Client, ms = 5_000): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`socket still open after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([client.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Proves a socket is still served: a ping gets its pong. */
async function stillOpen(client: Client): Promise<void> {
  expect(client.socket.readyState).toBe(WebSocket.OPEN);
  const id = unique();
  const pong = new Promise<void>((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; id?: string };
      if (message.type === 'pong' && message.id === id) {
        client.socket.off('message', onMessage);
        resolve();
      }
    };
    client.socket.on('message', onMessage);
  });
  client.socket.send(JSON.stringify({ type: 'ping', id }));
  await pong;
}

describe.each(['sqlite', 'postgres'] as const)(
  'connector sockets end with their session on %s',
  (dialect) => {
    const dir = tempDir();
    const prefix = `pipdesk-test:${unique()}:`;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let dropDb: () => Promise<void>;
    /** Two instances on one database and one Redis; their heartbeat is too slow to matter here. */
    let first: FastifyInstance;
    let second: FastifyInstance;
    /** One instance without Redis and a fast heartbeat: only the heartbeat re-check can end sockets. */
    let lonely: FastifyInstance;
    const addresses = new Map<FastifyInstance, string>();

    const call = (
      app: FastifyInstance,
      args: { method?: 'GET' | 'POST' | 'DELETE'; url: string; body?: unknown; token?: string },
    ): Promise<LightMyRequestResponse> =>
      app.inject({
        method: args.method ?? 'GET',
        url: args.url,
        ...(args.body === undefined ? {} : { payload: args.body as object }),
        headers: args.token === undefined ? {} : bearer(args.token),
      });

    async function listen(app: FastifyInstance): Promise<void> {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('no address');
      addresses.set(app, `127.0.0.1:${address.port}`);
    }

    async function account(): Promise<AuthResult & { connectionId: string }> {
      const email = `user-${unique()}@example.com`;
      const registered = await call(first, {
        method: 'POST',
        url: '/api/v1/auth/register',
        body: { email, password: PASSWORD },
      });
      expect(registered.statusCode, registered.body).toBe(201);
      const auth = registered.json<AuthResult>();
      const created = await call(first, {
        method: 'POST',
        url: '/api/v1/connections',
        token: auth.tokens.access_token,
        body: { name: 'Terminal', broker_server: 'FBS-Demo', account_login: '5555' },
      });
      expect(created.statusCode, created.body).toBe(201);
      return { ...auth, connectionId: created.json<{ id: string }>().id };
    }

    async function signIn(email: string, password = PASSWORD): Promise<AuthResult> {
      const response = await call(first, {
        method: 'POST',
        url: '/api/v1/auth/login',
        body: { email, password },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<AuthResult>();
    }

    /** A connector socket on `app`, held once this resolves. */
    async function open(app: FastifyInstance, connectionId: string, token: string): Promise<Client> {
      const client = connect(addresses.get(app) ?? '', connectionId, token);
      await client.welcomed;
      return client;
    }

    async function secondConnection(token: string): Promise<string> {
      const created = await call(first, {
        method: 'POST',
        url: '/api/v1/connections',
        token,
        body: { name: 'Second', broker_server: 'FBS-Demo', account_login: '6666' },
      });
      return created.json<{ id: string }>().id;
    }

    beforeAll(async () => {
      smtp = await startSmtp();
      const db = await createTestDatabase(dialect, dir.path);
      dropDb = db.drop;
      const options = (redisUrl: string | undefined, heartbeatMs: number) => ({
        config: testConfig({
          dataDir: dir.path,
          databaseUrl: db.url,
          smtpUrl: smtp.url,
          redisUrl,
          redisKeyPrefix: prefix,
        }),
        heartbeatMs,
        forgotPasswordFloorMs: 0,
        // Limits are tested elsewhere; this file signs in often.
        limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, { limit: 100_000 }])),
        portalDist: `${dir.path}/no-portal`,
      });
      first = await buildTestApp(options(REDIS_URL, 600_000));
      second = await buildTestApp({ ...options(REDIS_URL, 600_000), migrate: false });
      lonely = await buildTestApp({ ...options(undefined, 100), migrate: false });
      for (const app of [first, second, lonely]) await listen(app);
    });

    afterAll(async () => {
      for (const app of [first, second, lonely]) await app.close();
      await smtp.close();
      await dropDb();
      dir.remove();
    });

    it('closes the sockets of every session on every instance when the password is reset', async () => {
      const victim = await account();
      const bystander = await account();
      const attacker = await signIn(victim.user.email);
      const stolen = await open(second, victim.connectionId, attacker.tokens.access_token);
      const other = await open(second, bystander.connectionId, bystander.tokens.access_token);

      await call(first, {
        method: 'POST',
        url: '/api/v1/auth/forgot-password',
        body: { email: victim.user.email },
      });
      const mail = await smtp.waitFor((m) => m.to.includes(victim.user.email) && /Reset/.test(m.subject));
      const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? '';
      const reset = await call(first, {
        method: 'POST',
        url: '/api/v1/auth/reset-password',
        body: { token, new_password: NEW_PASSWORD },
      });
      expect(reset.statusCode).toBe(200);
      expect(await closedWithin(stolen)).toEqual({
        code: CONNECTOR_CLOSE.UNAUTHORIZED,
        reason: 'session ended',
      });
      await stillOpen(other);
      other.socket.close();
    });

    it('closes the socket of a session revoked from the sessions list, and only that one', async () => {
      const owner = await account();
      const device = await signIn(owner.user.email);
      const laptopConnection = await secondConnection(owner.tokens.access_token);
      const revoked = await open(second, owner.connectionId, device.tokens.access_token);
      const kept = await open(second, laptopConnection, owner.tokens.access_token);
      const response = await call(first, {
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${device.tokens.session_id}`,
        token: owner.tokens.access_token,
      });
      expect(response.statusCode).toBe(200);
      expect((await closedWithin(revoked)).code).toBe(CONNECTOR_CLOSE.UNAUTHORIZED);
      await stillOpen(kept);
      kept.socket.close();
    });

    it('closes on logout, on refresh-token reuse, and other sessions’ sockets on a password change', async () => {
      const owner = await account();
      const loggedOut = await signIn(owner.user.email);
      const byLogout = await open(second, owner.connectionId, loggedOut.tokens.access_token);
      await call(first, {
        method: 'POST',
        url: '/api/v1/auth/logout',
        token: loggedOut.tokens.access_token,
        body: {},
      });
      expect((await closedWithin(byLogout)).code).toBe(CONNECTOR_CLOSE.UNAUTHORIZED);

      const replayed = await signIn(owner.user.email);
      const byReuse = await open(second, owner.connectionId, replayed.tokens.access_token);
      const body = { refresh_token: replayed.tokens.refresh_token };
      expect((await call(first, { method: 'POST', url: '/api/v1/auth/refresh', body })).statusCode).toBe(200);
      expect((await call(first, { method: 'POST', url: '/api/v1/auth/refresh', body })).statusCode).toBe(401);
      expect((await closedWithin(byReuse)).code).toBe(CONNECTOR_CLOSE.UNAUTHORIZED);

      const elsewhere = await signIn(owner.user.email);
      const otherDevice = await open(second, owner.connectionId, elsewhere.tokens.access_token);
      const laptopConnection = await secondConnection(owner.tokens.access_token);
      const thisDevice = await open(second, laptopConnection, owner.tokens.access_token);
      const changed = await call(first, {
        method: 'POST',
        url: '/api/v1/auth/change-password',
        token: owner.tokens.access_token,
        body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect((await closedWithin(otherDevice)).code).toBe(CONNECTOR_CLOSE.UNAUTHORIZED);
      await stillOpen(thisDevice);
      thisDevice.socket.close();
    });

    it('closes a deleted connection’s socket held by another instance with 4003', async () => {
      const owner = await account();
      const client = await open(second, owner.connectionId, owner.tokens.access_token);
      const deleted = await call(first, {
        method: 'DELETE',
        url: `/api/v1/connections/${owner.connectionId}`,
        token: owner.tokens.access_token,
      });
      expect(deleted.statusCode).toBe(200);
      expect(await closedWithin(client)).toEqual({
        code: CONNECTOR_CLOSE.FORBIDDEN,
        reason: 'connection deleted',
      });
    });

    it('ignores malformed revocation messages on Redis and acts on a valid one', async () => {
      const owner = await account();
      const client = await open(second, owner.connectionId, owner.tokens.access_token);
      const redis = new Redis(REDIS_URL);
      try {
        const channel = `${prefix}connector:revoke`;
        for (const bad of [
          '{not json',
          JSON.stringify({ kind: 'sessions', session_ids: [] }),
          JSON.stringify({ kind: 'everyone' }),
          JSON.stringify({ kind: 'connection', connection_id: 7 }),
        ]) {
          await redis.publish(channel, bad);
        }
        await stillOpen(client);
        await redis.publish(
          channel,
          JSON.stringify({ kind: 'sessions', session_ids: [owner.tokens.session_id] }),
        );
        expect((await closedWithin(client)).code).toBe(CONNECTOR_CLOSE.UNAUTHORIZED);
      } finally {
        await redis.quit();
      }
    });

    it('ends a socket whose revocation message was missed within a heartbeat', async () => {
      const owner = await account();
      const device = await signIn(owner.user.email);
      const client = await open(lonely, owner.connectionId, device.tokens.access_token);
      // Revoked by another instance (here: straight in the database) that could not reach this one.
      await first.cloud.db.kysely
        .updateTable('sessions')
        .set({ revoked_at: Date.now(), revoked_reason: 'revoked_by_user' })
        .where('id', '=', device.tokens.session_id)
        .execute();
      expect(await closedWithin(client, 2_000)).toEqual({
        code: CONNECTOR_CLOSE.UNAUTHORIZED,
        reason: 'session ended',
      });

      const gone = await open(lonely, owner.connectionId, owner.tokens.access_token);
      await first.cloud.db.kysely.deleteFrom('connections').where('id', '=', owner.connectionId).execute();
      expect((await closedWithin(gone, 2_000)).code).toBe(CONNECTOR_CLOSE.FORBIDDEN);
    });
  },
);
