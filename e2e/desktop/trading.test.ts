import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktop, type DesktopHarness } from './harness';

/** Reads a price cell (bid/ask) as a number. */
async function priceOf(h: DesktopHarness, testId: string): Promise<number> {
  const text = await h.page.getByTestId(testId).textContent();
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${testId} shows no price: ${text}`);
  return value;
}

/** The ticket of the newest position row of a symbol, once it is on screen. */
async function newestPosition(
  h: DesktopHarness,
  symbol: string,
  known: readonly string[] = [],
): Promise<string> {
  const rows = h.page.locator(`tr[data-testid^="position-"][data-symbol="${symbol}"]`);
  const notKnown = known.map((t) => `:not([data-testid="position-${t}"])`).join('');
  const row = h.page.locator(`tr[data-testid^="position-"][data-symbol="${symbol}"]${notKnown}`).first();
  await row.waitFor();
  expect(await rows.count()).toBeGreaterThan(0);
  return (await row.getAttribute('data-testid'))?.replace('position-', '') ?? '';
}

describe('trading from the desktop UI (web host + simulator)', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    // A still feed: prices change only when the test says so, so every level below is exact.
    h = await startDesktop({
      tickMs: 0,
      watchlist: ['EURUSD', 'GBPUSD', 'USDJPY', 'GBPJPY', 'XAUUSD', 'US500'],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('one-click buy, see the position, modify SL/TP, partial close, close', async () => {
    const { page } = h;
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.20');
    await page.getByTestId('buy-EURUSD').click();
    const ticket = await newestPosition(h, 'EURUSD');
    await expect.poll(() => page.getByTestId(`position-volume-${ticket}`).textContent()).toBe('0.20');
    expect(h.sim.state.positions().map((p) => [p.ticket, p.volume])).toEqual([[ticket, 0.2]]);

    const bid = await priceOf(h, 'watch-bid-EURUSD');
    const sl = (bid - 0.003).toFixed(5);
    const tp = (bid + 0.004).toFixed(5);
    await page.getByTestId(`position-modify-${ticket}`).click();
    await page.getByTestId(`position-sl-input-${ticket}`).fill(sl);
    await page.getByTestId(`position-tp-input-${ticket}`).fill(tp);
    await page.getByTestId(`position-save-${ticket}`).click();
    await expect.poll(() => page.getByTestId(`position-sl-${ticket}`).textContent()).toBe(sl);
    await expect.poll(() => page.getByTestId(`position-tp-${ticket}`).textContent()).toBe(tp);
    expect(h.sim.state.positions()[0]).toMatchObject({ sl: Number(sl), tp: Number(tp) });
    await h.screenshot('desktop-positions');

    await page.getByTestId(`position-partial-${ticket}`).click();
    await page.getByTestId(`position-partial-volume-${ticket}`).fill('0.05');
    await page.getByTestId(`position-partial-close-${ticket}`).click();
    await expect.poll(() => page.getByTestId(`position-volume-${ticket}`).textContent()).toBe('0.15');
    expect(h.sim.state.positions()[0]?.volume).toBe(0.15);

    await page.getByTestId(`position-close-${ticket}`).click();
    await page.getByTestId(`position-${ticket}`).waitFor({ state: 'detached' });
    expect(h.sim.state.positions()).toEqual([]);
  });

  it('sizes a position in the calculator, uses it in the ticket and opens exactly that size', async () => {
    const { page } = h;
    await page.getByTestId('tab-calculator').click();
    await page.getByTestId('calc-symbol').selectOption('EURUSD');
    await page.getByTestId('calc-risk').fill('1');
    await page.getByTestId('calc-sl').fill('25');
    await page.getByTestId('calc-tp').fill('50');
    // 1% of the balance over 25 pips at 10 USD per pip per lot: 0.40 lots on 10,000 USD, rounded down to the
    // step on what the spreads of the earlier trades left.
    const balance = h.sim.state.account().balance;
    const lots = (Math.floor((balance * 0.01) / 250 / 0.01 + 1e-9) * 0.01).toFixed(2);
    await expect.poll(() => page.getByTestId('calc-lots').textContent()).toBe(`${lots} lots`);
    await h.screenshot('desktop-calculator');
    await page.getByTestId('calc-use').click();
    await page.getByTestId('ticket').waitFor();
    expect(await page.getByTestId('ticket-volume').inputValue()).toBe(lots);
    expect(await page.getByTestId('ticket-sl').inputValue()).toBe('25');
    expect(await page.getByTestId('ticket-tp').inputValue()).toBe('50');
    // The volume field has the focus so the user can adjust before sending.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'ticket-volume',
    );
    await page.getByTestId('ticket-submit').click();
    const ticket = await newestPosition(h, 'EURUSD');
    await expect.poll(() => page.getByTestId(`position-volume-${ticket}`).textContent()).toBe(lots);
    const opened = h.sim.state.positions().find((p) => p.ticket === ticket);
    expect(opened?.volume).toBe(Number(lots));
    expect(opened?.sl).toBeGreaterThan(0);
    await page.getByTestId(`position-close-${ticket}`).click();
    await page.getByTestId(`position-${ticket}`).waitFor({ state: 'detached' });
  });

  it('shows the rule for an invalid stop and sends nothing', async () => {
    const { page } = h;
    const before = await h.app.dispatcher.invoke('journal:query', { limit: 500 }, { via: 'e2e' });
    if (!before.ok) throw new Error(before.error.message);
    const countBefore = (before.value as { entries: unknown[] }).entries.length;
    const positionsBefore = h.sim.state.positions().length;

    await page.getByTestId('tab-ticket').click();
    await page.getByTestId('ticket-symbol').selectOption('GBPJPY');
    await page.getByTestId('ticket-mode-market').click();
    await page.getByTestId('ticket-side-buy').click();
    await page.getByTestId('ticket-volume').fill('0.10');
    await page.getByTestId('ticket-stop-unit-price').click();
    const bid = await priceOf(h, 'ticket-bid');
    // GBPJPY's stops level is 20 points: a stop 1 pip (10 points) under the bid is too close.
    await page.getByTestId('ticket-sl').fill((bid - 0.01).toFixed(3));
    const problems = page.getByTestId('ticket-problems');
    await expect
      .poll(() => problems.textContent())
      .toMatch(/Stop loss must be at least 20 points below the bid/);
    expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);
    await h.screenshot('desktop-invalid-stop', { isForDocs: true });

    await page.getByTestId('ticket-sl').fill((bid + 0.5).toFixed(3));
    await expect.poll(() => problems.textContent()).toMatch(/Stop loss must be below the bid/);
    expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);
    // What was typed stays as typed.
    expect(await page.getByTestId('ticket-sl').inputValue()).toBe((bid + 0.5).toFixed(3));

    const after = await h.app.dispatcher.invoke('journal:query', { limit: 500 }, { via: 'e2e' });
    if (!after.ok) throw new Error(after.error.message);
    expect((after.value as { entries: unknown[] }).entries.length).toBe(countBefore);
    expect(h.sim.state.positions().length).toBe(positionsBefore);
  });

  it('journals every intent with its state and retcode in words, filterable', async () => {
    const { page } = h;
    // A refusal by the terminal: Algo Trading switched off in MT5 (retcode 10027).
    h.sim.setAutotrading(false);
    await page.getByTestId('sell-USDJPY').click();
    await page.getByTestId('oneclick-error-USDJPY').waitFor();
    h.sim.setAutotrading(true);
    await page.getByTestId('sell-USDJPY').click();
    const ticket = await newestPosition(h, 'USDJPY');

    await page.getByTestId('tab-journal').click();
    const all = await h.app.dispatcher.invoke('journal:query', { limit: 500 }, { via: 'e2e' });
    if (!all.ok) throw new Error(all.error.message);
    const entries = (all.value as { entries: { id: string; state: string }[] }).entries;
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) {
      await page.getByTestId(`journal-row-${entry.id}`).waitFor();
    }
    await expect.poll(() => page.locator('tr[data-testid^="journal-row-"]').count()).toBe(entries.length);
    const rejected = page.locator('tr[data-testid^="journal-row-"][data-state="rejected"]');
    await expect.poll(() => rejected.count()).toBeGreaterThan(0);
    expect(await rejected.first().textContent()).toMatch(/10027/);
    await h.screenshot('desktop-journal');

    await page.getByTestId('journal-filter-refused').click();
    await expect
      .poll(() => page.locator('tr[data-testid^="journal-row-"]').count())
      .toBe(entries.filter((e) => e.state === 'rejected' || e.state === 'failed').length);
    await page.getByTestId('journal-filter-all').click();
    await page.getByTestId('journal-search').fill(ticket);
    await expect.poll(() => page.locator('tr[data-testid^="journal-row-"]').count()).toBeGreaterThan(0);
  });
});
