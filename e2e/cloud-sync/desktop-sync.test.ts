import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionStatus, RemoteOrderResponse, SyncJournalPage } from '../../src-core/contracts/cloud-sync';
import type { CloudState } from '../../src-core/contracts/ipc-cloud';

import {
  buildTestApp,
  createTestDatabase,
  freePort,
  REDIS_URL,
  tempDir,
  testConfig,
  unique,
} from '../../cloud/test/helpers';
import { systemClock } from '../../src-core/clock';
import { startSimSetup, type SimSetup } from '../../src-main/services/testing/sim-setup';
import { RELAXED_EXECUTOR } from './relaxed';
import { bridgeAccounts } from '../../src-main/services/cloud-sync/accounts-port';
import { CloudSync } from '../../src-main/services/cloud-sync/cloud-sync';
import { createMemoryTokenStore, type TokenStore } from '../../src-main/services/cloud-sync/token-store';

// The desktop's cloud sync against two real cloud instances (PostgreSQL + Redis) and the MT5 simulator: the
// desktop attaches to instance A, the portal talks to instance B.

let a: FastifyInstance | undefined;
let b: FastifyInstance;
let portA: number;
let urlA: string;
let dbUrl: string;
let dropDb: () => Promise<void>;
const prefix = `pipdesk-cloudsync-test:${unique()}:`;
const dirA = tempDir();
const dirB = tempDir();
let sim: SimSetup;
let sync: CloudSync;
let tokens: TokenStore;
const email = `desk-${unique()}@example.com`;
const password = 'desktop sync passphrase 42';

const buildA = async (): Promise<FastifyInstance> => {
  const app = await buildTestApp({
    config: testConfig({
      dataDir: dirA.path,
      databaseUrl: dbUrl,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
    }),
    sync: { orderTimeoutMs: 5_000, statusWriteIntervalMs: 0 },
    limits: { register_ip: { limit: 10_000 } },
  });
  await app.listen({ port: portA, host: '127.0.0.1' });
  return app;
};

beforeAll(async () => {
  const db = await createTestDatabase('postgres', dirA.path);
  dbUrl = db.url;
  dropDb = db.drop;
  portA = await freePort();
  urlA = `http://127.0.0.1:${portA}`;
  a = await buildA();
  b = await buildTestApp({
    config: testConfig({
      dataDir: dirB.path,
      databaseUrl: dbUrl,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
    }),
    migrate: false,
    sync: { orderTimeoutMs: 5_000, statusWriteIntervalMs: 0 },
  });
  const registered = await b.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password },
  });
  expect(registered.statusCode).toBe(201);

  // Deadlines for a loaded CI box (two test workers, Chromium, argon2): the fast test ones are too tight.
  sim = await startSimSetup({ executor: RELAXED_EXECUTOR });
  tokens = createMemoryTokenStore();
  sync = new CloudSync({
    cloudUrl: urlA,
    db: sim.services.db,
    journal: sim.services.journal,
    executor: sim.services.executor,
    accounts: bridgeAccounts(sim.harness.server),
    tokens,
    logger: sim.logger,
    clock: systemClock,
    statusIntervalMs: 50,
    backoff: { baseMs: 50, maxMs: 400 },
  });
}, 60_000);

afterAll(async () => {
  sync.close();
  await sim.close();
  await a?.close();
  await b.close();
  await dropDb();
  dirA.remove();
  dirB.remove();
});

async function portalToken(): Promise<string> {
  const res = await b.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  expect(res.statusCode).toBe(200);
  return res.json<{ tokens: { access_token: string } }>().tokens.access_token;
}

function waitState(predicate: (s: CloudState) => boolean): Promise<CloudState> {
  const now = sync.state();
  if (predicate(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = sync.onState((s) => {
      if (predicate(s)) {
        off();
        resolve(s);
      }
    });
  });
}

