import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeStatus } from '../../src-core/contracts/ipc';
import { seriousAxeFindings } from './axe';
import { startDesktop, type DesktopHarness } from './harness';
import { layoutProblems } from './layout-probe';

/** The window sizes a trader's desk has: a small laptop, a common laptop, a full HD monitor. */
const SIZES = [
  { width: 1024, height: 640 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The Report tab (docs/user-guide.md, "Report") against the simulated trade server's own deals: trades made
 * through the UI (one with a 20-pip stop closed in two parts, one without a stop at a loss), the figures on
 * screen worked out here from the broker's deals, and both exports read back.
 */
describe('the session report', { timeout: 120_000 }, () => {
  let h: DesktopHarness;
  let riskPerLot = 0;
  let stopped = '';

  beforeAll(async () => {
    h = await startDesktop({ tickMs: 0, viewport: SIZES[1], reconnect: false, watchlist: ['EURUSD'] });
    h.page.setDefaultTimeout(10_000);
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
  });
  afterAll(async () => {
    await h.close();
  });

  const openFromOneClick = async (volume: string, slPips: string): Promise<string> => {
    const { page } = h;
    const before = new Set(h.sim.state.positions().map((p) => p.ticket));
    await page.getByTestId('oneclick-volume-EURUSD').fill(volume);
    await page.getByTestId('oneclick-sl-EURUSD').fill(slPips);
    await page.getByTestId('buy-EURUSD').click();
    await expect.poll(() => h.sim.state.positions().length).toBe(before.size + 1);
    const ticket = h.sim.state.positions().find((p) => !before.has(p.ticket))?.ticket ?? '';
    await page.getByTestId(`position-${ticket}`).waitFor();
    return ticket;
  };

  it('makes trades on the simulator: a partial and a final close with a stop, a loss without one', async () => {
    const { page } = h;
    stopped = await openFromOneClick('0.20', '20');
    const opened = h.sim.state.positions().find((p) => p.ticket === stopped);
    expect(opened?.sl).toBeGreaterThan(0);
    // EURUSD on a USD account: 100,000 USD per lot per 1.0 of price.
    riskPerLot = round2(((opened?.priceOpen ?? 0) - (opened?.sl ?? 0)) * 100_000);
    h.sim.setPrice('EURUSD', 1.1011, 1.1012);
    await page.getByTestId(`position-partial-${stopped}`).click();
    await page.getByTestId(`position-partial-volume-${stopped}`).fill('0.05');
    await page.getByTestId(`position-partial-close-${stopped}`).click();
    await expect.poll(() => page.getByTestId(`position-volume-${stopped}`).textContent()).toBe('0.15');
    await page.getByTestId(`position-close-${stopped}`).click();
    await page.getByTestId(`position-${stopped}`).waitFor({ state: 'detached' });

    const loser = await openFromOneClick('0.10', '');
    h.sim.setPrice('EURUSD', 1.0991, 1.0992);
    await page.getByTestId(`position-close-${loser}`).click();
    await page.getByTestId(`position-${loser}`).waitFor({ state: 'detached' });
  });

  /** The report's figures worked out from the trade server's deals of this session, as docs/backtest.md says. */
  const expected = async () => {
    const status = await h.app.dispatcher.invoke('bridge:get-status', {}, { via: 'e2e' });
    if (!status.ok) throw new Error(status.error.message);
    const bridge = BridgeStatus.parse(status.value);
    const session = bridge.sessions.find((s) => s.id === bridge.activeSessionId);
    if (session === undefined) throw new Error('no active session');
    const fromMs = session.connectedAtMs + session.timeOffsetSec * 1000;
    const deals = h.sim.state.deals();
    const money = (d: (typeof deals)[number]): number => d.profit + d.swap + d.commission;
    const entries = new Map<string, { volume: number; commission: number }>();
    const nets: { position: string; volume: number; net: number }[] = [];
    let cash = 0;
    for (const d of deals) {
      if (d.type !== 0 && d.type !== 1) {
        if (d.timeMsc >= fromMs) cash += money(d);
        continue;
      }
      if (d.entry === 0) {
        entries.set(d.positionId, { volume: d.volume, commission: d.commission });
        continue;
      }
      const entry = entries.get(d.positionId);
      const share = entry === undefined ? 0 : round2((entry.commission * d.volume) / entry.volume);
      if (d.timeMsc >= fromMs)
        nets.push({ position: d.positionId, volume: d.volume, net: round2(money(d) + share) });
    }
    const balanceNow = h.sim.state.account().balance;
    const since = deals.filter((d) => d.timeMsc >= fromMs).reduce((sum, d) => sum + money(d), 0);
    const start = round2(balanceNow - since);
    const wins = nets.filter((t) => t.net > 0);
    const losses = nets.filter((t) => t.net < 0);
    const grossProfit = round2(wins.reduce((s, t) => s + t.net, 0));
    const grossLoss = round2(losses.reduce((s, t) => s + t.net, 0));
    let balance = start;
    let peak = start;
    let drawdown = 0;
    let drawdownPercent = 0;
    for (const t of nets) {
      balance = round2(balance + t.net);
      peak = Math.max(peak, balance);
      drawdown = Math.max(drawdown, round2(peak - balance));
      drawdownPercent = Math.max(drawdownPercent, ((peak - balance) / peak) * 100);
    }
    const withStop = nets.filter((t) => t.position === stopped);
    const averageR =
      withStop.reduce((s, t) => s + t.net / (riskPerLot * t.volume), 0) / Math.max(1, withStop.length);
    return {
      nets,
      start,
      end: round2(start + grossProfit + grossLoss),
      cash,
      wins,
      losses,
      grossProfit,
      grossLoss,
      drawdown,
      drawdownPercent,
      averageR,
      withStop,
    };
  };

  it('shows the figures the deals give, on the session by default', async () => {
    const { page } = h;
    await page.getByTestId('tab-report').click();
    const e = await expected();
    // The scene is what the test set out to make: three closes, two of them with a stop, one loss.
    expect(e.nets).toHaveLength(3);
    expect(e.withStop).toHaveLength(2);
    expect(e.losses).toHaveLength(1);
    expect(e.cash).toBe(0);
    const n = e.nets.length;
    const fig = (id: string) => page.getByTestId(`report-${id}`);
    await expect.poll(() => fig('trades').textContent()).toBe(String(n));
    expect(await fig('win-rate').textContent()).toBe(`${((e.wins.length / n) * 100).toFixed(1)} %`);
    expect(await fig('net').textContent()).toBe(`${(e.grossProfit + e.grossLoss).toFixed(2)} USD`);
    expect(await fig('profit-factor').textContent()).toBe((e.grossProfit / -e.grossLoss).toFixed(2));
    expect(await fig('expectancy').textContent()).toBe(
      `${((e.grossProfit + e.grossLoss) / n).toFixed(2)} USD`,
    );
    expect(await fig('average-r').textContent()).toBe(e.averageR.toFixed(2));
    expect(await fig('drawdown').textContent()).toBe(
      `${e.drawdown.toFixed(2)} USD (${(Math.round(e.drawdownPercent * 100) / 100).toFixed(2)} %)`,
    );
    expect(await fig('balance').textContent()).toBe(`${e.start.toFixed(2)} → ${e.end.toFixed(2)} USD`);
    await page.getByTestId('report-chart').locator('canvas').first().waitFor();
    // A demo account is not a paper one: no mark.
    expect(await page.getByTestId('report-mark').count()).toBe(0);
  });

  const download = async (testId: string): Promise<{ name: string; text: string }> => {
    const [file] = await Promise.all([h.page.waitForEvent('download'), h.page.getByTestId(testId).click()]);
    return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
  };

  it('exports the same report as a self-contained HTML file and the trades and balance as CSV', async () => {
    const e = await expected();
    const html = await download('report-export-html');
    expect(html.name).toMatch(/^pipdesk-report-\d+-\d{4}-\d{2}-\d{2}\.html$/);
    expect(html.text).not.toMatch(/<script|src=|href=|url\(/i);
    expect(html.text).toContain('<svg');
    for (const id of ['trades', 'win-rate', 'profit-factor', 'expectancy', 'average-r', 'drawdown']) {
      const shown = (await h.page.getByTestId(`report-${id}`).textContent()) ?? '';
      expect(html.text).toContain(`<td>${shown}</td>`);
    }

    const trades = await download('report-export-trades');
    expect(trades.name).toMatch(/^pipdesk-trades-\d+-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = trades.text.trim().split('\n');
    expect(rows[0]).toBe(
      'position,symbol,side,volume,open_time_server,open_price,close_time_server,close_price,net_profit,r',
    );
    // Position, symbol, side, volume, then (after the times and prices) the net and R.
    const cells = rows.slice(1).map((r) => r.split(','));
    expect(cells.map((c) => [...c.slice(0, 4), ...c.slice(8)])).toEqual(
      e.nets.map((t) => [
        t.position,
        'EURUSD',
        'buy',
        String(t.volume),
        t.net.toFixed(2),
        t.position === stopped ? (t.net / (riskPerLot * t.volume)).toFixed(2) : '',
      ]),
    );
    for (const c of cells)
      expect([c[4], c[6]]).toEqual([expect.stringMatching(/^\d{4}-/), expect.stringMatching(/^\d{4}-/)]);

    const equity = await download('report-export-equity');
    const points = equity.text.trim().split('\n');
    expect(points[0]).toBe('time_server,equity,cash');
    // The balance at the start, then after each close.
    expect(points.slice(1).map((p) => p.split(',')[1])).toEqual(
      [e.start, ...e.nets.map((_, i) => e.start + e.nets.slice(0, i + 1).reduce((s, t) => s + t.net, 0))].map(
        (x) => round2(x).toFixed(2),
      ),
    );
  });

  it('answers "no trades" for a period without closes', async () => {
    const { page } = h;
    await page.getByTestId('report-period').selectOption('custom');
    await page.getByTestId('report-from').fill('2020-01-01');
    await page.getByTestId('report-to').fill('2020-01-31');
    await page.getByTestId('report-no-trades').waitFor();
    expect(await page.getByTestId('report-trades').textContent()).toBe('0');
    expect(await page.getByTestId('report-win-rate').textContent()).toBe('—');
    expect(await page.getByTestId('report-profit-factor').textContent()).toBe('—');
    await page.getByTestId('report-period').selectOption('session');
    await page.getByTestId('report-chart').waitFor();
  });

  it.each(SIZES)('fits the window at $width×$height: nothing clipped, axe clean', async (size) => {
    const { page } = h;
    await page.setViewportSize(size);
    await page.getByTestId('report-chart').locator('canvas').first().waitFor();
    expect
      .soft(
        await layoutProblems(page, [
          'report-period',
          'report-export-html',
          'report-export-trades',
          'report-export-equity',
          'report-trades',
          'report-win-rate',
          'report-profit-factor',
          'report-expectancy',
          'report-average-r',
          'report-drawdown',
          'report-chart',
        ]),
      )
      .toEqual([]);
    expect.soft(await seriousAxeFindings(page)).toEqual([]);
    await h.screenshot(`report-${String(size.width)}x${String(size.height)}`);
  });
});

/** A paper account's report carries the PAPER mark on screen and in the exported file (docs/paper-trading.md). */
describe('the report of a paper account', { timeout: 120_000 }, () => {
  let h: DesktopHarness;

  beforeAll(async () => {
    // A version not starting with `sim`: the app takes the simulator for a real EA, so a paper account can open.
    h = await startDesktop({ tickMs: 0, eaVersion: '2.00', reconnect: false, watchlist: ['EURUSD'] });
    h.page.setDefaultTimeout(10_000);
    h.sim.setPrice('EURUSD', 1.1, 1.1001);
  });
  afterAll(async () => {
    await h.close();
  });

  it('marks the figures and the HTML PAPER, and counts the paper trade with its R', async () => {
    const { page } = h;
    await page.locator('[data-testid="bridge-state"][data-state="connected"]').waitFor();
    await page.getByTestId('paper-open').click();
    await page.locator('[data-testid="bridge-state"][data-state="paper"]').waitFor();
    await page.getByTestId('oneclick-volume-EURUSD').fill('0.10');
    await page.getByTestId('oneclick-sl-EURUSD').fill('20');
    await page.getByTestId('buy-EURUSD').click();
    const row = page.locator('tr[data-testid^="position-"][data-symbol="EURUSD"]').first();
    await row.waitFor();
    const ticket = (await row.getAttribute('data-testid'))?.replace('position-', '') ?? '';
    // 30 pips up on 0.10 lot (no commission or swap on paper): +30.00 against 20 pips risked, 20.00 → 1.5 R.
    h.sim.setPrice('EURUSD', 1.1031, 1.1032);
    await expect.poll(() => page.getByTestId(`position-pips-${ticket}`).textContent()).toBe('30.0');
    await page.getByTestId(`position-close-${ticket}`).click();
    await page.getByTestId(`position-${ticket}`).waitFor({ state: 'detached' });

    await page.getByTestId('tab-report').click();
    await page.getByTestId('report-mark').waitFor();
    expect(await page.getByTestId('report-mark').textContent()).toBe('PAPER');
    await expect.poll(() => page.getByTestId('report-trades').textContent()).toBe('1');
    expect(await page.getByTestId('report-win-rate').textContent()).toBe('100.0 %');
    expect(await page.getByTestId('report-net').textContent()).toBe('30.00 USD');
    expect(await page.getByTestId('report-profit-factor').textContent()).toBe('—');
    expect(await page.getByTestId('report-average-r').textContent()).toBe('1.50');
    expect(await page.getByTestId('report-drawdown').textContent()).toBe('0.00 USD (0.00 %)');
    await h.screenshot('report-paper-1440x900');

    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-export-html').click(),
    ]);
    const html = await readFile(await file.path(), 'utf8');
    expect(html).toContain('<span class="mark">PAPER</span>');
    expect(html).toContain('Average R</th><td>1.50</td>');
    // The live terminal never saw the paper trade.
    expect(h.sim.state.positions()).toEqual([]);
    expect(h.sim.state.deals().filter((d) => d.type === 0 || d.type === 1)).toEqual([]);
  });
});
