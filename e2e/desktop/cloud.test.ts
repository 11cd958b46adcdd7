import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  createTestDatabase,
  freePort,
  tempDir,
  testConfig,
  unique,
} from '../../cloud/test/helpers';
import { ConnectionStatus } from '../../src-core/contracts/cloud-sync';
import { SCREENSHOT_DIR, startDesktop, type DesktopHarness } from './harness';

// Settings → Cloud in Chromium, against a real cloud (build() on a free port, SQLite in a temp dir): sign in with
// a TOTP code, register the simulator's account, see it in the cloud's API, switch remote trading, a session
// revoked from elsewhere, sign out.

const email = `desk-ui-${unique()}@example.com`;
const password = 'settings sign-in passphrase 7';
const dir = tempDir();
let cloud: FastifyInstance;
let cloudUrl: string;
let h: DesktopHarness;
let totp: TOTP;
let recoveryCodes: string[];

async function api<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${cloudUrl}/api/v1${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

interface LoginAnswer {
  tokens: { access_token: string };
}

/** A portal-side sign-in of the same user (a second session); `code` is a TOTP or recovery code. */
async function portalToken(code: string): Promise<string> {
  const answer = await api<LoginAnswer>('POST', '/auth/login', undefined, {
    email,
    password,
    totp_code: code,
  });
  return answer.tokens.access_token;
}

beforeAll(async () => {
  const db = await createTestDatabase('sqlite', dir.path);
  cloud = await buildTestApp({
    config: testConfig({ dataDir: dir.path, databaseUrl: db.url }),
    sync: { statusWriteIntervalMs: 0 },
  });
  const port = await freePort();
  await cloud.listen({ port, host: '127.0.0.1' });
  cloudUrl = `http://127.0.0.1:${port}`;

  // The user exists and has two-factor sign-in on, set up through the API as the portal would.
  const registered = await api<LoginAnswer>('POST', '/auth/register', undefined, { email, password });
  const token = registered.tokens.access_token;
  const setup = await api<{ secret: string }>('POST', '/auth/2fa/setup', token, {});
  totp = new TOTP({ secret: Secret.fromBase32(setup.secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const enabled = await api<{ recovery_codes: string[] }>('POST', '/auth/2fa/enable', token, {
    code: totp.generate(),
  });
  recoveryCodes = enabled.recovery_codes;

  h = await startDesktop({ cloudUrl, tickMs: 0 });
}, 60_000);

afterAll(async () => {
  await h.close();
  await cloud.close();
  dir.remove();
});

describe('Settings → Cloud', () => {
  it('signs in with a TOTP code, registers the account, switches remote trading, survives a revoke, signs out', async () => {
    const { page } = h;
    const chip = page.getByTestId('cloud-state');
    await page.locator('[data-testid="cloud-state"][data-state="signed-out"]').waitFor();
    expect(await chip.textContent()).toContain('not signed in');

    await page.getByTestId('open-settings').click();
    const section = page.getByTestId('cloud');
    await section.waitFor();
    expect(await section.textContent()).toContain(cloudUrl);
    // The web host keeps the sign-in in a 0600 file, and says so.
    expect(await page.getByTestId('cloud-storage').textContent()).toMatch(/readable only by your user/);

    // A wrong password is refused in place, in words.
    await page.getByTestId('cloud-email').fill(email);
    await page.getByTestId('cloud-password').fill('not the password at all');
    await page.getByTestId('cloud-sign-in').click();
    const signInError = page.getByTestId('cloud-sign-in-error');
    await signInError.waitFor();
    expect(await signInError.textContent()).toMatch(/\w+ \w+/);
    await expect.poll(() => page.getByTestId('cloud-totp').count()).toBe(0);

    // The right password: the cloud answers totp_required and the form asks for the code.
    await page.getByTestId('cloud-password').fill(password);
    await page.getByTestId('cloud-sign-in').click();
    await page.getByTestId('cloud-totp').waitFor();
    await expect.poll(() => signInError.count()).toBe(0);
    // The enrolment used this window's code; a code is good once, so take the next window's.
    await page.getByTestId('cloud-totp').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByTestId('cloud-sign-in').click();
    await page.getByTestId('cloud-signed-in').waitFor();
    expect(await page.getByTestId('cloud-signed-in').textContent()).toContain(email);
    await expect.poll(() => chip.getAttribute('data-state')).toBe('signed-in');
    expect(await chip.textContent()).toContain(email);

    // The simulator's account is listed, not in the cloud until the user confirms.
    const row = page.getByTestId('cloud-account').first();
    const accountKey = (await row.getAttribute('data-account')) ?? '';
    const [login, server] = accountKey.split('@');
    expect(login).toMatch(/^\d+$/);
    expect(await row.getByTestId('cloud-connector').getAttribute('data-state')).toBe('not_linked');
    await row.getByTestId('cloud-link').click();
    const confirm = row.getByTestId('cloud-link-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain(`${login} @ ${server}`);
    // Cancel leaves it as it was.
    await row.getByTestId('cloud-link-no').click();
    await expect.poll(() => confirm.count()).toBe(0);
    await row.getByTestId('cloud-link').click();
    await row.getByTestId('cloud-link-yes').click();
    await page.locator('[data-testid="cloud-connector"][data-state="online"]').waitFor();
    const remote = row.getByTestId('cloud-remote-trading');
    expect(await remote.isChecked()).toBe(false);

    // The cloud has the connection, online, remote trading off.
    // Each TOTP window's code is good once and both were used: the portal signs in with a recovery code.
    const portal = await portalToken(recoveryCodes[1] ?? '');
    const list = await api<{ connections: { id: string; account_login: string; broker_server: string }[] }>(
      'GET',
      '/connections',
      portal,
    );
    const connection = list.connections.find((c) => c.account_login === login && c.broker_server === server);
    expect(connection).toBeDefined();
    const id = connection?.id ?? '';
    const status = async (): Promise<ConnectionStatus> =>
      ConnectionStatus.parse(await api('GET', `/connections/${id}/status`, portal));
    await expect.poll(async () => (await status()).online).toBe(true);
    expect((await status()).remote_trading).toBe(false);

    // Remote trading on: the cloud learns it at once; off again.
    await remote.click();
    await expect.poll(() => remote.isChecked()).toBe(true);
    await expect.poll(async () => (await status()).remote_trading).toBe(true);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await h.screenshot('desktop-cloud', { isForDocs: true });
    await remote.click();
    await expect.poll(async () => (await status()).remote_trading).toBe(false);

    // The desktop's session is revoked from the portal: the app signs out and says why.
    const sessions = await api<{ sessions: { id: string; current: boolean }[] }>(
      'GET',
      '/auth/sessions',
      portal,
    );
    for (const s of sessions.sessions.filter((x) => !x.current)) {
      await api('DELETE', `/auth/sessions/${s.id}`, portal);
    }
    await page.getByTestId('cloud-notice').waitFor();
    expect(await page.getByTestId('cloud-notice').textContent()).toMatch(/session ended/i);
    await expect.poll(() => chip.getAttribute('data-state')).toBe('ended');
    await h.screenshot('desktop-cloud-revoked');

    // Signing in again (with a recovery code this time) keeps the link; then sign out.
    await page.getByTestId('cloud-password').fill(password);
    await page.getByTestId('cloud-sign-in').click();
    await page.getByTestId('cloud-totp').waitFor();
    await page.getByTestId('cloud-totp').fill(recoveryCodes[0] ?? '');
    await page.getByTestId('cloud-sign-in').click();
    await page.getByTestId('cloud-signed-in').waitFor();
    await expect.poll(() => page.getByTestId('cloud-notice').count()).toBe(0);
    await page.locator('[data-testid="cloud-connector"][data-state="online"]').waitFor();

    await page.getByTestId('cloud-sign-out').click();
    await page.getByTestId('cloud-sign-in-form').waitFor();
    await expect.poll(() => chip.getAttribute('data-state')).toBe('signed-out');
    expect(h.app.cloud.state().status).toBe('signed_out');
    await expect.poll(async () => (await status()).online).toBe(false);
  });
});
