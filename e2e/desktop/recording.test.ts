import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeFindings } from './axe';
import { startDesktop, type DesktopHarness } from './harness';

/**
 * Tick recording from Chromium: the trader switches it on in Settings, the live terminal's prices are written to
 * the day's file in the data folder, and Settings lists the day (docs/user-guide.md, "Recording ticks").
 */
describe('tick recording (web host + simulator as the live EA)', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    h = await startDesktop({ tickMs: 0, eaVersion: '2.00', watchlist: ['EURUSD'] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is switched on in Settings, records the live prices and lists the day', async () => {
    const { page } = h;
    await page.locator('[data-testid="bridge-state"][data-state="connected"]').waitFor();
    await page.getByTestId('open-settings').click();
    const toggle = page.getByTestId('settings-recording-toggle');
    await toggle.scrollIntoViewIfNeeded();
    expect(await toggle.isChecked()).toBe(false);
    await expect.poll(() => page.getByTestId('settings-recording-status').textContent()).toMatch(/^Off\./);
    await toggle.check();
    await expect
      .poll(() => page.getByTestId('settings-recording-status').textContent())
      .toMatch(/^Recording the live terminal’s ticks\./);
    expect(await seriousAxeFindings(page)).toEqual([]);

    h.sim.setPrice('EURUSD', 1.2345, 1.2347);
    await expect.poll(() => page.getByTestId('oneclick-bid-EURUSD').textContent()).toBe('1.23450');
    // Settings reads the recordings again every few seconds while it records: the day appears.
    await expect
      .poll(() => page.getByTestId('settings-recording-files').textContent(), { timeout: 20_000 })
      .toMatch(/^\d{4}-\d{2}-\d{2}\.csv · \d+\.\d MB/);
    const { files } = await h.app.dispatcher
      .invoke('recording:list', {}, { via: 'test' })
      .then((r) => (r.ok ? (r.value as { files: { path: string }[] }) : { files: [] }));
    const text = readFileSync(files[0]?.path ?? join('missing'), 'utf8');
    expect(text).toMatch(/^time,symbol,bid,ask\n/);
    expect(text).toMatch(/\n\d+,EURUSD,1\.2345,1\.2347\n/);
  }, 60_000);
});
