import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Settings } from '../../src-core/contracts/ipc';
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

/** Money as the History tab and the account bar show it ("+1,234.50 USD", "-3.00 USD") → a number. */
const moneyOf = (text: string | null): number => Number((text ?? '').replace(/[^\d.-]/g, ''));

/**
 * History, P/L and notifications (docs/ui.md, "History, P/L and notifications"), at every window size: a position
 * partly closed by the trader and then stopped out by its stop loss, which the simulated trade server triggers by
 * itself when its price crosses the stop.
 */
describe.each(SIZES)('history and notifications at $width×$height', (size) => {
  let h: DesktopHarness;
  let ticket = '';

  beforeAll(async () => {
    h = await startDesktop({
      tickMs: 0,
      viewport: size,
      reconnect: false,
      watchlist: ['EURUSD', 'XAUUSD'],
      browser,
    });
    // The browser's Notification API is what the web host uses for OS notifications: allow it and record each.
    await h.page.context().grantPermissions(['notifications']);
    await h.page.addInitScript(() => {
      const shown: string[] = [];
      const Real = window.Notification;
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(title);
        }
      }
      Object.defineProperty(window, 'pipdeskShownNotifications', { value: shown });
      window.Notification = Recorded;
    });
    await h.page.reload();
    await h.page.locator('[data-testid="bridge-state"][data-state="demo"]').waitFor();
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
  });
  afterAll(async () => {
    await h.close();
  });

  const shownNotifications = (): Promise<string[]> =>
    h.page.evaluate(() => [
      ...(window as unknown as { pipdeskShownNotifications: string[] }).pipdeskShownNotifications,
    ]);

  it('shows pips and the floating P/L total for an open position', async () => {
    const { page } = h;
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.20');
    await page.getByTestId('oneclick-sl-EURUSD').fill('20');
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    ticket = ((await row.getAttribute('data-testid')) ?? '').replace('position-', '');
    h.sim.setPrice('EURUSD', 1.1011, 1.1012);
    await expect.poll(() => page.getByTestId(`position-pips-${ticket}`).textContent()).toBe('10.0');
    await expect
      .poll(async () => moneyOf(await page.getByTestId('positions-floating').textContent()))
      .toBe(20);
  });

  it('lists a partial close and a stop-loss hit made by the trade server, with a notice and an OS notification', async () => {
    const { page } = h;
    await page.getByTestId(`position-partial-${ticket}`).click();
    await page.getByTestId(`position-partial-volume-${ticket}`).fill('0.05');
    await page.getByTestId(`position-partial-close-${ticket}`).click();
    await expect.poll(() => page.getByTestId(`position-volume-${ticket}`).textContent()).toBe('0.15');
    // The price falls through the stop (1.10010 − 20 pips = 1.09810): the simulator closes the rest by itself.
    h.sim.setPrice('EURUSD', 1.098, 1.0981);
    await page.getByTestId(`position-${ticket}`).waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('notices').textContent()).toMatch(/Stop loss hit on EURUSD/);
    await expect.poll(shownNotifications).toContain('Stop loss hit on EURUSD');

    await page.getByTestId('tab-history').click();
    const rows = page.locator(`tr[data-testid^="history-row-"][data-position="${ticket}"]`);
    await expect.poll(() => rows.count()).toBe(2);
    const reasons = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-reason')));
    expect(reasons).toEqual(['sl', 'expert']);
    expect(await rows.nth(1).getByTestId('history-closed-by').textContent()).toContain('partial');
    expect(await page.getByTestId('history-close-time-header').textContent()).toBe('Closed (server)');
  });

  it('adds up the filter, per day, and the account bar’s day P/L the same way', async () => {
    const { page } = h;
    await page.getByTestId('history-period').selectOption('today');
    const profits = await page
      .locator('[data-testid^="history-profit-"]')
      .evaluateAll((tds) => tds.map((td) => td.textContent));
    const sum = Math.round(profits.map(moneyOf).reduce((a, b) => a + b, 0) * 100) / 100;
    expect(sum).toBeLessThan(0);
    expect(await page.getByTestId('history-total-trades').textContent()).toBe(String(profits.length));
    expect(moneyOf(await page.getByTestId('history-total-net').textContent())).toBe(sum);
    expect(moneyOf(await page.getByTestId('account-day-pnl').textContent())).toBe(sum);
    await page.getByTestId('history-view-day').click();
    const perDay = page.locator('[data-testid^="history-period-"]');
    expect(await perDay.count()).toBe(1);
    expect(await perDay.first().textContent()).toContain(String(profits.length));
    await page.getByTestId('history-view-trades').click();
    await page.getByTestId('history-symbol').selectOption('EURUSD');
    expect(await page.getByTestId('history-total-trades').textContent()).toBe(String(profits.length));
    await page.getByTestId('history-symbol').selectOption('');
    await page.getByTestId('history-period').selectOption('custom');
    await page.getByTestId('history-from').fill('2020-01-01');
    await page.getByTestId('history-to').fill('2020-01-31');
    await page.getByTestId('history-empty').waitFor();
    expect(await page.getByTestId('history-total-trades').textContent()).toBe('0');
    await page.getByTestId('history-period').selectOption('today');
  });

  it('exports the filter as CSV with quoting and the account currency’s decimals', async () => {
    const { page } = h;
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('history-export').click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^pipdesk-history-\d+-\d{4}-\d{2}-\d{2}\.csv$/);
    const path = await file.path();
    const lines = (await readFile(path, 'utf8')).split('\r\n');
    expect(lines[0]).toBe(
      'Position,Deal,Symbol,Side,Volume,Open time (server),Open price,Close time (server),Close price,Closed by,' +
        'Pips,Commission (USD),Swap (USD),Profit (USD),Net (USD),Comment',
    );
    const mine = lines.filter((l) => l.startsWith(`${ticket},`));
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatch(
      /,EURUSD,buy,0\.15,.*,stop loss,-?\d+\.\d,-?\d+\.\d{2},-?\d+\.\d{2},-\d+\.\d{2},-\d+\.\d{2},/,
    );
    expect(mine[1]).toContain(',Pipdesk/EA (partial),');
    expect(lines.at(-1)).toBe('');
  });

  it('shows the stop-loss close in the journal, linked to its History row', async () => {
    const { page } = h;
    await page.getByTestId('tab-journal').click();
    const close = page.locator('tr[data-operation="terminal_close"]').first();
    await close.waitFor();
    expect(await close.textContent()).toContain(`Position #${ticket} closed by the trade server`);
    await close.getByRole('button', { name: 'Show in History' }).click();
    await page.locator('tr.focused[data-reason="sl"]').waitFor();
    await h.screenshot(`desktop-history-${size.width}x${size.height}`, { isForDocs: true });
    // The History tab fits the window: no page-wide horizontal scroll.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('says nothing once the switches for stop-loss hits are off', async () => {
    const { page } = h;
    await page.getByTestId('open-settings').click();
    await page.getByTestId('notify-stopHit-isInApp').click();
    await page.getByTestId('notify-stopHit-isDesktop').click();
    // Stored, not just ticked: both switches read back off from main.
    await expect
      .poll(async () => {
        const answer = await h.app.dispatcher.invoke('settings:get', {}, { via: 'e2e' });
        return answer.ok ? Settings.parse(answer.value).notifications.stopHit : null;
      })
      .toMatchObject({ isInApp: false, isDesktop: false });
    await page.keyboard.press('Escape');
    const before = (await shownNotifications()).length;
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]');
    await page.getByTestId('tab-positions').click();
    await row.first().waitFor();
    const second = ((await row.first().getAttribute('data-testid')) ?? '').replace('position-', '');
    await expect.poll(() => page.getByTestId('notices').textContent()).toMatch(/Bought/);
    h.sim.setPrice('EURUSD', 1.098, 1.0981);
    // The deal reached the renderer once its History row is there; the notifier ran in the same step.
    await page.getByTestId('tab-history').click();
    await page.locator(`tr[data-position="${second}"][data-reason="sl"]`).waitFor();
    expect(await page.getByTestId('notices').textContent()).not.toMatch(/Stop loss hit/);
    expect((await shownNotifications()).length).toBe(before);
  });
});
