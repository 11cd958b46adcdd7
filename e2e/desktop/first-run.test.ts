import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Settings } from '../../src-core/contracts/ipc';
import { launchChromium } from '../chromium';
import { startDesktopFixture, type DesktopFixture } from '../fixtures/desktop';
import { seriousAxeFindings } from './axe';
import { SCREENSHOT_DIR, STEP_TIMEOUT_MS } from './harness';

/**
 * A fresh install with no MT5 terminal (docs/user-guide.md, First run): the app says where to start, the demo
 * starts from there, and one-click trading asks once, with its warning, before it turns on.
 */
// A budget, not a wait: the first two tests each run axe-core (seconds on a loaded machine), take a screenshot and
// go through several keyboard steps; under a load of 20-30 on two cores that is more than Vitest's 30 s default.
describe('first run', { timeout: 90_000 }, () => {
  let fx: DesktopFixture;
  let browser: Browser;
  let page: Page;
  const activeTestId = (): Promise<string | null> =>
    page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
  const isFocusInside = (testId: string): Promise<boolean> =>
    page.evaluate(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.contains(document.activeElement) ?? false,
      testId,
    );

  const storedSettings = async (): Promise<Settings> => {
    const answer = await fx.app.dispatcher.invoke('settings:get', {}, { via: 'e2e' });
    if (!answer.ok) throw new Error(answer.error.message);
    return Settings.parse(answer.value);
  };

  beforeAll(async () => {
    fx = await startDesktopFixture({ simulator: false, requireRenderer: true });
    const set = await fx.app.dispatcher.invoke('settings:set', { patch: { theme: 'dark' } }, { via: 'e2e' });
    if (!set.ok) throw new Error(set.error.message);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'dark' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await page.goto(fx.url);
    await page.locator('[data-testid="bridge-state"][data-state="disconnected"]').waitFor();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser.close();
    await fx.stop();
  });

  it('says where to start: connect the EA (the installer) or start the demo', async () => {
    const card = page.getByTestId('getting-started');
    await card.waitFor();
    expect(await card.textContent()).toMatch(/Install the EA/);
    expect(await card.textContent()).toMatch(/Start demo/);
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'desktop-first-run.png') });

    // Keyboard only: the install step opens Settings at the installer; Escape returns to where the trader was.
    await page.getByTestId('getting-started-install').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('settings').waitFor();
    await expect.poll(activeTestId).toBe('installer-find');
    await page.keyboard.press('Escape');
    await page.getByTestId('settings').waitFor({ state: 'detached' });
    expect(await activeTestId()).toBe('getting-started-install');

    await page.getByTestId('getting-started-demo').click();
    await page.locator('[data-testid="bridge-state"][data-state="demo"]').waitFor();
    await card.waitFor({ state: 'detached' });
  });

  it('warns once before one-click trading turns on, and remembers it was read', async () => {
    const toggle = page.getByTestId('oneclick-toggle');
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click();
    const warning = page.getByTestId('one-click-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/no confirmation/i);
    // Focus starts on the safe answer and stays in the dialog.
    expect(await activeTestId()).toBe('one-click-warning-cancel');
    for (let i = 0; i < 5; i += 1) {
      await page.keyboard.press('Tab');
      expect(await isFocusInside('one-click-warning')).toBe(true);
    }
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'desktop-one-click-warning.png') });

    await page.keyboard.press('Escape');
    await warning.waitFor({ state: 'detached' });
    expect(await activeTestId()).toBe('oneclick-toggle');
    expect(await toggle.isChecked()).toBe(false);
    expect((await storedSettings()).isOneClickEnabled).toBe(false);

    await toggle.click();
    await page.getByTestId('one-click-warning-ok').click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    expect(await storedSettings()).toMatchObject({
      isOneClickEnabled: true,
      isOneClickRiskAcknowledged: true,
    });

    // Read once: off and on again, after a reload too, without the warning.
    await page.reload();
    await page.locator('[data-testid="bridge-state"][data-state="demo"]').waitFor();
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    expect(await warning.count()).toBe(0);
  });

  it('does not cover the chart again when the terminal it had goes away: the status bar says so', async () => {
    const stopped = await fx.app.dispatcher.invoke('demo:stop', {}, { via: 'e2e' });
    if (!stopped.ok) throw new Error(stopped.error.message);
    await page.locator('[data-testid="bridge-state"][data-state="disconnected"]').waitFor();
    // The card and the status bar read the same store update, so the card would be there by now.
    expect(await page.getByTestId('getting-started').count()).toBe(0);
  });
});
