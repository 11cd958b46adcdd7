import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktop, type DesktopHarness } from './harness';

describe('pending orders from the desktop UI', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    h = await startDesktop({ tickMs: 0, watchlist: ['EURUSD', 'GBPUSD', 'USDJPY', 'XAUUSD'] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('places a pending order, modifies it and cancels it', async () => {
    const { page } = h;
    await page.getByTestId('ticket-symbol').selectOption('EURUSD');
    await page.getByTestId('ticket-mode-pending').click();
    await page.getByTestId('ticket-kind-buy_limit').click();
    const ask = Number(await page.getByTestId('ticket-ask').textContent());
    const price = (ask - 0.005).toFixed(5);
    await page.getByTestId('ticket-price').fill(price);
    await page.getByTestId('ticket-volume').fill('0.30');
    await page.getByTestId('ticket-stop-unit-pips').click();
    await page.getByTestId('ticket-sl').fill('20');
    await page.getByTestId('ticket-tp').fill('60');
    await expect.poll(() => page.getByTestId('ticket-rr').textContent()).toBe('1\u00a0:\u00a03.00');
    await page.getByTestId('ticket-submit').click();
    // The app switches to the orders tab by itself once the order is placed.
    const row = page.locator('tr[data-testid^="order-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    const ticket = (await row.getAttribute('data-testid'))?.replace('order-', '') ?? '';
    await expect.poll(() => page.getByTestId(`order-price-${ticket}`).textContent()).toBe(price);
    const placed = h.sim.state.orders().find((o) => o.ticket === ticket);
    expect(placed).toMatchObject({
      volumeCurrent: 0.3,
      priceOpen: Number(price),
      sl: Number((ask - 0.007).toFixed(5)),
    });
    await h.screenshot('desktop-pending-order');

    const newPrice = (ask - 0.006).toFixed(5);
    const newSl = (ask - 0.008).toFixed(5);
    await page.getByTestId(`order-modify-${ticket}`).click();
    await page.getByTestId(`order-price-input-${ticket}`).fill(newPrice);
    await page.getByTestId(`order-sl-input-${ticket}`).fill(newSl);
    await page.getByTestId(`order-save-${ticket}`).click();
    await expect.poll(() => page.getByTestId(`order-price-${ticket}`).textContent()).toBe(newPrice);
    await expect.poll(() => page.getByTestId(`order-sl-${ticket}`).textContent()).toBe(newSl);
    expect(h.sim.state.orders().find((o) => o.ticket === ticket)).toMatchObject({
      priceOpen: Number(newPrice),
      sl: Number(newSl),
    });

    await page.getByTestId(`order-cancel-${ticket}`).click();
    await page.getByTestId(`order-${ticket}`).waitFor({ state: 'detached' });
    expect(h.sim.state.orders().find((o) => o.ticket === ticket)).toBeUndefined();
  });

  it('asks before every order when one-click is off, and sends nothing on cancel', async () => {
    const { page } = h;
    await page.getByTestId('tab-positions').click();
    // The switch follows the stored setting, so it flips once main has saved it.
    await page.getByTestId('oneclick-toggle').click();
    await expect.poll(() => page.getByTestId('oneclick-toggle').isChecked()).toBe(false);
    await page.getByTestId('oneclick-GBPUSD').getByText('confirm').waitFor();
    await page.getByTestId('buy-GBPUSD').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/Buy 0\.10 GBPUSD\?/);
    await h.screenshot('desktop-confirm');
    await page.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    expect(h.sim.state.positions()).toEqual([]);

    await page.getByTestId('buy-GBPUSD').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator('tr[data-testid^="position-"][data-symbol="GBPUSD"]').first().waitFor();
    expect(h.sim.state.positions().map((p) => p.symbol)).toEqual(['GBPUSD']);
  });

  it('trades from the keyboard: Alt+S sells the selected symbol, Alt+C closes it', async () => {
    const { page } = h;
    await page.getByTestId('tab-positions').click();
    await page.getByTestId('oneclick-toggle').click();
    await expect.poll(() => page.getByTestId('oneclick-toggle').isChecked()).toBe(true);
    await page.getByTestId('watch-row-USDJPY').click();
    await page.keyboard.press('Alt+KeyS');
    const row = page.locator('tr[data-testid^="position-"][data-symbol="USDJPY"]').first();
    await row.waitFor();
    // MT5's POSITION_TYPE_SELL is 1.
    expect(h.sim.state.positions().find((p) => p.symbol === 'USDJPY')?.type).toBe(1);
    await page.keyboard.press('Alt+KeyC');
    await row.waitFor({ state: 'detached' });
    await page.keyboard.press('F9');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'ticket-volume',
    );
  });

  it('switches to the light theme from settings', async () => {
    const { page } = h;
    const background = (): Promise<string> =>
      page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const stored = async (): Promise<unknown> => {
      const answer = await h.app.dispatcher.invoke('settings:get', {}, { via: 'e2e' });
      return answer.ok ? (answer.value as { theme: string }).theme : answer.error.code;
    };
    const darkBackground = await background();
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-theme-light').click();
    await page.locator('html[data-theme="light"]').waitFor({ state: 'attached' });
    // The choice is stored by main, and the page is really painted differently, not only re-attributed.
    expect(await stored()).toBe('light');
    const lightBackground = await background();
    expect(lightBackground).not.toBe(darkBackground);
    await h.screenshot('desktop-settings-light');
    await page.getByTestId('settings-close').click();
    await page.getByTestId('settings').waitFor({ state: 'detached' });
    await h.screenshot('desktop-light', { isForDocs: true });
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-theme-dark').click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    expect(await stored()).toBe('dark');
    expect(await background()).toBe(darkBackground);
  });
});
