import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktop, type DesktopHarness } from './harness';

/**
 * A replay in Chromium (docs/replay.md): an MT5 bar export in the data folder's replays/ folder is opened from the
 * status bar, stepped, jumped, played and paused; a position bought with a stop loss while it plays is stopped
 * out as the file's price falls; REPLAY shows on the header, the buttons, the confirmation, the notice and the
 * journal; the position's time, the status bar's clock, the Report (screen and files) and the History tab are on
 * the replay's clock; closing the replay returns to the demo account, which received nothing.
 */

const T0 = Date.UTC(2024, 0, 2);
const FILE = 'EURUSD_M1_202401020000_202401020259.csv';

/** Three hours of M1 bars: up 0.5 pip a bar for an hour, down 3 pips a bar for an hour, then flat. */
function mt5BarExport(): string {
  const lines = ['<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>'];
  let price = 1.1;
  for (let i = 0; i < 180; i += 1) {
    const move = i < 60 ? 0.00005 : i < 120 ? -0.0003 : 0;
    const open = price;
    const close = price + move;
    const d = new Date(T0 + i * 60_000);
    const date = `${String(d.getUTCFullYear())}.01.02`;
    const time = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:00`;
    const f = (n: number): string => n.toFixed(5);
    lines.push(
      [date, time, f(open), f(Math.max(open, close) + 0.00002), f(Math.min(open, close) - 0.00002), f(close)]
        .concat(['40', '0', '10'])
        .join('\t'),
    );
    price = close;
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('replay (web host + simulator)', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    h = await startDesktop({ tickMs: 0, isOneClickEnabled: false, watchlist: ['EURUSD', 'GBPUSD'] });
    const folders = await h.app.dispatcher.invoke('replay:list-files', {}, { via: 'e2e' });
    if (!folders.ok) throw new Error(folders.error.message);
    const replays = (folders.value as { folders: { folder: string; path: string }[] }).folders.find(
      (f) => f.folder === 'replays',
    );
    if (replays === undefined) throw new Error('no replays folder');
    await writeFile(join(replays.path, FILE), mt5BarExport());
  });
  afterAll(async () => {
    await h.close();
  });

  it('opens a file, steps, jumps, plays, pauses, trades a stop that is hit, and closes back to demo', async () => {
    const { page } = h;
    const time = page.getByTestId('replay-time');
    expect(await page.getByTestId('replay-bar').count()).toBe(0);

    await page.getByTestId('replay-open').click();
    await page.getByTestId(`replay-file-${FILE}`).click();
    await page.locator('[data-testid="bridge-state"][data-state="replay"]').waitFor();
    await page.getByTestId('header-replay-mark').waitFor();
    await page.getByTestId('replay-bar').waitFor();
    expect(await time.textContent()).toBe('2024-01-02 00:00:00');
    // Only the file's symbol is on the watchlist; its buttons carry the REPLAY mark.
    await expect.poll(() => page.getByTestId('paper-mark-buy-EURUSD').textContent()).toBe('REPLAY');
    expect(await page.getByTestId('buy-GBPUSD').count()).toBe(0);
    // The file's first price (its bar's spread of 10 points on the ask), not the demo's.
    await expect.poll(() => page.getByTestId('oneclick-ask-EURUSD').textContent()).toBe('1.10010');

    // The chart shows the file's bars, M1 from the first.
    await page.getByTestId('chart-tf-M1').click();
    await expect.poll(() => page.getByTestId('chart-status').textContent()).toMatch(/^1 bars/);

    // One step from the keyboard: the bar's next price, 15 s on.
    await page.getByTestId('replay-step').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => time.textContent()).toBe('2024-01-02 00:00:15');

    // A jump forward plays every bar on the way; the chart then holds them all.
    await page.getByTestId('replay-jump-input').fill('2024-01-02T00:30:00');
    await page.getByTestId('replay-jump').click();
    await expect.poll(() => time.textContent()).toBe('2024-01-02 00:30:00');
    await expect.poll(() => page.getByTestId('chart-status').textContent()).toMatch(/^31 bars/);
    // Backwards is refused with the reason.
    await page.getByTestId('replay-jump-input').fill('2024-01-02T00:10:00');
    await page.getByTestId('replay-jump').press('Enter');
    await expect.poll(() => page.getByTestId('replay-bar-error').textContent()).toMatch(/only moves forward/);
    expect(await time.textContent()).toBe('2024-01-02 00:30:00');

    // Play at 100× (100 s of market a second), then pause: the clock stands still. Space plays, as on any button.
    await page.getByTestId('replay-speed').selectOption('100');
    await page.getByTestId('replay-play').focus();
    await page.keyboard.press('Space');
    await page.locator('[data-testid="replay-bar"][data-state="playing"]').waitFor();
    await expect.poll(() => time.textContent(), { timeout: 10_000 }).toMatch(/00:3[2-9]:|00:4/);
    await page.getByTestId('replay-play').click();
    await page.locator('[data-testid="replay-bar"][data-state="paused"]').waitFor();
    const pausedAt = await time.textContent();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await time.textContent()).toBe(pausedAt);

    // Buy with a 10-pip stop from the ticket; the confirmation and the notice say REPLAY.
    await page.getByTestId('tab-ticket').click();
    await page.getByTestId('ticket-symbol').selectOption('EURUSD');
    await page.getByTestId('ticket-mode-market').click();
    await page.getByTestId('ticket-side-buy').click();
    await page.getByTestId('ticket-volume').fill('0.10');
    await page.getByTestId('ticket-sl').fill('10');
    await page.getByTestId('ticket-submit').click();
    await expect.poll(() => page.getByTestId('confirm-paper-mark').textContent()).toBe('REPLAY');
    await page.getByTestId('confirm-ok').click();
    await expect
      .poll(() => page.getByTestId('notice-ok').textContent())
      .toMatch(/^REPLAY · Bought 0\.10 EURUSD/);
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    // Paused, so the replay clock stands at pausedAt: the position opened then (not at the wall clock's time), and
    // the status bar's clock shows the replay's time.
    const pausedTime = (pausedAt ?? '').slice(11);
    expect(pausedTime).toMatch(/^00:[34]\d:\d\d$/);
    expect(await row.getByTestId('position-open-time').textContent()).toBe(pausedTime);
    await page.locator('[data-testid="clock-chip"][data-replay="true"]').waitFor();
    expect(await page.getByTestId('clock-chip-time').textContent()).toBe(pausedTime.slice(0, 5));

    // The Report while the trade is open: marked REPLAY, this session on the replay's clock, no closed trade yet.
    await page.getByTestId('tab-report').click();
    expect(await page.getByTestId('report-mark').textContent()).toBe('REPLAY');
    await expect
      .poll(() => page.getByTestId('report-range').textContent())
      .toMatch(/^2024-01-02 00:00:00 to now/);
    await page.getByTestId('report-no-trades').waitFor();
    await page.getByTestId('tab-positions').click();

    for (const [width, height] of [
      [1024, 640],
      [1280, 720],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.getByTestId('replay-close').waitFor();
      expect(await page.getByTestId('replay-close').isVisible()).toBe(true);
      await h.screenshot(`desktop-replay-${String(width)}x${String(height)}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    // At 1000× the hour's rise ends and the fall takes the stop out: the position goes.
    await page.getByTestId('replay-speed').selectOption('1000');
    await page.getByTestId('replay-play').click();
    await row.waitFor({ state: 'detached', timeout: 20_000 });
    await page.getByTestId('replay-play').click();
    await page
      .locator('[data-testid="replay-bar"]:is([data-state="paused"], [data-state="ended"])')
      .waitFor();
    expect(await page.getByTestId('tab-positions').textContent()).toBe('Positions (0)');

    // After the stop: the Report and History list the replay's trade, on its days (2024), not the wall clock's.
    await page.getByTestId('tab-report').click();
    await expect.poll(() => page.getByTestId('report-trades').textContent()).toBe('1');
    expect(await page.getByTestId('report-mark').textContent()).toBe('REPLAY');
    for (const period of ['today', 'week'] as const) {
      await page.getByTestId('report-period').selectOption(period);
      await expect.poll(() => page.getByTestId('report-trades').textContent()).toBe('1');
      expect(await page.getByTestId('report-range').textContent()).toMatch(/^2024-01-0[12] 00:00:00 to now/);
    }
    const download = async (testId: string): Promise<{ name: string; text: string }> => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
      return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
    };
    const html = await download('report-export-html');
    expect(html.name).toMatch(/^pipdesk-report-replay-\d+-\d{4}-\d{2}-\d{2}\.html$/);
    expect(html.text).toContain('<span class="mark">REPLAY</span>');
    const trades = await download('report-export-trades');
    expect(trades.name).toMatch(/^pipdesk-trades-replay-\d+-/);
    const tradeRows = trades.text.trim().split('\n').slice(1);
    expect(tradeRows).toHaveLength(1);
    expect(tradeRows[0]?.split(',')[4]).toMatch(new RegExp(`^2024-01-02T${pausedTime}(\\.\\d+)?Z$`));

    await page.getByTestId('tab-history').click();
    await expect.poll(() => page.getByTestId('history-total-trades').textContent()).toBe('1');
    expect(await page.locator('[data-testid^="history-row-"]').count()).toBe(1);

    await page.getByTestId('tab-journal').click();
    await page.locator('[data-testid^="journal-replay-"]').first().waitFor();

    // Closing returns to the demo account, unmarked; it never received an order.
    await page.getByTestId('replay-close').click();
    await page.locator('[data-testid="bridge-state"][data-state="demo"]').waitFor();
    await page.getByTestId('replay-bar').waitFor({ state: 'detached' });
    expect(await page.getByTestId('header-replay-mark').count()).toBe(0);
    // The status bar's clock is the wall clock again.
    expect(await page.locator('[data-testid="clock-chip"][data-replay]').count()).toBe(0);
    await page.getByTestId('buy-GBPUSD').waitFor();
    expect(h.sim.state.deals().map((d) => d.comment)).toEqual(['initial deposit']);
    expect(h.sim.state.historyOrders()).toEqual([]);
  }, 90_000);
});
