import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry, JournalPage } from '../../src-core/contracts/journal';
import { DOCS_SCREENSHOT_DIR, startDesktop, type DesktopHarness } from './harness';

describe('trade management in Chromium: trailing stop, break-even, multiple take-profits', () => {
  let h: DesktopHarness;
  let ticket = '';
  let open = 0;

  const slOf = (t: string): number | undefined => h.sim.state.positions().find((p) => p.ticket === t)?.sl;
  /** Moves the simulator's EURUSD quote (a tick the app receives like any other). */
  const price = (bid: number): void => {
    h.sim.setPrice('EURUSD', Number(bid.toFixed(5)), Number((bid + 0.0001).toFixed(5)));
  };
  const at = (pips: number): number => Number((open + pips * 0.0001).toFixed(5));
  const modifies = async (t: string): Promise<JournalEntry[]> => {
    const answer = await h.app.dispatcher.invoke('journal:query', { limit: 100 }, { via: 'e2e' });
    if (!answer.ok) throw new Error(answer.error.message);
    return (answer.value as JournalPage).entries
      .filter((e) => e.operation === 'modify_position' && e.position === t)
      .reverse();
  };

  beforeAll(async () => {
    // A still feed: prices move only when the test moves them.
    h = await startDesktop({ tickMs: 0, watchlist: ['EURUSD', 'USDJPY'] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('break-even, then trailing move the stop as the price moves, each a journalled modify', async () => {
    const { page } = h;
    price(1.1);
    await page.getByTestId('oneclick-sl-EURUSD').fill('30');
    await page.getByTestId('oneclick-tp-EURUSD').fill('');
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    ticket = (await row.getAttribute('data-testid'))?.replace('position-', '') ?? '';
    open = h.sim.state.positions().find((p) => p.ticket === ticket)?.priceOpen ?? 0;
    expect(open).toBeGreaterThan(0);

    await page.getByTestId(`position-rule-${ticket}`).click();
    await page.getByTestId(`rule-editor-${ticket}`).waitFor();
    expect(await page.getByTestId(`rule-where-${ticket}`).textContent()).toMatch(
      /Runs in Pipdesk while it is open/,
    );
    await page.getByTestId(`rule-distance-${ticket}`).fill('20');
    await page.getByTestId(`rule-step-${ticket}`).fill('5');
    await page.getByTestId(`rule-trigger-${ticket}`).fill('10');
    await page.getByTestId(`rule-offset-${ticket}`).fill('2');
    await page.getByTestId(`rule-save-${ticket}`).click();
    await page.locator(`[data-testid="rule-status-${ticket}"][data-status="armed"]`).waitFor();
    expect(await page.getByTestId(`position-rule-${ticket}`).getAttribute('data-rule')).toBe('armed');

    // 10 pips up: break-even at open + 2 pips.
    price(at(10));
    await expect.poll(() => slOf(ticket)).toBe(at(2));
    // 30 pips up: trailing at 20 pips below the bid.
    price(at(30));
    await expect.poll(() => slOf(ticket)).toBe(at(10));
    // 2 more pips is less than the 5-pip step: no modify; 5 more is one.
    price(at(32));
    price(at(35));
    await expect.poll(() => slOf(ticket)).toBe(at(15));
    // The market falls back: the stop never moves back.
    price(at(25));
    await expect.poll(() => page.getByTestId(`position-sl-${ticket}`).textContent()).toBe(at(15).toFixed(5));
    await expect
      .poll(async () => (await modifies(ticket)).map((e) => [e.state, e.sl]))
      .toEqual([
        ['done', at(2)],
        ['done', at(10)],
        ['done', at(15)],
      ]);
    expect(await page.getByTestId(`rule-status-${ticket}`).textContent()).toMatch(
      new RegExp(`3 moves · Trailed the SL to ${at(15).toFixed(5).replace('.', '\\.')}`),
    );
    await page.getByTestId(`rule-close-${ticket}`).click();
    await page.getByTestId(`rule-editor-${ticket}`).waitFor({ state: 'detached' });
    // The journal tab lists the modifies.
    await page.getByTestId('tab-journal').click();
    await expect
      .poll(() => page.locator('tr[data-operation="modify_position"][data-state="done"]').count())
      .toBeGreaterThanOrEqual(3);
    await page.getByTestId('tab-positions').click();
  });

  it('keeps trailing after Pipdesk restarts (the rule comes back from its database)', async () => {
    const { page } = h;
    await h.restartApp();
    const button = page.getByTestId(`position-rule-${ticket}`);
    await button.waitFor();
    expect(await button.getAttribute('data-rule')).toBe('armed');
    price(at(45));
    await expect.poll(() => slOf(ticket)).toBe(at(25));
    await expect
      .poll(async () => (await modifies(ticket)).map((e) => e.sl))
      .toEqual([at(2), at(10), at(15), at(25)]);
    // Every modify has its own client order id.
    const ids = (await modifies(ticket)).map((e) => e.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows the position’s trailing and break-even controls at 1024×640, 1280×720 and 1920×1080', async () => {
    const { page } = h;
    await page.getByTestId('tab-positions').click();
    if (!(await page.getByTestId(`rule-editor-${ticket}`).isVisible())) {
      await page.getByTestId(`position-rule-${ticket}`).click();
    }
    for (const [width, height] of [
      [1024, 640],
      [1280, 720],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      const editor = page.getByTestId(`rule-editor-${ticket}`);
      const box = await editor.boundingBox();
      if (box === null) throw new Error('the rule editor is not on screen');
      // Fully on screen: nothing of the controls is cut off at this size.
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(height);
      await page.screenshot({ path: join(DOCS_SCREENSHOT_DIR, `trade-rules-${width}x${height}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId(`rule-remove-${ticket}`).click();
    await expect
      .poll(() => page.getByTestId(`position-rule-${ticket}`).getAttribute('data-rule'))
      .toBe('none');
    // Escape closes the dialog, as every dialog of the app.
    await page.keyboard.press('Escape');
    await page.getByTestId(`rule-editor-${ticket}`).waitFor({ state: 'detached' });
  });

  it('splits a trade into three parts with their own take-profits, one position each', async () => {
    const { page } = h;
    const before = new Set(h.sim.state.positions().map((p) => p.ticket));
    await page.getByTestId('tab-ticket').click();
    await page.getByTestId('ticket-symbol').selectOption('EURUSD');
    await page.getByTestId('ticket-mode-market').click();
    await page.getByTestId('ticket-side-buy').click();
    await page.getByTestId('ticket-volume').fill('0.07');
    await page.getByTestId('ticket-stop-unit-pips').click();
    await page.getByTestId('ticket-sl').fill('25');
    await page.getByTestId('ticket-tp').fill('');
    await page.getByTestId('split-on').check();
    // Preview: 50/30/20 % of 0.07 lots on a 0.01 step.
    await expect.poll(() => page.getByTestId('split-volume-1').textContent()).toBe('0.04');
    expect(await page.getByTestId('split-volume-2').textContent()).toBe('0.02');
    expect(await page.getByTestId('split-volume-3').textContent()).toBe('0.01');
    await page.getByTestId('split-tp-1').fill('15');
    await page.getByTestId('split-tp-2').fill('30');
    await page.getByTestId('split-tp-3').fill('45');
    await h.screenshot('ticket-split', { isForDocs: true });
    await page.getByTestId('split-submit').click();
    await expect.poll(() => h.sim.state.positions().filter((p) => !before.has(p.ticket)).length).toBe(3);
    const parts = h.sim.state
      .positions()
      .filter((p) => !before.has(p.ticket))
      .sort((a, b) => b.volume - a.volume);
    expect(parts.map((p) => p.volume)).toEqual([0.04, 0.02, 0.01]);
    expect(parts.map((p) => Math.round((p.tp - p.priceOpen) / 0.0001))).toEqual([15, 30, 45]);
    expect(new Set(parts.map((p) => Math.round((p.priceOpen - p.sl) / 0.0001)))).toEqual(new Set([25]));

    // Too small to split: refused before anything is sent, and said why.
    await page.getByTestId('ticket-volume').fill('0.02');
    await expect.poll(() => page.getByTestId('split-problem').textContent()).toMatch(/below the minimum/);
    expect(await page.getByTestId('split-submit').isDisabled()).toBe(true);
  });
});
