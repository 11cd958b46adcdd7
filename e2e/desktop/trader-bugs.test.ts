import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../chromium';
import { startDesktop, type DesktopHarness } from './harness';

// One browser for the file's blocks (one per window size), each in its own context: a browser's start and first
// page are the dearest part of a block on a loaded machine.
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

/** The window sizes a trader's desk has: a small laptop, a common laptop, a full HD monitor. */
const SIZES = [
  { width: 1024, height: 640 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

/**
 * Regression specs for what a trader met in a first session (docs/user-guide.md), each at every window size.
 * Each `it` names the behaviour it holds; the simulator stands in for MT5.
 */
describe.each(SIZES)('a trader’s first session at $width×$height', (size) => {
  let h: DesktopHarness;

  beforeAll(async () => {
    h = await startDesktop({
      tickMs: 0,
      viewport: size,
      reconnect: false,
      watchlist: ['EURUSD', 'XAUUSD'],
      browser,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('never shows a notice again once a newer one has timed out (no stale "Bought" after a close)', async () => {
    const { page } = h;
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.20');
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    const ticket = ((await row.getAttribute('data-testid')) ?? '').replace('position-', '');
    await page.getByTestId(`position-close-${ticket}`).click();
    await row.waitFor({ state: 'detached' });
    const notices = page.getByTestId('notices');
    await expect.poll(() => notices.textContent()).toMatch(/clos/i);
    // The close notice times out (5 s); nothing older may take its place.
    await expect.poll(() => notices.textContent()).not.toMatch(/clos/i);
    expect(await notices.textContent()).not.toMatch(/Bought/);
  });

  it('keeps typed SL/TP when the ticket switches from pips to price, converted', async () => {
    const { page } = h;
    await page.getByTestId('ticket-symbol').selectOption('EURUSD');
    await page.getByTestId('ticket-mode-market').click();
    await page.getByTestId('ticket-stop-unit-pips').click();
    await page.getByTestId('ticket-side-buy').click();
    await page.getByTestId('ticket-sl').fill('20');
    await page.getByTestId('ticket-tp').fill('40');
    const ask = Number(await page.getByTestId('ticket-ask').textContent());
    await page.getByTestId('ticket-stop-unit-price').click();
    expect(await page.getByTestId('ticket-sl').inputValue()).toBe((ask - 0.002).toFixed(5));
    expect(await page.getByTestId('ticket-tp').inputValue()).toBe((ask + 0.004).toFixed(5));
    await page.getByTestId('ticket-stop-unit-pips').click();
    expect(await page.getByTestId('ticket-sl').inputValue()).toBe('20');
  });

  it('flags a stop loss on the wrong side before any confirmation, with the send button disabled', async () => {
    const { page } = h;
    await page.getByTestId('ticket-stop-unit-price').click();
    const bid = Number(await page.getByTestId('ticket-bid').textContent());
    await page.getByTestId('ticket-sl').fill((bid + 0.001).toFixed(5));
    await page.getByTestId('ticket-tp').fill('');
    await expect
      .poll(() => page.getByTestId('ticket-problems').textContent())
      .toMatch(/Stop loss must be below/);
    expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);
    await page.getByTestId('ticket-sl').fill('');
  });

  it('clears a one-click error once the field is corrected, without moving the other panels', async () => {
    const { page } = h;
    const other = page.getByTestId('oneclick-XAUUSD');
    const before = await other.boundingBox();
    await page.getByTestId('oneclick-volume-EURUSD').fill('abc');
    await page.getByTestId('buy-EURUSD').click();
    await page.getByTestId('oneclick-error-EURUSD').waitFor();
    expect(await other.boundingBox()).toEqual(before);
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.10');
    await page.getByTestId('oneclick-error-EURUSD').waitFor({ state: 'detached' });
  });

  it('says 0.001 lots as typed, never "0.00", and keeps one-click fields over a reload', async () => {
    const { page } = h;
    await page.getByTestId('ticket-volume').fill('0.001');
    await expect.poll(() => page.getByTestId('ticket-submit').textContent()).toContain('0.001 EURUSD');
    await page.getByTestId('ticket-volume').fill('0.10');
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.37');
    await page.getByTestId('oneclick-sl-EURUSD').fill('12');
    await page.reload();
    await page.getByTestId('oneclick-volume-EURUSD').waitFor();
    await expect.poll(() => page.getByTestId('oneclick-volume-EURUSD').inputValue()).toBe('0.37');
    expect(await page.getByTestId('oneclick-sl-EURUSD').inputValue()).toBe('12');
    await page.getByTestId('oneclick-sl-EURUSD').fill('');
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.10');
  });

  it('closes the settings sheet with Escape and keeps Tab inside it', async () => {
    const { page } = h;
    await page.getByTestId('open-settings').click();
    const sheet = page.getByTestId('settings');
    await sheet.waitFor();
    for (let i = 0; i < 60; i += 1) {
      await page.keyboard.press('Tab');
      const isInside = await page.evaluate(
        () => document.querySelector('[data-testid="settings"]')?.contains(document.activeElement) ?? false,
      );
      expect(isInside).toBe(true);
    }
    await page.keyboard.press('Shift+Tab');
    expect(
      await page.evaluate(
        () => document.querySelector('[data-testid="settings"]')?.contains(document.activeElement) ?? false,
      ),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
  });

  it('fits the market watch in its panel (no sideways scrollbar) and finds a listed symbol', async () => {
    const { page } = h;
    const overflow = await page.evaluate(() => {
      const scroll = document.querySelector('[data-testid="market-watch"] .table-scroll');
      return scroll === null ? -1 : scroll.scrollWidth - scroll.clientWidth;
    });
    expect(overflow).toBe(0);
    const pageOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(pageOverflow).toBe(0);
    await page.getByTestId('symbol-search').fill('XAU');
    await page.getByTestId('symbol-add-XAUUSD').click();
    await expect
      .poll(() => page.locator('[data-testid="market-watch"] tr.selected').textContent())
      .toContain('XAUUSD');
  });

  it('focuses the SL input on a double-click, with the columns where they were', async () => {
    const { page } = h;
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    const ticket = ((await row.getAttribute('data-testid')) ?? '').replace('position-', '');
    const priceCell = page.getByTestId(`position-price-${ticket}`);
    const before = await priceCell.boundingBox();
    await page.getByTestId(`position-tp-${ticket}`).dblclick();
    const input = page.getByTestId(`position-tp-input-${ticket}`);
    await input.waitFor();
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    const after = await priceCell.boundingBox();
    expect(Math.abs((after?.x ?? 0) - (before?.x ?? 0))).toBeLessThanOrEqual(1);
    await page.keyboard.press('Escape');
    await page.getByTestId(`position-close-${ticket}`).click();
    await row.waitFor({ state: 'detached' });
  });

  it('says positions are unknown while the link is down, not "(0)"', async () => {
    const { page } = h;
    h.sim.drop();
    await expect.poll(() => page.getByTestId('tab-positions').textContent()).toBe('Positions (?)');
    await page.getByTestId('positions-unknown').waitFor();
    h.sim.connect();
    await expect.poll(() => page.getByTestId('tab-positions').textContent()).toBe('Positions (0)');
    await h.screenshot(`desktop-main-${size.width}x${size.height}`);
  });
});
