import { describe, expect, it } from 'vitest';
import { sessionReport, type ClosedTrade } from './report';
import { equityCsv, tradesCsv } from './report-csv';
import { escapeHtml, reportFigures, reportHtml } from './report-html';

const trade = (t: Partial<ClosedTrade>): ClosedTrade => ({
  positionId: '1',
  symbol: 'EURUSD',
  side: 'buy',
  volume: 0.1,
  openTimeMs: Date.UTC(2026, 0, 5, 10),
  closeTimeMs: Date.UTC(2026, 0, 5, 11),
  openPrice: 1.1,
  closePrice: 1.101,
  netProfit: 10,
  initialRisk: 20,
  ...t,
});
const trades = [
  trade({}),
  trade({ positionId: '2', symbol: '=HYPERLINK("x")<b>', netProfit: -5, initialRisk: null }),
];
const equity = [
  { timeMs: Date.UTC(2026, 0, 5), equity: 1_000 },
  { timeMs: Date.UTC(2026, 0, 5, 11), equity: 1_010 },
  { timeMs: Date.UTC(2026, 0, 5, 12), equity: 1_505, cash: 500 },
];
const report = sessionReport({ trades, equity, startBalance: 1_000 });

describe('reportHtml', () => {
  const html = reportHtml({
    title: 'Account 5 <script>alert(1)</script>',
    subtitle: 'Today & "tomorrow"',
    mark: 'PAPER',
    currency: 'USC',
    curve: 'balance',
    report,
    equity,
    trades,
  });

  it('is self-contained: no script, nothing fetched, the curve inline', () => {
    expect(html).not.toMatch(/<script|src=|href=|url\(|@import/i);
    expect(html).toContain('<svg');
    expect(html).toContain('<polyline');
  });

  it('escapes every text it did not write itself', () => {
    expect(html).toContain('Account 5 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Today &amp; &quot;tomorrow&quot;');
    expect(html).toContain('<td>=HYPERLINK(&quot;x&quot;)&lt;b&gt;</td>');
    expect(html).not.toContain('<b>');
  });

  it('shows the figures the screen shows, the mark and the currency', () => {
    for (const f of reportFigures(report, 'USC')) {
      expect(html).toContain(`<th scope="row">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td>`);
    }
    expect(html).toContain('<span class="mark">PAPER</span>');
    expect(html).toContain('Win rate</th><td>50.0 %');
    expect(html).toContain('Profit factor</th><td>2.00');
    expect(html).toContain('Expectancy</th><td>2.50 USC');
    expect(html).toContain('Average R</th><td>0.50');
    expect(html).toContain('Balance at start → end');
  });
});

describe('report CSV', () => {
  it('writes one row per trade with R where a stop was known and defuses formulas', () => {
    const lines = tradesCsv(trades).trim().split('\n');
    expect(lines[0]).toBe(
      'position,symbol,side,volume,open_time_server,open_price,close_time_server,close_price,net_profit,r',
    );
    expect(lines[1]).toBe('1,EURUSD,buy,0.1,2026-01-05T10:00:00Z,1.1,2026-01-05T11:00:00Z,1.101,10.00,0.50');
    expect(lines[2]).toBe(
      `2,"'=HYPERLINK(""x"")<b>",buy,0.1,2026-01-05T10:00:00Z,1.1,2026-01-05T11:00:00Z,1.101,-5.00,`,
    );
  });

  it('writes the curve with the cash moves that stepped it', () => {
    expect(equityCsv(equity, 0)).toBe(
      'time_server,equity,cash\n2026-01-05T00:00:00Z,1000,\n2026-01-05T11:00:00Z,1010,\n2026-01-05T12:00:00Z,1505,500\n',
    );
  });
});
