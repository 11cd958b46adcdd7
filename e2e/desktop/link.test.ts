import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_CONNECTED_MESSAGE } from '../../src-main/services/messages';
import { startDesktop, type DesktopHarness } from './harness';

describe('the link to MT5 drops and comes back', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    // No automatic reconnect: the test decides when the EA comes back, so the dropped state can be looked at.
    h = await startDesktop({
      reconnect: false,
      watchlist: ['EURUSD', 'GBPUSD', 'USDJPY', 'XAUUSD', 'BTCUSD', 'US500'],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows the drop with its reason, refuses orders in words, keeps what was typed, and recovers', async () => {
    const { page } = h;
    const state = page.getByTestId('bridge-state');
    await page.getByTestId('ticket-symbol').selectOption('EURUSD');
    await page.getByTestId('ticket-sl').fill('17');
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.07');

    h.sim.drop();
    await page.locator('[data-testid="bridge-state"][data-state="disconnected"]').waitFor();
    expect(await state.textContent()).toMatch(/Disconnected/);
    expect((await page.getByTestId('bridge-reason').textContent())?.length).toBeGreaterThan(5);
    // With no terminal, the demo is one click away.
    await page.getByTestId('start-demo').waitFor();

    await page.getByTestId('buy-EURUSD').click();
    const error = page.getByTestId('oneclick-error-EURUSD');
    await error.waitFor();
    // The executor's own words for "no terminal": it says nothing was sent and what to do.
    expect(await error.textContent()).toBe(NOT_CONNECTED_MESSAGE);
    expect(h.sim.state.positions()).toEqual([]);
    await h.screenshot('desktop-link-down');

    h.sim.connect();
    await page
      .locator('[data-testid="bridge-state"]:is([data-state="connected"], [data-state="demo"])')
      .waitFor();
    await page.getByTestId('account-balance').waitFor();
    // Nothing typed was lost on the way.
    expect(await page.getByTestId('ticket-sl').inputValue()).toBe('17');
    expect(await page.getByTestId('oneclick-volume-EURUSD').inputValue()).toBe('0.07');

    // Prices flow again and trading works.
    const bid = page.getByTestId('watch-bid-EURUSD');
    const first = await bid.textContent();
    await expect.poll(() => bid.textContent()).not.toBe(first);
    await page.getByTestId('buy-EURUSD').click();
    await page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first().waitFor();
    expect(h.sim.state.positions().map((p) => p.volume)).toEqual([0.07]);
    await expect.poll(() => error.count()).toBe(0);
    await h.screenshot('desktop-recovered');
  });
});
