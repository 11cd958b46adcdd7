import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../chromium';
import { startDesktopFixture, type DesktopFixture } from '../fixtures/desktop';
import { seriousAxeFindings } from './axe';
import {
  DOCS_SCREENSHOT_DIR,
  SCREENSHOT_DIR,
  STEP_TIMEOUT_MS,
  startDesktop,
  type DesktopHarness,
} from './harness';
import { layoutProblems } from './layout-probe';

/** The window sizes a trader's desk has: a small laptop, a common laptop, a full HD monitor. */
const SIZES = [
  { width: 1024, height: 640 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

/** What every screen shows whatever else is open: the status bar's parts and the workspace's panels. */
const FRAME = [
  'status-bar',
  'bridge-state',
  'open-settings',
  'cloud-state',
  'market-watch',
  'symbol-search',
  'chart',
  'chart-symbol',
  'oneclick-toggle',
  'tab-ticket',
  'tab-calculator',
  'tab-positions',
  'tab-orders',
  'tab-history',
  'tab-report',
  'tab-journal',
  'status-line',
];

// One browser for the file's six blocks: each opens its own context in it (a browser's start and first page are
// the dearest part of a block on a loaded machine).
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

/**
 * Every screen and state of the trading window at each size a trader's desk has (docs/ui.md, Layout): nothing
 * wider than the window, the header and every table column whole and in sight, notices in full, and no serious or
 * critical axe-core finding. The checks are in e2e/desktop/layout-probe.ts.
 */
// Each screen runs axe-core once or twice (seconds each on a loaded machine): a budget, not a wait.
describe.each(SIZES)('layout and accessibility at $width×$height', { timeout: 120_000 }, (size) => {
  let h: DesktopHarness;
  let position = '';
  /**
   * Saves the screen to e2e/screenshots; `docs` names the copy kept for docs/screenshots in e2e/screenshots/docs
   * (the named screenshots of docs/ui.md and docs/user-guide.md are the 1280×720 ones).
   */
  const shot = async (name: string, docs?: { readonly name: string; readonly isEverySize?: boolean }) => {
    await h.screenshot(`layout-${name}-${size.width}x${size.height}`);
    if (docs === undefined) return;
    if (docs.isEverySize === true) {
      await copyFile(
        join(SCREENSHOT_DIR, `layout-${name}-${size.width}x${size.height}.png`),
        join(DOCS_SCREENSHOT_DIR, `${docs.name}-${size.width}x${size.height}.png`),
      );
    }
    if (size.width === 1280) {
      await copyFile(
        join(SCREENSHOT_DIR, `layout-${name}-${size.width}x${size.height}.png`),
        join(DOCS_SCREENSHOT_DIR, `${docs.name}.png`),
      );
    }
  };
  const check = async (keys: readonly string[]): Promise<void> => {
    // Soft: one run names every problem of the screen, not just the first.
    expect.soft(await layoutProblems(h.page, keys)).toEqual([]);
    expect.soft(await seriousAxeFindings(h.page)).toEqual([]);
  };

  beforeAll(async () => {
    h = await startDesktop({
      // Prices move, as they do for a trader: rising and falling colours are on screen for axe's contrast check.
      tickMs: 200,
      viewport: size,
      reconnect: false,
      watchlist: ['EURUSD', 'GBPUSD', 'USDJPY', 'XAUUSD'],
      browser,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('trading screen with the link up: every panel whole, the chart with room for its candles', async () => {
    const { page } = h;
    await page.getByTestId('account-balance').waitFor();
    await check([
      ...FRAME,
      'account-balance',
      'oneclick-EURUSD',
      'buy-EURUSD',
      'sell-EURUSD',
      'ticket-submit',
    ]);
    const chart = await page.getByTestId('chart-canvas').boundingBox();
    // Candles need room: a chart of ~60 px (this window at 1024×640 once) shows no usable price action.
    expect(chart?.height ?? 0).toBeGreaterThanOrEqual(
      size.height >= 1000 ? 300 : size.height >= 720 ? 200 : 160,
    );
    await shot('trading');
  });

  it('positions: every key column and the row’s buttons in sight without scrolling sideways', async () => {
    const { page } = h;
    await page.getByTestId('oneclick-sl-EURUSD').fill('25');
    await page.getByTestId('oneclick-tp-EURUSD').fill('50');
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    position = ((await row.getAttribute('data-testid')) ?? '').replace('position-', '');
    await page
      .getByTestId('notices')
      .getByText(/Bought/)
      .waitFor();
    const keys = ['sl', 'tp', 'price', 'volume', 'pips', 'profit', 'modify', 'close'].map(
      (k) => `position-${k}-${position}`,
    );
    await check([...FRAME, 'positions', 'positions-floating', 'close-all', ...keys]);
    await shot('positions', { name: 'desktop-positions', isEverySize: true });
    await page.getByTestId(`position-modify-${position}`).click();
    await page.getByTestId(`position-sl-input-${position}`).waitFor();
    await check([
      `position-sl-input-${position}`,
      `position-tp-input-${position}`,
      `position-save-${position}`,
    ]);
    await page.keyboard.press('Escape');
  });

  it('pending ticket and the orders tab', async () => {
    const { page } = h;
    await page.getByTestId('ticket-symbol').selectOption('EURUSD');
    await page.getByTestId('ticket-mode-pending').click();
    await page.getByTestId('ticket-kind-buy_limit').click();
    const ask = Number(await page.getByTestId('ticket-ask').textContent());
    await page.getByTestId('ticket-price').fill((ask - 0.005).toFixed(5));
    await page.getByTestId('ticket-stop-unit-pips').click();
    await page.getByTestId('ticket-sl').fill('20');
    await page.getByTestId('ticket-tp').fill('40');
    await check([
      ...FRAME,
      'ticket-kind-buy_limit',
      'ticket-kind-sell_stop',
      'ticket-price',
      'ticket-expiration',
      'ticket-volume',
      'ticket-submit',
    ]);
    await shot('pending-ticket');
    await page.getByTestId('ticket-submit').click();
    const row = page.locator('tr[data-testid^="order-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    const order = ((await row.getAttribute('data-testid')) ?? '').replace('order-', '');
    await check([
      ...FRAME,
      'pending-orders',
      `order-price-${order}`,
      `order-sl-${order}`,
      `order-tp-${order}`,
      `order-modify-${order}`,
      `order-cancel-${order}`,
    ]);
    await shot('orders', { name: 'desktop-pending-order' });
    await page.getByTestId('ticket-mode-market').click();
  });

  it('history and journal', async () => {
    const { page } = h;
    await page.getByTestId('tab-positions').click();
    await page.getByTestId(`position-close-${position}`).click();
    await page.getByTestId(`position-${position}`).waitFor({ state: 'detached' });
    await page.getByTestId('tab-history').click();
    await page.locator(`tr[data-testid^="history-row-"][data-position="${position}"]`).waitFor();
    await check([...FRAME, 'history-period', 'history-export', 'history-total-net']);
    await shot('history');
    await page.getByTestId('tab-journal').click();
    await page.locator('tr[data-testid^="journal-row-"]').first().waitFor();
    await check([...FRAME, 'journal', 'journal-search', 'journal-symbol']);
    await shot('journal', { name: 'desktop-journal' });
  });

  // Its own test: three axe runs in one would not fit the budget on a loaded machine.
  it('report: the figures and the balance curve of the closed trade', async () => {
    const { page } = h;
    await page.getByTestId('tab-report').click();
    await page.getByTestId('report-chart').locator('canvas').first().waitFor();
    await check([
      ...FRAME,
      'report-period',
      'report-export-html',
      'report-trades',
      'report-win-rate',
      'report-profit-factor',
      'report-expectancy',
      'report-average-r',
      'report-drawdown',
      'report-chart',
    ]);
    await shot('report', { name: 'desktop-report' });
  });

  it('calculator', async () => {
    const { page } = h;
    await page.getByTestId('tab-calculator').click();
    await page.getByTestId('calculator').waitFor();
    await page.getByTestId('calc-symbol').selectOption('EURUSD');
    await page.getByTestId('calc-risk').fill('1');
    await page.getByTestId('calc-sl').fill('25');
    await expect.poll(() => page.getByTestId('calc-lots').textContent()).toMatch(/^\d+\.\d+ lots$/);
    // The footer (size and "Use in ticket") stays in sight at every height; the full result may be below the fold.
    await check([...FRAME, 'calculator', 'calc-foot-summary', 'calc-use']);
    await page.getByTestId('calc-lots').scrollIntoViewIfNeeded();
    await check(['calc-lots', 'calc-use']);
    await shot('calculator', { name: 'desktop-calculator' });
    await page.getByTestId('tab-ticket').click();
  });

  it('confirmation dialog', async () => {
    const { page } = h;
    await page.getByTestId('oneclick-toggle').click();
    await expect.poll(() => page.getByTestId('oneclick-toggle').isChecked()).toBe(false);
    await page.getByTestId('buy-GBPUSD').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await check(['confirm-dialog', 'confirm-ok', 'confirm-cancel']);
    await shot('confirm', { name: 'desktop-confirm' });
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('oneclick-toggle').click();
    await expect.poll(() => page.getByTestId('oneclick-toggle').isChecked()).toBe(true);
  });

  it('settings', async () => {
    const { page } = h;
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings').waitFor();
    await check(['settings', 'settings-close', 'settings-one-click']);
    await shot('settings');
    await page.keyboard.press('Escape');
    await page.getByTestId('settings').waitFor({ state: 'detached' });
  });

  it('trading screen with the link down', async () => {
    const { page } = h;
    await page.getByTestId('tab-positions').click();
    h.sim.drop();
    await page.locator('[data-testid="bridge-state"][data-state="disconnected"]').waitFor();
    await check([...FRAME, 'bridge-reason', 'start-demo', 'positions-unknown']);
    await shot('link-down', { name: 'desktop-link-down' });
  });
});

describe.each(SIZES)('first run at $width×$height', { timeout: 120_000 }, (size) => {
  let fx: DesktopFixture;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    fx = await startDesktopFixture({ simulator: false, requireRenderer: true });
    const set = await fx.app.dispatcher.invoke('settings:set', { patch: { theme: 'dark' } }, { via: 'e2e' });
    if (!set.ok) throw new Error(set.error.message);
    context = await browser.newContext({ viewport: size, colorScheme: 'dark' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await page.goto(fx.url);
    await page.locator('[data-testid="bridge-state"][data-state="disconnected"]').waitFor();
  });
  afterAll(async () => {
    await context.close();
    await fx.stop();
  });

  it('says where to start, whole, with nothing cut', async () => {
    await page.getByTestId('getting-started').waitFor();
    expect(
      await layoutProblems(page, [
        ...FRAME,
        'getting-started',
        'getting-started-install',
        'getting-started-demo',
      ]),
    ).toEqual([]);
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({
      path: join(SCREENSHOT_DIR, `layout-first-run-${size.width}x${size.height}.png`),
    });
  });
});
