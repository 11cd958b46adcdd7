import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { JournalPage } from '../../src-core/contracts/journal';
import { startDesktop, type DesktopHarness } from './harness';

/** The vertical centre of an element on screen. */
async function centreOf(page: Page, testId: string): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId(testId).boundingBox();
  if (box === null) throw new Error(`${testId} is not on screen`);
  return { x: box.x + 20, y: box.y + box.height / 2 };
}

/** Drags a chart line's handle by `dy` pixels (or to `toY`) with the mouse, as a trader does. */
async function dragHandle(page: Page, testId: string, to: { dy: number } | { toY: number }): Promise<void> {
  const from = await centreOf(page, testId);
  const y = 'dy' in to ? from.y + to.dy : to.toY;
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x, (from.y + y) / 2, { steps: 4 });
  await page.mouse.move(from.x, y, { steps: 4 });
  await page.mouse.up();
}

describe('the chart (web host + simulator in Chromium)', () => {
  let h: DesktopHarness;
  let ticket = '';

  beforeAll(async () => {
    // A still feed: prices move only when the test says so.
    h = await startDesktop({ tickMs: 0, watchlist: ['EURUSD', 'GBPUSD', 'XAUUSD'] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows the selected symbol’s bars, switches timeframe and symbol', async () => {
    const { page } = h;
    await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
    expect(await page.getByTestId('chart-status').textContent()).toMatch(/^2000 bars/);
    expect(await page.getByTestId('chart-symbol').inputValue()).toBe('EURUSD');
    await page.getByTestId('chart-tf-D1').click();
    await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
    await page.getByTestId('watch-row-XAUUSD').click();
    await expect.poll(() => page.getByTestId('chart-symbol').inputValue()).toBe('XAUUSD');
    await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
    // The one-click panel picks the chart's symbol too.
    await page.getByTestId('oneclick-volume-EURUSD').focus();
    await expect.poll(() => page.getByTestId('chart-symbol').inputValue()).toBe('EURUSD');
    await page.getByTestId('chart-tf-H1').click();
    await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
  });

  it('holds the newest 500 of 10,000 bars in the series and takes older ones as the trader zooms out', async () => {
    const { page } = h;
    await page.getByTestId('chart-bar-count').selectOption('10000');
    await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
    expect(await page.getByTestId('chart-status').textContent()).toMatch(/^10000 bars/);
    const canvas = page.getByTestId('chart-canvas');
    const seriesBars = async (): Promise<number> => Number(await canvas.getAttribute('data-series-bars'));
    expect(await seriesBars()).toBe(500);
    const box = await canvas.boundingBox();
    if (box === null) throw new Error('the chart is not on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // Zoomed out with the wheel, then dragged back in time: once the view nears the series' oldest bar, 2,000
    // older bars join (and more as it goes on).
    for (let i = 0; i < 30 && (await seriesBars()) < 2500; i += 1) {
      await page.mouse.wheel(0, 300);
      await page.mouse.move(box.x + 40, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width - 80, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    }
    expect(await seriesBars()).toBeGreaterThanOrEqual(2500);
    // A fresh page for the specs after this one: the zoom stays with the chart.
    await page.reload();
    await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
  });

  it('draws a new position’s SL and TP as lines with handles', async () => {
    const { page } = h;
    await page.getByTestId('oneclick-sl-EURUSD').fill('30');
    await page.getByTestId('oneclick-tp-EURUSD').fill('60');
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    ticket = (await row.getAttribute('data-testid'))?.replace('position-', '') ?? '';
    await page.getByTestId(`chart-handle-sl:${ticket}`).waitFor();
    await page.getByTestId(`chart-handle-tp:${ticket}`).waitFor();
    const sl = await centreOf(page, `chart-handle-sl:${ticket}`);
    const tp = await centreOf(page, `chart-handle-tp:${ticket}`);
    expect(tp.y).toBeLessThan(sl.y); // a buy's TP is above its SL
    await h.screenshot('chart', { isForDocs: true });
  });

  it('modifies the SL when its line is dragged, journalled as a modify', async () => {
    const { page } = h;
    const before = h.sim.state.positions().find((p) => p.ticket === ticket)?.sl ?? 0;
    await dragHandle(page, `chart-handle-sl:${ticket}`, { dy: 25 });
    await expect
      .poll(() => h.sim.state.positions().find((p) => p.ticket === ticket)?.sl ?? 0)
      .toBeLessThan(before);
    const after = h.sim.state.positions().find((p) => p.ticket === ticket)?.sl ?? 0;
    const digits = 5;
    await expect
      .poll(() => page.getByTestId(`position-sl-${ticket}`).textContent())
      .toBe(after.toFixed(digits));
    await expect
      .poll(() => page.getByTestId(`chart-handle-sl:${ticket}`).getAttribute('class'))
      .toBe('chart-handle');
    const journal = await h.app.dispatcher.invoke('journal:query', { limit: 20 }, { via: 'e2e' });
    if (!journal.ok) throw new Error(journal.error.message);
    const { entries } = journal.value as JournalPage;
    expect(entries.some((e) => e.operation === 'modify_position' && e.state === 'done')).toBe(true);
  });

  it('snaps a refused drag back and says why', async () => {
    const { page } = h;
    const sl = h.sim.state.positions().find((p) => p.ticket === ticket)?.sl ?? 0;
    const start = await centreOf(page, `chart-handle-sl:${ticket}`);
    const tp = await centreOf(page, `chart-handle-tp:${ticket}`);
    // A buy's SL above the market is on the wrong side: the executor refuses it before anything is sent.
    await dragHandle(page, `chart-handle-sl:${ticket}`, { toY: tp.y + 4 });
    await page.getByTestId('chart-error').waitFor();
    expect(await page.getByTestId('chart-error').textContent()).toMatch(/went back/);
    await expect
      .poll(async () => Math.abs((await centreOf(page, `chart-handle-sl:${ticket}`)).y - start.y))
      .toBeLessThan(2);
    expect(h.sim.state.positions().find((p) => p.ticket === ticket)?.sl).toBe(sl);
    await h.screenshot('chart-refused', { isForDocs: true });
  });

  it('asks first when one-click is off, and a cancel snaps the line back', async () => {
    const { page } = h;
    await h.settings({ isOneClickEnabled: false });
    const sl = h.sim.state.positions().find((p) => p.ticket === ticket)?.sl ?? 0;
    const start = await centreOf(page, `chart-handle-sl:${ticket}`);
    await dragHandle(page, `chart-handle-sl:${ticket}`, { dy: 20 });
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await page.getByTestId('confirm-dialog').textContent()).toMatch(/Move the SL of #/);
    await page.getByTestId('confirm-cancel').click();
    await expect
      .poll(async () => Math.abs((await centreOf(page, `chart-handle-sl:${ticket}`)).y - start.y))
      .toBeLessThan(2);
    expect(h.sim.state.positions().find((p) => p.ticket === ticket)?.sl).toBe(sl);
    await dragHandle(page, `chart-handle-sl:${ticket}`, { dy: 20 });
    await page.getByTestId('confirm-ok').click();
    await expect
      .poll(() => h.sim.state.positions().find((p) => p.ticket === ticket)?.sl ?? 0)
      .toBeLessThan(sl);
    await h.settings({ isOneClickEnabled: true });
  });
});
