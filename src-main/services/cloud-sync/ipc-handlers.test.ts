import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudIpcChannels, CloudState } from '../../../src-core/contracts/ipc-cloud';
import { systemClock } from '../../../src-core/clock';
import { openDatabase } from '../database';
import { Journal } from '../journal';
import { createMemoryLogger } from '../../../src-core/logger';
import type { AccountsPort } from './accounts-port';
import { CloudSync } from './cloud-sync';
import { cloudIpcHandlers } from './ipc-handlers';
import { createMemoryTokenStore } from './token-store';

// The cloud IPC surface without a cloud: requests are validated by the contract, state answers offline, and
// calls that need the cloud fail with plain codes. (Signed-in flows run in e2e/cloud-sync against the real cloud.)
const dir = mkdtempSync(join(tmpdir(), 'pipdesk-cloud-ipc-'));
const db = openDatabase(join(dir, 'pipdesk.db'));
const journal = new Journal(db, systemClock);
const accounts: AccountsPort = {
  accounts: () => [
    { key: '5001@Demo', login: '5001', server: 'Demo', company: undefined, isConnected: true },
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
  activeAccount: () => '5001@Demo',
};
const sync = new CloudSync({
  // Nothing listens on port 9: every cloud call fails fast as unreachable.
  cloudUrl: 'http://127.0.0.1:9',
  db,
  journal,
  executor: { execute: () => Promise.reject(new Error('not used')) },
  accounts,
  tokens: createMemoryTokenStore(),
  logger: createMemoryLogger(),
  clock: systemClock,
});
const handlers = cloudIpcHandlers(sync);

afterAll(() => {
  sync.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cloud IPC', () => {
  it('answers the state signed out, with the accounts the bridge sees, not linked, remote trading off', async () => {
    const answer = await handlers['cloud:get-state']({});
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(CloudState.parse(answer.value)).toMatchObject({
      status: 'signed_out',
      accounts: [{ accountKey: '5001@Demo', connector: 'not_linked', isRemoteTradingOn: false }],
    });
  });

  it('refuses bad requests at the contract', () => {
    const signIn = cloudIpcChannels['cloud:sign-in'].request;
    expect(signIn.safeParse({ email: 'a@b.c', password: 'x' }).success).toBe(true);
    for (const bad of [
      {},
      { email: 'a@b.c' },
      { email: 'a@b.c', password: '' },
      { email: 'a@b.c', password: 'x', extra: 1 },
      { email: 'a@b.c', password: 'x', totpCode: '12' },
    ]) {
      expect(signIn.safeParse(bad).success).toBe(false);
    }
    expect(
      cloudIpcChannels['cloud:set-remote-trading'].request.safeParse({ accountKey: 'a@b', isOn: 'yes' })
        .success,
    ).toBe(false);
  });

  it('fails with plain codes when the cloud is unreachable or nothing is linked', async () => {
    const signIn = await handlers['cloud:sign-in']({ email: 'a@b.c', password: 'x' });
    expect(signIn).toMatchObject({ ok: false, error: { code: 'CLOUD_UNREACHABLE' } });
    expect(await handlers['cloud:link-account']({ accountKey: '5001@Demo' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_SIGNED_IN' },
    });
    expect(await handlers['cloud:set-remote-trading']({ accountKey: '5001@Demo', isOn: true })).toMatchObject(
      {
        ok: false,
        error: { code: 'ACCOUNT_NOT_LINKED' },
      },
    );
    expect((await handlers['cloud:sign-out']({})).ok).toBe(true);
  });
});
