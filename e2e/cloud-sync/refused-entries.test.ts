import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudState } from '../../src-core/contracts/ipc-cloud';
import type { JournalEntry, OutboxItem } from '../../src-core/contracts/journal';
import { buildTestApp, createTestDatabase, tempDir, testConfig, unique } from '../../cloud/test/helpers';
import { makeEntry } from '../../cloud/src/routes/sync/testing/test-kit';
import { systemClock } from '../../src-core/clock';
import { openDatabase } from '../../src-main/services/database';
import { silentLogger } from '../../src-core/logger';
import type { AccountsPort } from '../../src-main/services/cloud-sync/accounts-port';
import { CloudSync, type OutboxPort } from '../../src-main/services/cloud-sync/cloud-sync';
import { createMemoryTokenStore } from '../../src-main/services/cloud-sync/token-store';

// The desktop's cloud sync against a real cloud when one journal entry can never be taken: the cloud refuses
// it with a reason, the desktop moves it aside (listed in the cloud state that Settings → Cloud shows) and
// every other entry, before and after it, still syncs.

const KEY = '51234567@Exness-MT5Trial7';

/** An outbox in memory with the journal's semantics: items stay until marked synced. */
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
    { key: KEY, login: '51234567', server: 'Exness-MT5Trial7', company: 'Exness', isConnected: true },
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

let cloud: FastifyInstance;
let sync: CloudSync;
const dir = tempDir();
const outbox = new MemoryOutbox();
let drop: () => Promise<void>;

beforeAll(async () => {
  const db = await createTestDatabase('postgres', dir.path);
  drop = db.drop;
  cloud = await buildTestApp({ config: testConfig({ dataDir: dir.path, databaseUrl: db.url }) });
  await cloud.listen({ port: 0, host: '127.0.0.1' });
  const email = `refused-${unique()}@example.com`;
  const registered = await cloud.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: 'refused entries passphrase' },
  });
  expect(registered.statusCode).toBe(201);
  sync = new CloudSync({
    cloudUrl: `http://127.0.0.1:${(cloud.server.address() as AddressInfo).port}`,
    db: openDatabase(join(dir.path, 'desktop.db')),
    journal: outbox,
    executor: { execute: () => Promise.reject(new Error('no orders in this test')) },
    accounts,
    tokens: createMemoryTokenStore(),
    logger: silentLogger,
    clock: systemClock,
    backoff: { baseMs: 50, maxMs: 400 },
  });
  const signed = await sync.signIn(email, 'refused entries passphrase');
  expect(signed.ok).toBe(true);
  expect((await sync.linkAccount(KEY)).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  sync.close();
  await cloud.close();
  await drop();
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

describe('desktop cloud sync with an entry the cloud refuses', () => {
  it('moves the refused entry aside with its reason and keeps syncing the others', async () => {
    const good1 = makeEntry();
    const bad = makeEntry({ symbol: 'EURUSD', message: 'broker said \u0000' });
    const good2 = makeEntry();
    outbox.add(good1);
    outbox.add(bad);
    outbox.add(good2);
    const state = await waitState((s) => s.unsyncedEntries === 0 && (s.refusedEntries?.length ?? 0) === 1);
    expect(state.refusedEntries?.[0]).toMatchObject({
      entryId: bad.id,
      accountKey: KEY,
      symbol: 'EURUSD',
      operation: 'open_market',
      reason: expect.stringMatching(/^payload\.message: .*NUL/) as string,
    });

    // Sync goes on: a later entry is taken too, and the refused one is not sent again.
    const good3 = makeEntry();
    outbox.add(good3);
    await waitState((s) => s.unsyncedEntries === 0);
    const connectionId = sync.state().accounts[0]?.connectionId ?? '';
    const rows = await cloud.cloud.db.kysely
      .withTables<{ sync_journal: { connection_id: string; entry_id: string } }>()
      .selectFrom('sync_journal')
      .select('entry_id')
      .where('connection_id', '=', connectionId)
      .execute();
    expect(rows.map((r) => r.entry_id).sort()).toEqual([good1.id, good2.id, good3.id].sort());
    expect(sync.state().refusedEntries).toHaveLength(1);
  });
});