async function cloudJournal(token: string, connectionId: string): Promise<SyncJournalPage> {
  const res = await b.inject({
    url: `/api/v1/connections/${connectionId}/journal?limit=200`,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return SyncJournalPage.parse(res.json());
}

const market = (requestKey: string, side: 'buy' | 'sell' = 'buy') =>
  sim.services.executor.openMarket({ symbol: 'EURUSD', side, volume: 0.01, requestKey });

let connectionId = '';

describe('desktop cloud sync', () => {
  it('refuses a wrong password, signs in, and links the simulator account as a connection', async () => {
    const wrong = await sync.signIn(email, 'not the password at all');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.code).toBe('INVALID_CREDENTIALS');

    const signed = await sync.signIn(email, password);
    expect(signed.ok).toBe(true);
    expect(tokens.load('cloud.refresh')).toMatchObject({ ok: true });
    const account = sync.state().accounts[0];
    expect(account).toMatchObject({
      connector: 'not_linked',
      isRemoteTradingOn: false,
      isTerminalConnected: true,
    });

    const linked = await sync.linkAccount(account?.accountKey ?? '');
    expect(linked.ok).toBe(true);
    const state = await waitState((s) => s.accounts[0]?.connector === 'online');
    connectionId = state.accounts[0]?.connectionId ?? '';
    expect(connectionId).not.toBe('');

    // The portal on instance B sees it live, with the simulator's balance.
    const token = await portalToken();
    await expect
      .poll(async () => {
        const res = await b.inject({
          url: `/api/v1/connections/${connectionId}/status`,
          headers: { authorization: `Bearer ${token}` },
        });
        return ConnectionStatus.parse(res.json()).snapshot?.account?.balance;
      })
      .toBe(10_000);
  });

  it('sends every journal entry once, including those made while the cloud was down', async () => {
    const token = await portalToken();
    for (let i = 0; i < 3; i += 1) expect((await market(`online-${i}`)).ok).toBe(true);

    // Instance A goes away: the desktop keeps trading, its outbox fills.
    await a?.close();
    a = undefined;
    await waitState((s) => s.accounts[0]?.connector !== 'online');
    for (let i = 0; i < 5; i += 1) expect((await market(`offline-${i}`, 'sell')).ok).toBe(true);
    expect(sync.state().unsyncedEntries).toBeGreaterThanOrEqual(5);

    // Back: the connector reconnects on its own and drains the outbox.
    a = await buildA();
    await waitState((s) => s.accounts[0]?.connector === 'online' && s.unsyncedEntries === 0);
    const page = await cloudJournal(token, connectionId);
    const local = sim.services.journal.query({ limit: 200 }).entries;
    expect(page.entries.map((e) => e.id).sort()).toEqual(local.map((e) => e.id).sort());
    expect(new Set(page.entries.map((e) => e.id)).size).toBe(page.entries.length);
    for (const entry of page.entries) {
      expect(entry.version).toBe(local.find((l) => l.id === entry.id)?.version);
    }
  });

  it('relays a portal ticket from instance B to this desktop only when remote trading is on', async () => {
    const token = await portalToken();
    const post = (key: string) =>
      b.inject({
        method: 'POST',
        url: `/api/v1/connections/${connectionId}/orders`,
        headers: { authorization: `Bearer ${token}` },
        payload: {
          request_key: key,
          intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.02 } },
        },
      });
    const off = await post('remote-ticket-off-1');
    expect(off.statusCode).toBe(409);

    const key = sync.state().accounts[0]?.accountKey ?? '';
    expect(sync.setRemoteTrading(key, true).ok).toBe(true);
    await expect
      .poll(async () => {
        const res = await b.inject({
          url: `/api/v1/connections/${connectionId}/status`,
          headers: { authorization: `Bearer ${token}` },
        });
        return ConnectionStatus.parse(res.json()).remote_trading;
      })
      .toBe(true);

    const res = await post('remote-ticket-on-1');
    expect(res.statusCode, res.body).toBe(200);
    const result = RemoteOrderResponse.parse(res.json()).result;
    expect(result).toMatchObject({ ok: true, volume: 0.02 });
    // The same ticket again is answered from the executor's first result, not sent twice.
    const again = RemoteOrderResponse.parse((await post('remote-ticket-on-1')).json()).result;
    expect(again.entry_id).toBe(result.entry_id);

    const local = sim.services.journal.query({ limit: 200 }).entries.filter((e) => e.origin === 'remote');
    expect(local).toHaveLength(1);
    await waitState((s) => s.unsyncedEntries === 0);
    const synced = (await cloudJournal(token, connectionId)).entries.filter((e) => e.origin === 'remote');
    expect(synced.map((e) => e.id)).toEqual([result.entry_id]);
    expect(sync.setRemoteTrading(key, false).ok).toBe(true);
  });

  it('drops the link when the connection is deleted in the cloud, and links again on request', async () => {
    const token = await portalToken();
    const deleted = await b.inject({
      method: 'DELETE',
      url: `/api/v1/connections/${connectionId}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(deleted.statusCode).toBe(200);
    // Whether the cloud cuts the socket itself or the desktop finds out on its next connect, the answer is 4003.
    a?.cloud.hub.disconnect(connectionId, 1012, 'restart');
    const dropped = await waitState((s) => s.accounts[0]?.connector === 'not_linked');
    expect(dropped.accounts[0]?.connectionId).toBeNull();
    const relinked = await sync.linkAccount(dropped.accounts[0]?.accountKey ?? '');
    expect(relinked.ok).toBe(true);
    const online = await waitState((s) => s.accounts[0]?.connector === 'online');
    expect(online.accounts[0]?.connectionId).not.toBe(connectionId);
    connectionId = online.accounts[0]?.connectionId ?? '';
  });

  it('signs out with a clear message when the session is revoked', async () => {
    const token = await portalToken();
    // Reset-like revocation: every other session ends (the portal's own password change does this).
    const changed = await b.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: { authorization: `Bearer ${token}` },
      payload: { current_password: password, new_password: 'a brand new sync passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    // Make the desktop reconnect: its next token check finds the session gone.
    a?.cloud.hub.disconnect(connectionId, 1012, 'restart');
    const state = await waitState((s) => s.status === 'signed_out');
    expect(state.notice).toMatch(/session ended/i);
    expect(tokens.load('cloud.refresh')).toEqual({ ok: true, value: null });
  });
});
