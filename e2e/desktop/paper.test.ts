import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktop, type DesktopHarness } from './harness';

/**
 * Paper trading in Chromium: the simulator plays a real EA (the live terminal), the trader switches to the paper
 * account, places an order that fills at the live ask, sees PAPER on the header, the buttons, the confirmation,
 * the notice and the journal row, and the live terminal never receives an order (docs/paper-trading.md).
 */
describe('paper account on live prices (web host + simulator as the live EA)', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    h = await startDesktop({
      tickMs: 0,
      eaVersion: '2.00',
      isOneClickEnabled: false,
      watchlist: ['EURUSD', 'GBPUSD'],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('switches to paper, fills at the live price with PAPER marks, and sends nothing to the terminal', async () => {
    const { page } = h;
    await page.locator('[data-testid="bridge-state"][data-state="connected"]').waitFor();
    expect(await page.getByTestId('header-paper-mark').count()).toBe(0);
    expect(await page.getByTestId('paper-mark-buy-EURUSD').count()).toBe(0);

    await page.getByTestId('paper-open').click();
    await page.locator('[data-testid="bridge-state"][data-state="paper"]').waitFor();
    await page.getByTestId('header-paper-mark').waitFor();
    await page.getByTestId('paper-mark-buy-EURUSD').waitFor();
    await expect.poll(() => page.getByTestId('account-balance').textContent()).toMatch(/10,000\.00/);

    // The live terminal moves; the paper account's quotes follow it.
    h.sim.setPrice('EURUSD', 1.25, 1.2502);
    await expect.poll(() => page.getByTestId('oneclick-ask-EURUSD').textContent()).toBe('1.25020');

    await page.getByTestId('oneclick-volume-EURUSD').fill('0.30');
    await page.getByTestId('buy-EURUSD').click();
    await page.getByTestId('confirm-paper-mark').waitFor();
    await h.screenshot('desktop-paper-confirm');
    await page.getByTestId('confirm-ok').click();
    await expect
      .poll(() => page.getByTestId('notice-ok').textContent())
      .toMatch(/^PAPER · Bought 0\.30 EURUSD/);
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();

    const ticket = (await row.getAttribute('data-testid'))?.replace('position-', '') ?? '';
    await expect.poll(() => page.getByTestId(`position-volume-${ticket}`).textContent()).toBe('0.30');
    // The row's open price is the live ask at the click (its current price is the bid, 1.25000).
    expect(await row.textContent()).toContain('1.25020');

    await page.getByTestId('tab-journal').click();
    await page.locator('[data-testid^="journal-paper-"]').first().waitFor();
    await h.screenshot('desktop-paper-journal');

    // The real terminal: no order ever reached it.
    expect(h.sim.state.positions()).toEqual([]);
    expect(h.sim.state.orders()).toEqual([]);
    expect(h.sim.state.historyOrders()).toEqual([]);
    expect(h.sim.state.deals().map((d) => d.comment)).toEqual(['initial deposit']);

    // Back to the live account, explicitly: the marks go away.
    await page.getByTestId('paper-back-to-live').click();
    await page.locator('[data-testid="bridge-state"][data-state="connected"]').waitFor();
    await expect.poll(() => page.getByTestId('header-paper-mark').count()).toBe(0);
    expect(await page.getByTestId('paper-mark-buy-EURUSD').count()).toBe(0);
  });

  it('charges the commission and slippage set in Settings on the next paper fill', async () => {
    const { page } = h;
    await page.getByTestId('paper-open').click();
    await page.locator('[data-testid="bridge-state"][data-state="paper"]').waitFor();
    await page.getByTestId('open-settings').click();
    // No broker profile plays the simulator's server: no commission and no slippage by default.
    await expect.poll(() => page.getByTestId('settings-paper-commission').inputValue()).toBe('0');
    expect(await page.getByTestId('settings-paper-slippage').inputValue()).toBe('0');
    expect(await page.getByTestId('settings-paper-costs-origin').textContent()).toMatch(/no broker profile/);
    await page.getByTestId('settings-paper-commission').fill('-1');
    expect(await page.getByTestId('settings-paper-costs-save').isDisabled()).toBe(true);
    await page.getByTestId('settings-paper-commission').fill('2.5');
    await page.getByTestId('settings-paper-slippage').fill('3');
    await page.getByTestId('settings-paper-costs-save').click();
    await expect
      .poll(() => page.getByTestId('settings-paper-costs-origin').textContent())
      .toMatch(/set here/);
    await page.keyboard.press('Escape');

    h.sim.setPrice('EURUSD', 1.26, 1.2602);
    await expect.poll(() => page.getByTestId('oneclick-ask-EURUSD').textContent()).toBe('1.26020');
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.40');
    await page.getByTestId('buy-EURUSD').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('tab-positions').click();
    // 3 points above the live ask, and 0.40 lot × 2.50 = 1.00 commission taken from the balance.
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]', { hasText: '1.26023' });
    await row.waitFor();
    const paper = await h.app.dispatcher.invoke('paper:get-status', {}, { via: 'e2e' });
    expect(paper.ok && paper.value).toMatchObject({
      costs: { commissionPerLotPerSide: 2.5, slippagePoints: 3, commissionFrom: 'trader' },
    });
    await expect.poll(() => page.getByTestId('account-balance').textContent()).toMatch(/9,999\.00/);
    expect(h.sim.state.deals().map((d) => d.comment)).toEqual(['initial deposit']);
  });
});
