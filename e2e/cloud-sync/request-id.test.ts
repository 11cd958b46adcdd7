import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudState } from '../../src-core/contracts/ipc-cloud';
import type { JournalEntry, OutboxItem } from '../../src-core/contracts/journal';
import { build } from '../../cloud/src/app';
import { captureLog, FAST_ARGON2, tempDir, testConfig, unique } from '../../cloud/test/helpers';
import { makeEntry } from '../../cloud/src/routes/sync/testing/test-kit';
import { systemClock } from '../../src-core/clock';
import { createMemoryLogger } from '../../src-core/logger';
import { openDatabase } from '../../src-main/services/database';
import type { AccountsPort } from '../../src-main/services/cloud-sync/accounts-port';
import { CloudSync, type OutboxPort } from '../../src-main/services/cloud-sync/cloud-sync';
import { createMemoryTokenStore } from '../../src-main/services/cloud-sync/token-store';

// Request ids across the cloud and the desktop (docs/operations.md, "Request ids"): every HTTP answer names its
// id in X-Request-Id and in each of its JSON log lines; the connector's welcome and ack frames carry the socket's
// id, and the desktop's cloud-sync logs it, so a desktop log line can be matched with the cloud's.

const KEY = '61234567@Exness-MT5Trial7';

class MemoryOutbox implements OutboxPort {
  private seq = 0;
  readonly items: OutboxItem[] = [];
  private readonly listeners = new Set<(entry: JournalEntry) => void>();
  add(entry: JournalEntry): void {
    this.seq += 1;
    this.items.push({ seq: this.seq, entry });
    for (const l of this.listeners) l(entry);
  }
  listUnsynced(limit: number): OutboxItem[] {
    return this.items.slice(0, limit);
  }
  markSynced(seqs: readonly number[]): number {
    const gone = new Set(seqs);
    const before = this.items.length;
    this.items.splice(0, this.items.length, ...this.items.filter((i) => !gone.has(i.seq)));
    return before - this.items.length;
  }
  onChanged(listener: (entry: JournalEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const accounts: AccountsPort = {
  accounts: () => [
    { key: KEY, login: '61234567', server: 'Exness-MT5Trial7', company: 'Exness', isConnected: true },
  ],
  onAccountsChanged: () => () => undefined,
  onAccountActivity: () => () => undefined,
  status: () =>
    Promise.resolve({
      terminal_connected: true,
      ea_connected: true,
      account: null,
      open_positions: 0,
      pending_orders: 0,
    }),
  activeAccount: () => KEY,
};

const dir = tempDir();
const cloudLog = captureLog();
const desktopLog = createMemoryLogger();
const outbox = new MemoryOutbox();
let cloud: FastifyInstance;
let sync: CloudSync;
let base: string;

beforeAll(async () => {
  cloud = await build({
    config: testConfig({ dataDir: dir.path, databaseUrl: `sqlite:${dir.path}/cloud.db`, logLevel: 'info' }),
    argon2: FAST_ARGON2,
    forgotPasswordFloorMs: 0,
    portalDist: join(dir.path, 'no-portal'),
    logger: { level: 'info', stream: cloudLog.stream },
  });
  await cloud.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(cloud.server.address() as AddressInfo).port}`;
  const email = `reqid-${unique()}@example.com`;
  const registered = await cloud.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: 'request id passphrase' },
  });
  expect(registered.statusCode).toBe(201);
  sync = new CloudSync({
    cloudUrl: base,
    db: openDatabase(join(dir.path, 'desktop.db')),
    journal: outbox,
    executor: { execute: () => Promise.reject(new Error('no orders in this test')) },
    accounts,
    tokens: createMemoryTokenStore(),
    logger: desktopLog,
    clock: systemClock,
    backoff: { baseMs: 50, maxMs: 400 },
  });
  expect((await sync.signIn(email, 'request id passphrase')).ok).toBe(true);
  expect((await sync.linkAccount(KEY)).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  sync.close();
  await cloud.close();
  dir.remove();
});

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

const desktopField = (message: string, field: string): unknown[] =>
  desktopLog.records.filter((r) => r.message === message).map((r) => r.fields?.[field]);

describe('request ids', () => {
  it('names every HTTP answer and its log lines with one id', async () => {
    const res = await fetch(`${base}/api/v1/auth/me`);
    expect(res.status).toBe(401);
    const id = res.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await cloudLog.waitFor((l) => l.includes('request completed') && l.includes(id));
    expect(JSON.parse(line)).toMatchObject({ request_id: id, res: { statusCode: 401 } });

    // No proxy is trusted here, so a client cannot choose its id.
    const chosen = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'chosen-by-client-1' } });
    expect(chosen.headers.get('x-request-id')).not.toBe('chosen-by-client-1');
  });

  it('reaches the desktop in connector frames, and the desktop logs it', async () => {
    await waitState((s) => s.accounts[0]?.connector === 'online');
    const [requestId] = desktopField('cloud-sync: connected to the cloud', 'requestId');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const attached = await cloudLog.waitFor((l) => l.includes('connector attached'));
    expect(JSON.parse(attached)).toMatchObject({ request_id: requestId });

    // A refused entry: the cloud's warning and the desktop's carry the same id.
    outbox.add(makeEntry({ message: 'broker said \u0000' }));
    await waitState((s) => (s.refusedEntries?.length ?? 0) === 1);
    expect(desktopField('cloud-sync: the cloud refused a journal entry; kept aside', 'requestId')).toEqual([
      requestId,
    ]);
    const refused = await cloudLog.waitFor((l) => l.includes('journal entries refused'));
    expect(JSON.parse(refused)).toMatchObject({ request_id: requestId });
  });
});
