import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClosedTrade, EquityPoint, SessionReport } from '../../src-core/backtest/report';

/** A CSV cell: quoted when it holds a comma, quote or line break; formula-leading text is defused for spreadsheets. */
function cell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The trades as CSV, one row per closed trade or partial close; times on the trade server's clock. */
export function tradesCsv(trades: readonly ClosedTrade[]): string {
  const header =
    'position,symbol,side,volume,open_time_server,open_price,close_time_server,close_price,net_profit,r';
  const rows = trades.map((t) =>
    [
      t.positionId,
      t.symbol,
      t.side,
      t.volume,
      iso(t.openTimeMs),
      t.openPrice,
      iso(t.closeTimeMs),
      t.closePrice,
      t.netProfit.toFixed(2),
      t.initialRisk === null || t.initialRisk <= 0 ? '' : (t.netProfit / t.initialRisk).toFixed(2),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

const escapeHtml = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The equity curve as an inline SVG polyline (no script, so the report opens anywhere, offline). */
function equitySvg(points: readonly EquityPoint[]): string {
  if (points.length < 2) return '<p>Not enough points for a curve.</p>';
  const width = 960;
  const height = 300;
  const t0 = points[0]?.timeMs ?? 0;
  const t1 = points.at(-1)?.timeMs ?? 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.equity);
    hi = Math.max(hi, p.equity);
  }
  const span = hi - lo || 1;
  const xy = points
    .map(
      (p) =>
        `${(((p.timeMs - t0) / (t1 - t0 || 1)) * width).toFixed(1)},${(height - ((p.equity - lo) / span) * height).toFixed(1)}`,
    )
    .join(' ');
  return `<svg viewBox="0 0 ${String(width)} ${String(height)}" width="100%" role="img" aria-label="Equity from ${lo.toFixed(2)} to ${hi.toFixed(2)}"><polyline fill="none" stroke="#2f81f7" stroke-width="1.5" points="${xy}"/></svg>`;
}

/** A self-contained HTML report: the figures, the equity curve and the trades. */
export function reportHtml(input: {
  readonly title: string;
  readonly currency: string;
  readonly report: SessionReport;
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly ClosedTrade[];
}): string {
  const { report: r, currency } = input;
  const money = (x: number): string => `${x.toFixed(2)} ${currency}`;
  const ratio = (x: number | null, digits = 2): string => (x === null ? '—' : x.toFixed(digits));
  const rows: [string, string][] = [
    ['Trades', String(r.trades)],
    ['Win rate', r.winRate === null ? '—' : `${(r.winRate * 100).toFixed(1)} %`],
    ['Net profit', money(r.netProfit)],
    ['Gross profit / loss', `${money(r.grossProfit)} / ${money(r.grossLoss)}`],
    ['Profit factor', ratio(r.profitFactor)],
    ['Expectancy (per trade)', r.expectancy === null ? '—' : money(r.expectancy)],
    ['Average R', ratio(r.averageR)],
    ['Maximum drawdown', `${money(r.maxDrawdown)} (${r.maxDrawdownPercent.toFixed(2)} %)`],
    ['Start balance → end equity', `${money(r.startBalance)} → ${money(r.endEquity)}`],
  ];
  const tradeRows = input.trades
    .slice(0, 2_000)
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.positionId)}</td><td>${t.side}</td><td>${String(t.volume)}</td><td>${iso(t.openTimeMs)}</td><td>${String(t.openPrice)}</td><td>${iso(t.closeTimeMs)}</td><td>${String(t.closePrice)}</td><td>${t.netProfit.toFixed(2)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2328}table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #d0d7de;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>
<body><h1>${escapeHtml(input.title)}</h1><table>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<h2>Equity</h2>${equitySvg(input.equity)}
<h2>Trades${input.trades.length > 2_000 ? ' (first 2,000; all in trades.csv)' : ''}</h2><table><thead><tr><th>Position</th><th>Side</th><th>Volume</th><th>Opened (server)</th><th>Price</th><th>Closed (server)</th><th>Price</th><th>Net</th></tr></thead><tbody>${tradeRows}</tbody></table></body></html>
`;
}

/** Writes report.html, trades.csv and equity.csv into `dir` (created); returns their paths. */
export function writeReportFiles(
  dir: string,
  input: Parameters<typeof reportHtml>[0],
): { readonly html: string; readonly trades: string; readonly equity: string } {
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'report.html');
  const trades = join(dir, 'trades.csv');
  const equity = join(dir, 'equity.csv');
  writeFileSync(html, reportHtml(input));
  writeFileSync(trades, tradesCsv(input.trades));
  writeFileSync(
    equity,
    `time_server,equity\n${input.equity.map((p) => `${iso(p.timeMs)},${p.equity.toFixed(2)}`).join('\n')}\n`,
  );
  return { html, trades, equity };
}
