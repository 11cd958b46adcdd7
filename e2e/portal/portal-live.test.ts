import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src-core/clock';
import { bridgeAccounts } from '../../src-main/services/cloud-sync/accounts-port';
import { CloudSync } from '../../src-main/services/cloud-sync/cloud-sync';
import { createMemoryTokenStore } from '../../src-main/services/cloud-sync/token-store';
import { startSimSetup, type SimSetup } from '../../src-main/services/testing/sim-setup';
import { RELAXED_EXECUTOR } from '../cloud-sync/relaxed';
import {
  ensurePortalBuilt,
  launchPortalBrowser,
  SCREENSHOTS,
  startCloud,
  type RunningCloud,
} from './fixtures';

// The portal showing a connection live: a desktop (trading services + the MT5 simulator + cloud sync) attached
// to the real cloud, the portal in Chromium, and a remote ticket that runs through the desktop's executor.

let cloud: RunningCloud;
let sim: SimSetup;
let sync: CloudSync;
let browser: Browser | undefined;
const email = `live-${Date.now().toString(36)}@example.com`;
const password = 'live portal passphrase 77';

beforeAll(async () => {
  ensurePortalBuilt();
  cloud = await startCloud({}, { sync: { orderTimeoutMs: 10_000, statusWriteIntervalMs: 0 } });
  const res = await fetch(`${cloud.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(201);
  // Deadlines for a loaded CI box (two test workers, Chromium, argon2): the fast test ones are too tight.
  sim = await startSimSetup({ executor: RELAXED_EXECUTOR });
  sync = new CloudSync({
    cloudUrl: cloud.url,
    db: sim.services.db,
    journal: sim.services.journal,
    executor: sim.services.executor,
    accounts: bridgeAccounts(sim.harness.server),
    tokens: createMemoryTokenStore(),
    logger: sim.logger,
    clock: systemClock,
    statusIntervalMs: 100,
  });
  expect((await sync.signIn(email, password)).ok).toBe(true);
  const key = sync.state().accounts[0]?.accountKey ?? '';
  expect((await sync.linkAccount(key)).ok).toBe(true);
  // Some history from the desktop: fills, and one refused by the risk limit (max lot 10).
  for (const [i, side] of (['buy', 'sell', 'buy'] as const).entries()) {
    expect(
      (
        await sim.services.executor.openMarket({
          symbol: 'EURUSD',
          side,
          volume: 0.1 * (i + 1),
          requestKey: `hist-${i}`,
        })
      ).ok,
    ).toBe(true);
  }
  await sim.services.executor.openMarket({
    symbol: 'GBPUSD',
    side: 'sell',
    volume: 0.25,
    requestKey: 'hist-gbp',
  });
  expect(
    (
      await sim.services.executor.openMarket({
        symbol: 'EURUSD',
        side: 'buy',
        volume: 25,
        requestKey: 'hist-big',
      })
    ).ok,
  ).toBe(false);
  browser = await launchPortalBrowser(cloud.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  sync.close();
  await sim.close();
  await cloud.close();
});

const shot = async (page: Page, name: string): Promise<void> => {
  await page.screenshot({ path: join(SCREENSHOTS, `portal-${name}.png`), fullPage: true });
};

// A budget, not a wait: under a load of 20-30 the page loads, live updates, a remote order's round trip through the
// desktop and three full-page screenshots take a few seconds each.
describe('portal: a live connection from the desktop', { timeout: 90_000 }, () => {
  it('shows live status and the synced journal, and runs a remote ticket once remote trading is on', async () => {
    if (browser === undefined) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${cloud.url}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/connections');

    const card = page.locator('a.conn-card');
    await expect.poll(() => card.getByTestId('presence').textContent()).toContain('Live');
    await expect.poll(() => card.textContent()).toMatch(/\$10,0\d\d\.\d\d|\$9,9\d\d\.\d\d/);
    await shot(page, 'connections');

    await card.click();
    await page.waitForURL('**/connections/*');
    await expect.poll(() => page.getByTestId('journal-row').count()).toBe(5);
    await expect.poll(() => page.getByTestId('remote-off').isVisible()).toBe(true);

    // The trader turns remote trading on at the desktop; the portal's ticket appears live.
    const key = sync.state().accounts[0]?.accountKey ?? '';
    expect(sync.setRemoteTrading(key, true).ok).toBe(true);
    await expect.poll(() => page.getByTestId('ticket').isVisible()).toBe(true);
    await page.getByLabel('Volume (lots)').fill('0.05');
    await page.getByLabel('Stop loss (pips)').fill('20');
    await page.getByRole('button', { name: /Buy 0\.05 EURUSD at market/ }).click();
    await expect.poll(() => page.getByTestId('ticket-outcome').textContent()).toMatch(/Done\./);

    // The remote order shows in the journal (live, through the desktop's sync), marked as remote.
    await expect.poll(() => page.getByTestId('journal-row').filter({ hasText: 'Remote' }).count()).toBe(1);
    const local = sim.services.journal.query({ limit: 50 }).entries.filter((e) => e.origin === 'remote');
    expect(local).toHaveLength(1);
    await shot(page, 'connection');

    // Filters: only the refused one.
    await page.getByLabel('State').selectOption('rejected,failed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('journal-row').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.getByTestId('journal-row').count()).toBe(6);

    await page.getByRole('button', { name: 'Dark' }).click();
    await shot(page, 'connection-dark');
    await context.close();
  });
});
