import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktop, type DesktopHarness } from './harness';

const HOUR = 3_600_000;
const OFFSET_SEC = 3 * 3600;

/** `YYYY-MM-DDTHH:mm` of an instant on a clock `shiftMs` from UTC (the server's: +3 h). */
function wallOnShiftedClock(utcMs: number, shiftMs: number): string {
  return new Date(utcMs + shiftMs).toISOString().slice(0, 16);
}

/** `YYYY-MM-DDTHH:mm` of an instant in New York, as the browser's datetime-local input takes it. */
function wallInNewYork(utcMs: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The next whole minute after `ms`: what a trader can type into a minute-precision field. */
const wholeMinute = (ms: number): number => Math.ceil(ms / 60_000) * 60_000;

/**
 * One clock model, end to end (docs/clock-model.md): a trade server on UTC+3 (the simulator's clock and its
 * hello say so) and a browser in New York. The expiration typed on either clock reaches MT5 as the instant the
 * trader meant, on the server's clock; the confirmation shows both clocks; every time shown is labelled.
 */
describe('clocks: a UTC+3 trade server and a browser in New York', () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    h = await startDesktop({
      tickMs: 0,
      isOneClickEnabled: false,
      timeOffsetSec: OFFSET_SEC,
      timezoneId: 'America/New_York',
      watchlist: ['EURUSD'],
    });
    // A step that cannot happen fails with its own name, well inside the test's time.
  });
  afterAll(async () => {
    await h.close();
  });

  async function placeBuyLimit(expiration: string): Promise<string> {
    const { page } = h;
    await page.getByTestId('ticket-symbol').selectOption('EURUSD');
    await page.getByTestId('ticket-mode-pending').click();
    await page.getByTestId('ticket-kind-buy_limit').click();
    const ask = Number(await page.getByTestId('ticket-ask').textContent());
    await page.getByTestId('ticket-price').fill((ask - 0.005).toFixed(5));
    await page.getByTestId('ticket-sl').fill('');
    await page.getByTestId('ticket-tp').fill('');
    await page.getByTestId('ticket-expiration').fill(expiration);
    // Nothing stands in the way: a refusal here would name itself rather than time out below.
    expect(await page.getByTestId('ticket-problems').count()).toBe(0);
    await page.getByTestId('ticket-submit').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    const words = (await dialog.textContent()) ?? '';
    const before = new Set(h.sim.state.orders().map((o) => o.ticket));
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => h.sim.state.orders().filter((o) => !before.has(o.ticket)).length).toBe(1);
    return words;
  }

  const newest = () => h.sim.state.orders().sort((a, b) => Number(b.ticket) - Number(a.ticket))[0];

  it('labels every time with its clock, and the status bar says which', async () => {
    const { page } = h;
    await expect.poll(() => page.getByTestId('clock-chip').textContent()).toContain('server (UTC+3)');
    await expect.poll(() => page.getByTestId('positions-time-header').textContent()).toBe('Time (server)');
  });

  it('accepts an expiration 2 h ahead typed on the server clock, sent as server time', async () => {
    const target = wholeMinute(Date.now() + 2 * HOUR);
    const typed = wallOnShiftedClock(target, OFFSET_SEC * 1000);
    await page().getByTestId('ticket-mode-pending').click();
    expect(await page().getByTestId('ticket-expiration-label').textContent()).toContain(
      'server time (UTC+3)',
    );
    const words = await placeBuyLimit(typed);
    // The confirmation names both clocks: 3 h ahead of UTC on the server, 5 h behind in New York (winter) or 4.
    expect(words).toContain(`${typed.replace('T', ' ')}:00 server time (UTC+3)`);
    expect(words).toMatch(/= \d{4}-\d\d-\d\d \d\d:\d\d:00 local time \(UTC−[45]\)/);
    const order = newest();
    expect(order?.expirationMs).toBe(target + OFFSET_SEC * 1000);
    await expect.poll(() => page().getByTestId('ticket-error').count()).toBe(0);
  });

  it('stores 5 h ahead typed in New York time at the instant meant, and shows it in local time', async () => {
    await h.settings({ timeDisplay: 'local' });
    await expect.poll(() => page().getByTestId('clock-chip').getAttribute('data-clock')).toBe('local');
    const target = wholeMinute(Date.now() + 5 * HOUR);
    const typed = wallInNewYork(target);
    await page().getByTestId('ticket-mode-pending').click();
    expect(await page().getByTestId('ticket-expiration-label').textContent()).toMatch(/local time/);
    const words = await placeBuyLimit(typed);
    expect(words).toContain(`${typed.replace('T', ' ')}:00 local time`);
    expect(words).toContain(
      `${wallOnShiftedClock(target, OFFSET_SEC * 1000).replace('T', ' ')}:00 server time`,
    );
    const order = newest();
    // MT5 gets the server-clock time of that instant: not 3 h early, not 5 h late.
    expect(order?.expirationMs).toBe(target + OFFSET_SEC * 1000);
    const row = page().getByTestId(`order-${order?.ticket ?? ''}`);
    await row.waitFor();
    expect(await row.textContent()).toContain(`${typed.replace('T', ' ')}:00`);
    expect(await page().getByTestId('orders-expires-header').textContent()).toBe('Expires (local)');
    await h.screenshot('desktop-clock-local');
    await h.settings({ timeDisplay: 'server' });
  });

  function page() {
    return h.page;
  }
});
