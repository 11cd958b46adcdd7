import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestConnector, snapshot } from '../../cloud/src/routes/sync/testing/test-kit';
import {
  ensurePortalBuilt,
  launchPortalBrowser,
  SCREENSHOTS,
  startCloud,
  type RunningCloud,
} from './fixtures';

// A desktop on its paper account reports `is_paper` in its status: the portal must never show those numbers as
// the broker's. A connector speaking the real protocol over a real WebSocket stands in for the desktop.

let cloud: RunningCloud;
let browser: Browser | undefined;
let connector: TestConnector | undefined;
const email = `paper-${Date.now().toString(36)}@example.com`;
const password = 'paper portal passphrase 51';
let connectionId = '';

beforeAll(async () => {
  ensurePortalBuilt();
  cloud = await startCloud({}, { sync: { statusWriteIntervalMs: 0 } });
  const registered = await fetch(`${cloud.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(registered.status).toBe(201);
  const token = ((await registered.json()) as { tokens: { access_token: string } }).tokens.access_token;
  const created = await fetch(`${cloud.url}/api/v1/connections`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'Practice', broker_server: 'Exness-MT5Trial7', account_login: '51234567' }),
  });
  expect(created.status).toBe(201);
  connectionId = ((await created.json()) as { id: string }).id;
  connector = await TestConnector.open(cloud.url, token, connectionId);
  browser = await launchPortalBrowser(cloud.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await connector?.close();
  await cloud.close();
});

describe('portal: a desktop on its paper account', () => {
  it('marks the connection PAPER in the list and on its page, and drops the mark when the desktop is back on live', async () => {
    if (browser === undefined || connector === undefined) throw new Error('not started');
    connector.send(snapshot(10_000, { is_paper: true }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${cloud.url}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/connections');

    const card = page.locator('a.conn-card');
    await expect.poll(() => card.getByTestId('paper-badge').textContent()).toBe('PAPER');
    await card.click();
    await page.waitForURL(`**/connections/${connectionId}`);
    await expect.poll(() => page.getByTestId('paper-badge').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'portal-paper.png'), fullPage: true });

    // Back on the live account: the next status has no is_paper, and the mark goes at once.
    connector.send(snapshot(10_050));
    await expect.poll(() => page.getByTestId('paper-badge').count()).toBe(0);
    await context.close();
  });
});
