import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncJournalPage } from '../../src-core/contracts/cloud-sync';
import { buildTestApp, createTestDatabase, tempDir, testConfig, unique } from '../../cloud/test/helpers';

// Kill the desktop process in the middle of a sync and start it again: every journal entry reaches the cloud,
// none twice, each at its final version.

const RUNNER = fileURLToPath(new URL('./desktop-runner.ts', import.meta.url));
const TRADES = 120;
let cloud: FastifyInstance;
let url: string;
const cloudDir = tempDir();
const desktopDir = tempDir();
const email = `crash-${unique()}@example.com`;
const password = 'crash test passphrase 123';

beforeAll(async () => {
  const db = await createTestDatabase('sqlite', cloudDir.path);
  cloud = await buildTestApp({ config: testConfig({ dataDir: cloudDir.path, databaseUrl: db.url }) });
  await cloud.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(cloud.server.address() as AddressInfo).port}`;
  const res = await cloud.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password },
  });
  expect(res.statusCode).toBe(201);
});

afterAll(async () => {
  await cloud.close();
  cloudDir.remove();
  desktopDir.remove();
});

interface Runner {
  readonly child: ChildProcess;
  /** Resolves with the first event line that matches. */
  until(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function run(mode: 'prepare' | 'resume'): Runner {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER], {
    env: {
      ...process.env,
      PD_CLOUD_URL: url,
      PD_DATA_DIR: desktopDir.path,
      PD_MODE: mode,
      PD_EMAIL: email,
      PD_PASSWORD: password,
      PD_TRADES: String(TRADES),
      PD_BATCH: '3',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  let waiters: {
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    events.push(event);
    const ready = waiters.filter((w) => w.match(event));
    waiters = waiters.filter((w) => !w.match(event));
    for (const w of ready) w.resolve(event);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    exited,
    until: (match) => {
      const known = events.find(match);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) => {
          reject(new Error(`desktop runner exited (${String(code)}) before the awaited event`));
        });
      });
    },
  };
}

async function cloudEntries(token: string, connectionId: string): Promise<string[]> {
  const all: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=200' : `?limit=200&cursor=${cursor}`;
    const res = await cloud.inject({
      url: `/api/v1/connections/${connectionId}/journal${query}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const page = SyncJournalPage.parse(res.json());
    all.push(...page.entries.map((e) => `${e.id}@${e.version}`));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return all;
}

describe('desktop killed mid-sync', () => {
  it('loses nothing and doubles nothing', async () => {
    const first = run('prepare');
    const traded = await first.until((e) => e['event'] === 'traded');
    expect(traded['local']).toBe(TRADES);
    const linked = await first.until((e) => e['event'] === 'linked');
    const connectionId = String(linked['connection_id']);
    // The first acknowledged batches: the outbox is part-drained. Kill -9, no goodbye.
    await first.until(
      (e) => e['event'] === 'state' && typeof e['unsynced'] === 'number' && e['unsynced'] < TRADES,
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const login = await cloud.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
    });
    const token = login.json<{ tokens: { access_token: string } }>().tokens.access_token;
    const atKill = await cloudEntries(token, connectionId);
    expect(atKill.length).toBeGreaterThan(0);
    expect(atKill.length).toBeLessThan(TRADES);

    const second = run('resume');
    const resumed = await second.until((e) => e['event'] === 'resumed');
    await second.until((e) => e['event'] === 'state' && e['unsynced'] === 0 && e['connector'] === 'online');
    second.child.kill('SIGTERM');
    await second.exited;

    const local = (resumed['ids'] as string[]).sort();
    expect(local).toHaveLength(TRADES);
    const stored = await cloudEntries(token, connectionId);
    expect(stored.sort()).toEqual(local);
  });
});
