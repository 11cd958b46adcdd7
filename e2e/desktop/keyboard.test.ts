import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktop, type DesktopHarness } from './harness';

/**
 * A trader with no mouse (docs/user-guide.md, Keyboard): every flow with Tab, Shift+Tab, Enter, Space, Escape and
 * typed text only, never a click. One-click is off, so each order asks in a dialog first: focus starts in it,
 * stays in it, and comes back to the control that opened it (or, when that control is gone with its position,
 * to the table it was in).
 */
describe('keyboard-only trading', () => {
  let h: DesktopHarness;
  let ticket = '';

  /** The focused element's test id, or its tag when it has none (BODY when focus was lost). */
  const active = (): Promise<string> =>
    h.page.evaluate(() => {
      const el = document.activeElement;
      return el?.getAttribute('data-testid') ?? el?.tagName ?? 'none';
    });
  const isFocusInside = (testId: string): Promise<boolean> =>
    h.page.evaluate(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.contains(document.activeElement) ?? false,
      testId,
    );
  /** Presses Tab (or Shift+Tab) until `testId` has focus: it must be reachable that way. */
  const tabTo = async (testId: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> => {
    for (let i = 0; i < 150; i += 1) {
      if ((await active()) === testId) return;
      await h.page.keyboard.press(key);
    }
    throw new Error(`${key} never reached ${testId} (focus is on ${await active()})`);
  };
  /** Replaces the focused field's text with `text`, as typing over a selection does. */
  const typeOver = async (text: string): Promise<void> => {
    await h.page.keyboard.press('Control+A');
    await h.page.keyboard.type(text);
  };
  /** Tab and Shift+Tab a few times each: focus never leaves the dialog. */
  const expectTrapped = async (testId: string): Promise<void> => {
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await h.page.keyboard.press(key);
      expect(await isFocusInside(testId)).toBe(true);
    }
  };

  beforeAll(async () => {
    h = await startDesktop({
      tickMs: 0,
      isOneClickEnabled: false,
      viewport: { width: 1280, height: 720 },
      watchlist: ['EURUSD', 'GBPUSD'],
    });
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
    await h.page.getByTestId('account-balance').waitFor();
  });
  afterAll(async () => {
    await h.close();
  });

  it('places a market order from the ticket; the confirmation traps focus and gives it back', async () => {
    const { page } = h;
    // Tabbing through the one-click panels selects each symbol in turn, and the ticket follows the selection
    // until it has a symbol of its own: pick it by typing its name into the focused list.
    await tabTo('ticket-symbol');
    await page.keyboard.type('EURUSD');
    await expect.poll(() => page.getByTestId('ticket-symbol').inputValue()).toBe('EURUSD');
    await tabTo('ticket-side-buy');
    await page.keyboard.press('Space');
    await tabTo('ticket-volume');
    await typeOver('0.20');
    await tabTo('ticket-stop-unit-pips');
    await page.keyboard.press('Space');
    await tabTo('ticket-sl');
    await typeOver('20');
    await page.keyboard.press('Tab');
    expect(await active()).toBe('ticket-tp');
    await typeOver('40');
    await tabTo('ticket-submit');
    await expect.poll(() => page.getByTestId('ticket-submit').isEnabled()).toBe(true);

    // Escape cancels: nothing sent, focus back on the send button.
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await active()).toBe('confirm-ok');
    await expectTrapped('confirm-dialog');
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    expect(await active()).toBe('ticket-submit');
    expect(h.sim.state.positions()).toEqual([]);

    // Shift+Tab goes back through the form; Enter on the dialog's default answer sends.
    await tabTo('ticket-tp', 'Shift+Tab');
    await tabTo('ticket-submit');
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    await tabTo('confirm-ok');
    await page.keyboard.press('Enter');
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    ticket = ((await row.getAttribute('data-testid')) ?? '').replace('position-', '');
    const opened = h.sim.state.positions().find((p) => p.ticket === ticket);
    expect(opened?.volume).toBe(0.2);
    expect(Math.round(((opened?.priceOpen ?? 0) - (opened?.sl ?? 0)) / 0.0001)).toBe(20);
    // Back on the send button once it is usable again, ready for the next order.
    await expect.poll(active).toBe('ticket-submit');
  });

  it('modifies the position’s SL and TP', async () => {
    const { page } = h;
    await tabTo(`position-modify-${ticket}`);
    await page.keyboard.press('Enter');
    expect(await active()).toBe(`position-sl-input-${ticket}`);
    await typeOver('1.09700');
    await page.keyboard.press('Tab');
    expect(await active()).toBe(`position-tp-input-${ticket}`);
    await typeOver('1.10600');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId(`position-sl-${ticket}`).textContent()).toBe('1.09700');
    expect(h.sim.state.positions().find((p) => p.ticket === ticket)).toMatchObject({ sl: 1.097, tp: 1.106 });
    // The inputs are gone; focus is back on the button that opened them, not lost to the page.
    await expect.poll(active).toBe(`position-modify-${ticket}`);

    // Escape leaves an edit without sending, focus back on the button too.
    await page.keyboard.press('Enter');
    await typeOver('1.09000');
    await page.keyboard.press('Escape');
    await expect.poll(active).toBe(`position-modify-${ticket}`);
    expect(h.sim.state.positions().find((p) => p.ticket === ticket)?.sl).toBe(1.097);
  });

  it('closes the position; focus stays in the positions table', async () => {
    const { page } = h;
    await tabTo(`position-close-${ticket}`);
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await active()).toBe('confirm-ok');
    await expectTrapped('confirm-dialog');
    await tabTo('confirm-ok', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId(`position-${ticket}`).waitFor({ state: 'detached' });
    expect(h.sim.state.positions()).toEqual([]);
    await expect.poll(() => isFocusInside('positions')).toBe(true);
  });

  it('sizes a trade in the calculator, uses it in the ticket and sends it', async () => {
    const { page } = h;
    await tabTo('tab-calculator', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('calculator').waitFor();
    await tabTo('calc-symbol');
    await page.keyboard.type('EURUSD');
    await expect.poll(() => page.getByTestId('calc-symbol').inputValue()).toBe('EURUSD');
    await tabTo('calc-risk');
    await typeOver('1');
    await tabTo('calc-sl');
    await typeOver('25');
    await expect.poll(() => page.getByTestId('calc-lots').textContent()).toMatch(/^\d+\.\d+ lots$/);
    const lots = Number.parseFloat((await page.getByTestId('calc-lots').textContent()) ?? '');
    await tabTo('calc-use');
    await page.keyboard.press('Enter');
    await page.getByTestId('ticket').waitFor();
    // "Use in ticket" hands the keyboard to the ticket, not to the page.
    await expect.poll(() => isFocusInside('ticket')).toBe(true);
    expect(Number(await page.getByTestId('ticket-volume').inputValue())).toBe(lots);
    await tabTo('ticket-submit');
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    await page.keyboard.press('Enter');
    await page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first().waitFor();
    expect(h.sim.state.positions().map((p) => p.volume)).toEqual([lots]);
  });
});
