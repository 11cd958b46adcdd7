import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktop, type DesktopHarness } from './harness';

describe('a netting account in the desktop UI', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    h = await startDesktop({ tickMs: 0, marginMode: 'netting', watchlist: ['EURUSD', 'USDJPY'] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('adds a second buy to the one position of the symbol, and a sell reduces it', async () => {
    const { page } = h;
    await page.getByTestId('positions').getByText('Netting account').waitFor();
    const rows = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]');
    await page.getByTestId('buy-EURUSD').click();
    await rows.first().waitFor();
    await page.getByTestId('buy-EURUSD').click();
    const ticket = (await rows.first().getAttribute('data-testid'))?.replace('position-', '') ?? '';
    await expect.poll(() => page.getByTestId(`position-volume-${ticket}`).textContent()).toBe('0.20');
    expect(await rows.count()).toBe(1);
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.05');
    await page.getByTestId('sell-EURUSD').click();
    await expect.poll(() => page.getByTestId(`position-volume-${ticket}`).textContent()).toBe('0.15');
    expect(h.sim.state.positions().map((p) => p.volume)).toEqual([0.15]);
    await page.getByTestId('close-all').click();
    await rows.first().waitFor({ state: 'detached' });
    expect(h.sim.state.positions()).toEqual([]);
  });
});
