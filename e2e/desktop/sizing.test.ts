import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Bar } from '../../src-core/chart/bars';
import { DOCS_SCREENSHOT_DIR, startDesktop, type DesktopHarness } from './harness';

/** The window sizes a trader's desk has: a small laptop, a common laptop, a full HD monitor. */
const SIZES = [
  { width: 1024, height: 640 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

/**
 * The textbook ATR, written out here on purpose instead of calling the app's function (J. Welles Wilder, 1978):
 * true range = max(high, previous close) − min(low, previous close); the first ATR is the mean of the first
 * `period` true ranges, then ATR = (ATR × (period − 1) + TR) / period for every later bar.
 */
function wilderAtr(bars: readonly Bar[], period: number): number {
  const trueRanges: number[] = [];
  for (let i = 1; i < bars.length; i += 1) {
    const bar = bars[i] as Bar;
    const previousClose = (bars[i - 1] as Bar).close;
    trueRanges.push(Math.max(bar.high, previousClose) - Math.min(bar.low, previousClose));
  }
  let atr = trueRanges.slice(0, period).reduce((a, b) => a + b, 0) / period;
  for (const tr of trueRanges.slice(period)) atr = (atr * (period - 1) + tr) / period;
  return atr;
}

/** The vertical centre of an element on screen. */
async function centreOf(page: Page, testId: string): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId(testId).boundingBox();
  if (box === null) throw new Error(`${testId} is not on screen`);
  return { x: box.x + 40, y: box.y + box.height / 2 };
}

async function openCalculator(page: Page, symbol: string): Promise<void> {
  await page.getByTestId(`watch-row-${symbol}`).click();
  await page.getByTestId('tab-calculator').click();
  await page.getByTestId('calc-symbol').selectOption(symbol);
  await page.getByTestId('calc-entry-mode-live').click();
  await page.getByTestId('calc-side-buy').click();
  await page.getByTestId('calc-base-balance').click();
  await page.getByTestId('calc-risk-mode-percent').click();
  await page.getByTestId('calc-sl-unit-pips').click();
  await page.getByTestId('calc-tp').fill('');
}

describe('the position-size calculator knows the account (web host + simulator in Chromium)', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    // A still feed: prices move only when the test says so.
    h = await startDesktop({ tickMs: 0, reconnect: false, watchlist: ['EURUSD', 'XAUUSD', 'USDJPY'] });
    // Gold with a 26-point spread, as the trader saw it.
    h.sim.setPrice('XAUUSD', 2650, 2650.26);
  });
  afterAll(async () => {
    await h.close();
  });

  describe.each(SIZES)('at $width×$height', (size) => {
    beforeAll(async () => {
      await h.page.setViewportSize(size);
    });

    it('flags the XAUUSD stop inside the 26-point spread before "Use in ticket"', async () => {
      const { page } = h;
      await openCalculator(page, 'XAUUSD');
      await page.getByTestId('calc-risk').fill('1');
      await page.getByTestId('calc-sl').fill('20'); // 20 pips on gold's 2 digits = 0.20
      // 1 % of 10,000 = 100; 20 ticks × 1 USD = 20 a lot → 5 lots, the size the ticket used to refuse.
      await expect.poll(() => page.getByTestId('calc-lots').textContent()).toBe('5.00 lots');
      const flag = page.getByTestId('calc-warn-STOP_INSIDE_SPREAD');
      await flag.waitFor();
      expect(await flag.textContent()).toMatch(/20 points from the entry, inside the 26-point spread/);
      expect(await page.getByTestId('calc-use').isDisabled()).toBe(true);
      expect(await page.getByTestId('calc-use-reason').textContent()).toBe('The stop is inside the spread.');
      // 40 pips (0.40) clears the spread: the flag goes.
      await page.getByTestId('calc-sl').fill('40');
      await flag.waitFor({ state: 'detached' });
    });

    it('shows the lots the free margin carries and warns above it', async () => {
      const { page } = h;
      const account = h.sim.state.account();
      await openCalculator(page, 'XAUUSD');
      await page.getByTestId('calc-sl').fill('100'); // 1.00
      await page.getByTestId('calc-risk').fill('5');
      // 5 % of the balance / (100 ticks × 1 USD) → lots; margin of one lot = 100 oz × 2,650.26 / 100.
      const lots = Math.floor((account.balance * 0.05) / 100 / 0.01 + 1e-9) * 0.01;
      const maxLots = Math.floor(account.marginFree / 2650.26 / 0.01 + 1e-9) * 0.01;
      expect(lots).toBeGreaterThan(maxLots);
      await expect.poll(() => page.getByTestId('calc-lots').textContent()).toBe(`${lots.toFixed(2)} lots`);
      expect(await page.getByTestId('calc-max-margin-lots').textContent()).toBe(`${maxLots.toFixed(2)} lots`);
      const warning = page.getByTestId('calc-warn-INSUFFICIENT_MARGIN');
      await warning.waitFor();
      expect(await warning.textContent()).toMatch(
        new RegExp(`carries at most ${maxLots.toFixed(2).replace('.', '\\.')} lots`),
      );
      expect(await page.getByTestId('calc-use').isDisabled()).toBe(true);
      await page.getByTestId('calc-risk').fill('1');
      await warning.waitFor({ state: 'detached' });
      expect(await page.getByTestId('calc-use').isDisabled()).toBe(false);
    });

    it('converts the risk when switching between % and money (150 USD is 1.5 %, not 150 %)', async () => {
      const { page } = h;
      const { balance } = h.sim.state.account();
      await openCalculator(page, 'EURUSD');
      await page.getByTestId('calc-risk').fill('1');
      await page.getByTestId('calc-risk-mode-money').click();
      expect(await page.getByTestId('calc-risk').inputValue()).toBe((balance / 100).toFixed(2));
      await page.getByTestId('calc-risk').fill('150');
      await page.getByTestId('calc-risk-mode-percent').click();
      expect(await page.getByTestId('calc-risk').inputValue()).toBe(
        String(Math.round((150 / balance) * 1e4) / 100),
      );
      expect(await page.getByTestId('calc-error').count()).toBe(0);
    });

    it('disables the ticket’s send with the reason when the terminal’s margin check says no', async () => {
      const { page } = h;
      const free = h.sim.state.account().marginFree;
      await page.getByTestId('tab-ticket').click();
      await page.getByTestId('ticket-mode-market').click();
      await page.getByTestId('ticket-symbol').selectOption('XAUUSD');
      await page.getByTestId('ticket-side-buy').click();
      await page.getByTestId('ticket-sl').fill('');
      await page.getByTestId('ticket-tp').fill('');
      // 5 lots × 100 oz × 2,650.26 / 100 = 13,251.30 of margin, more than the free margin.
      expect(13_251.3).toBeGreaterThan(free);
      await page.getByTestId('ticket-volume').fill('5');
      const reason = page.locator('[data-testid="ticket-send-reason"][data-state="short"]');
      await reason.waitFor();
      expect(await reason.textContent()).toMatch(/needs 13,251\.30\sUSD of margin/);
      expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);
      // The core's rules: a 20-pip (0.20) stop inside the spread is refused before the terminal is asked.
      await page.getByTestId('ticket-volume').fill('0.10');
      await page.locator('[data-testid="ticket-send-reason"][data-state="ok"]').waitFor();
      expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(false);
      await page.getByTestId('ticket-sl').fill('20');
      await page.locator('[data-testid="ticket-send-reason"][data-state="rules"]').waitFor();
      expect(await page.getByTestId('ticket-problems').textContent()).toMatch(
        /Stop loss must be below the bid/,
      );
      expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);
      await page.getByTestId('ticket-sl').fill('');
      expect(h.sim.state.positions()).toEqual([]);
    });

    it('never waits on a slow terminal: "checking…" with the send button usable', async () => {
      const { page } = h;
      await page.getByTestId('tab-ticket').click();
      await page.getByTestId('ticket-mode-market').click();
      await page.getByTestId('ticket-symbol').selectOption('EURUSD');
      await page.getByTestId('ticket-sl').fill('');
      await page.getByTestId('ticket-volume').fill('0.10');
      await page.locator('[data-testid="ticket-send-reason"][data-state="ok"]').waitFor();
      // Every answer of the terminal now takes 3 s: the margin check cannot come back before the assertions.
      h.sim.faults.delayMs = 3_000;
      try {
        await page.getByTestId('ticket-volume').fill('0.20');
        const checking = page.locator('[data-testid="ticket-send-reason"][data-state="checking"]');
        await checking.waitFor();
        expect(await checking.textContent()).toBe('Checking the margin with the terminal…');
        expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(false);
      } finally {
        h.sim.faults.delayMs = 0;
      }
      await page.locator('[data-testid="ticket-send-reason"][data-state="ok"]').waitFor();
      expect(h.sim.state.positions()).toEqual([]);
    });

    it('takes the stop from a chart line, and moves the line when the field changes', async () => {
      const { page } = h;
      await openCalculator(page, 'EURUSD');
      await page.getByTestId('calc-sl').fill('20');
      // Attached, not visible: below 1280 px the layout hides the status text to make room.
      await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor({ state: 'attached' });
      const handle = 'chart-handle-calc-sl';
      await page.getByTestId(handle).waitFor();
      const entry = await centreOf(page, 'chart-handle-calc-entry');
      const at20 = await centreOf(page, handle);
      expect(at20.y).toBeGreaterThan(entry.y); // a buy's stop is below its entry
      // Field → line: a 40-pip stop is drawn twice as far below the entry.
      await page.getByTestId('calc-sl').fill('40');
      await expect
        .poll(async () => Math.abs((await centreOf(page, handle)).y - entry.y - 2 * (at20.y - entry.y)))
        .toBeLessThan(3);
      // Line → field: drag the stop up halfway; the calculator takes it as a price and sizes on it.
      const lotsBefore = await page.getByTestId('calc-lots').textContent();
      const from = await centreOf(page, handle);
      const toY = (from.y + at20.y) / 2;
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x, toY, { steps: 6 });
      await page.mouse.up();
      await expect
        .poll(() => page.getByTestId('calc-sl-unit-price').getAttribute('aria-checked'))
        .toBe('true');
      const sl = Number(await page.getByTestId('calc-sl').inputValue());
      const ask = Number(await page.getByTestId('calc-entry').inputValue());
      const pips = (ask - sl) / 0.0001;
      expect(pips).toBeGreaterThan(20);
      expect(pips).toBeLessThan(40);
      expect(await page.getByTestId('calc-lots').textContent()).not.toBe(lotsBefore);
      await expect.poll(async () => Math.abs((await centreOf(page, handle)).y - toY)).toBeLessThan(3);
      // Nothing was sent: calculator lines are not orders.
      expect(h.sim.state.positions()).toEqual([]);
    });

    it('picks the stop and the entry with a click on the chart, rounded to the tick, from the keyboard', async () => {
      const { page } = h;
      await openCalculator(page, 'EURUSD');
      await page.getByTestId('calc-sl').fill('20');
      await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor({ state: 'attached' });
      await page.getByTestId('chart-handle-calc-sl').waitFor();
      const canvas = await page.getByTestId('chart-canvas').boundingBox();
      if (canvas === null) throw new Error('the chart is not on screen');
      const x = canvas.x + canvas.width / 3;
      const pressed = (field: string) => page.getByTestId(`calc-pick-${field}`).getAttribute('aria-pressed');
      /** The price scale's reading of the last click, unrounded, as the chart reported it. */
      const clickPrice = async (): Promise<number> =>
        Number(await page.getByTestId('chart-canvas').getAttribute('data-click-price'));
      const onTick = (price: number): string => (Math.round(price / 0.00001) * 0.00001).toFixed(5);

      /** A trader's click: the pointer comes over the chart, then clicks. */
      const clickChart = async (y: number): Promise<void> => {
        await page.mouse.move(x, y, { steps: 4 });
        await page.mouse.click(x, y);
      };

      // Keyboard: Tab reaches the toggle, Space presses it, Escape lets go without a change.
      await page.getByTestId('calc-pick-sl').focus();
      await page.keyboard.press('Space');
      expect(await pressed('sl')).toBe('true');
      await page.keyboard.press('Escape');
      expect(await pressed('sl')).toBe('false');

      /** A y inside the chart's pane at `share` of its height, moved off any line's handle. */
      const freeY = async (share: number): Promise<number> => {
        const handles = await page.locator('.chart-handle').evaluateAll((els) =>
          els.map((el) => {
            const r = el.getBoundingClientRect();
            return r.top + r.height / 2;
          }),
        );
        // The pane only: the time axis takes the canvas's bottom 30 px.
        let y = canvas.y + (canvas.height - 30) * share;
        while (handles.some((h) => Math.abs(h - y) < 8)) y += 9;
        return y;
      };

      // The stop: low in the pane.
      await page.getByTestId('calc-pick-sl').focus();
      await page.keyboard.press('Space');
      expect(await pressed('sl')).toBe('true');
      const slY = await freeY(0.8);
      await clickChart(slY);
      await expect.poll(() => pressed('sl')).toBe('false');
      expect(await page.getByTestId('calc-sl-unit-price').getAttribute('aria-checked')).toBe('true');
      const slPrice = await clickPrice();
      expect(await page.getByTestId('calc-sl').inputValue()).toBe(onTick(slPrice));
      // The stop's line is drawn where the click was: the reading is the chart's own for that y.
      await expect
        .poll(async () => Math.abs((await centreOf(page, 'chart-handle-calc-sl')).y - slY))
        .toBeLessThan(2);

      // The entry: high in the pane, with the mouse on the toggle this time.
      await page.getByTestId('calc-pick-entry').click();
      await clickChart(await freeY(0.2));
      await expect.poll(() => pressed('entry')).toBe('false');
      expect(await page.getByTestId('calc-entry-mode-typed').getAttribute('aria-checked')).toBe('true');
      expect(await page.getByTestId('calc-entry').inputValue()).toBe(onTick(await clickPrice()));
      expect(await clickPrice()).not.toBe(slPrice);
      // A click with no pick pressed changes nothing.
      const before = await page.getByTestId('calc-entry').inputValue();
      await clickChart(await freeY(0.3));
      expect(await page.getByTestId('calc-entry').inputValue()).toBe(before);
      await page.getByTestId('calc-entry-mode-live').click();
      expect(h.sim.state.positions()).toEqual([]);
    });

    it('sets the stop from a Wilder ATR of the chart’s bars that matches the hand computation', async () => {
      const { page } = h;
      await openCalculator(page, 'EURUSD');
      await page.getByTestId('chart-tf-D1').click();
      // Attached, not visible: below 1280 px the layout hides the status text to make room.
      await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor({ state: 'attached' });
      if ((await page.getByTestId('calc-atr').getAttribute('open')) === null) {
        await page.getByTestId('calc-atr-toggle').click();
      }
      await page.getByTestId('calc-atr-period').fill('14');
      await page.getByTestId('calc-atr-multiplier').fill('1.5');
      await page.getByTestId('calc-atr-smoothing-wilder').click();
      await expect
        .poll(() => page.getByTestId('calc-atr-value').textContent())
        .toMatch(/on D1, 1999 closed bars/);
      const answer = await h.app.dispatcher.invoke(
        'chart:get-bars',
        { symbol: 'EURUSD', timeframe: 'D1', count: 2000 },
        { via: 'e2e' },
      );
      if (!answer.ok) throw new Error(answer.error.message);
      const { bars } = answer.value as { bars: Bar[] };
      const atr = wilderAtr(bars.slice(0, -1), 14); // the last bar is still forming
      const ask = Number(await page.getByTestId('calc-entry').inputValue());
      // 1.5 × ATR under the ask, down to the 0.00001 tick (never tighter than asked).
      const expected = (Math.floor((ask - 1.5 * atr) / 0.00001 + 1e-9) * 0.00001).toFixed(5);
      await page.getByTestId('calc-atr-apply').click();
      expect(await page.getByTestId('calc-sl').inputValue()).toBe(expected);
      expect(await page.getByTestId('calc-sl-unit-price').getAttribute('aria-checked')).toBe('true');
      await page.getByTestId('calc-result').waitFor();
      await page.getByTestId('calculator').evaluate((el) => {
        el.scrollTop = 0;
      });
      await page.screenshot({
        path: join(DOCS_SCREENSHOT_DIR, `calculator-${size.width}x${size.height}.png`),
      });
      await page.getByTestId('chart-tf-H1').click();
    });
  });
});
