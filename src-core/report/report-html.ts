import { downsampleEquity, type ClosedTrade, type EquityPoint, type SessionReport } from './report';
import { rText, serverIso } from './report-csv';

/** Text made safe for HTML content and attribute values. */
export const escapeHtml = (s: string): string =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** Most rows the HTML lists; the CSV has them all. */
export const HTML_TRADE_ROWS = 2_000;

/** What {@link reportHtml} shows. */
export interface ReportHtmlInput {
  readonly title: string;
  /** A line under the title: the account and the period, or the data and the broker. */
  readonly subtitle?: string;
  /** PAPER or REPLAY: shown beside the title, as the app marks such an account everywhere. */
  readonly mark?: string | null;
  readonly currency: string;
  readonly currencyDigits?: number;
  /** A backtest samples equity at bar closes; an account's report draws its balance after each close. */
  readonly curve?: 'equity' | 'balance';
  readonly report: SessionReport;
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly ClosedTrade[];
}

/** Names and formats of the report's figures, shared by the HTML and the screen so both say the same. */
export function reportFigures(
  r: SessionReport,
  currency: string,
  currencyDigits = 2,
): readonly { readonly id: string; readonly label: string; readonly value: string }[] {
  const money = (x: number): string => `${(Object.is(x, -0) ? 0 : x).toFixed(currencyDigits)} ${currency}`;
  const ratio = (x: number | null): string => (x === null ? '—' : x.toFixed(2));
  return [
    { id: 'trades', label: 'Trades', value: String(r.trades) },
    {
      id: 'win-rate',
      label: 'Win rate',
      value: r.winRate === null ? '—' : `${(r.winRate * 100).toFixed(1)} %`,
    },
    { id: 'net', label: 'Net profit', value: money(r.netProfit) },
    { id: 'profit-factor', label: 'Profit factor', value: ratio(r.profitFactor) },
    { id: 'expectancy', label: 'Expectancy', value: r.expectancy === null ? '—' : money(r.expectancy) },
    { id: 'average-r', label: 'Average R', value: ratio(r.averageR) },
    {
      id: 'drawdown',
      label: 'Max drawdown',
      value: `${money(r.maxDrawdown)} (${r.maxDrawdownPercent.toFixed(2)} %)`,
    },
    {
      id: 'gross',
      label: 'Gross profit / loss',
      value: `${money(r.grossProfit)} / ${money(r.grossLoss)}`,
    },
  ];
}

/** The curve as an inline SVG polyline with its range labelled: no script, so the report opens anywhere, offline. */
export function equitySvg(points: readonly EquityPoint[], currencyDigits = 2): string {
  if (points.length < 2) return '<p>Not enough points for a curve.</p>';
  const shown = downsampleEquity(points, 2_000);
  const width = 960;
  const height = 300;
  const t0 = shown[0]?.timeMs ?? 0;
  const t1 = shown.at(-1)?.timeMs ?? 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of shown) {
    lo = Math.min(lo, p.equity);
    hi = Math.max(hi, p.equity);
  }
  const span = hi - lo || 1;
  const x = (p: EquityPoint): string => (((p.timeMs - t0) / (t1 - t0 || 1)) * width).toFixed(1);
  const y = (p: EquityPoint): string => (height - ((p.equity - lo) / span) * height).toFixed(1);
  const xy = shown.map((p) => `${x(p)},${y(p)}`).join(' ');
  const loText = lo.toFixed(currencyDigits);
  const hiText = hi.toFixed(currencyDigits);
  return (
    `<svg viewBox="-4 -14 ${String(width + 8)} ${String(height + 28)}" width="100%" role="img" ` +
    `aria-label="Curve from ${loText} to ${hiText}" xmlns="http://www.w3.org/2000/svg">` +
    `<line x1="0" y1="0" x2="${String(width)}" y2="0" stroke="#d0d7de"/>` +
    `<line x1="0" y1="${String(height)}" x2="${String(width)}" y2="${String(height)}" stroke="#d0d7de"/>` +
    `<text x="0" y="-3" font-size="11" fill="#57606a">${hiText}</text>` +
    `<text x="0" y="${String(height + 12)}" font-size="11" fill="#57606a">${loText}</text>` +
    `<polyline fill="none" stroke="#2f81f7" stroke-width="1.5" points="${xy}"/></svg>`
  );
}

/**
 * A self-contained HTML report (the figures, the curve as inline SVG, the trades; no script and nothing fetched),
 * the same for an account's report in the app and a backtest's `report.html` (docs/backtest.md, "The report").
 */
export function reportHtml(input: ReportHtmlInput): string {
  const { report: r, currency } = input;
  const digits = input.currencyDigits ?? 2;
  const curve = input.curve ?? 'equity';
  const money = (x: number): string => `${x.toFixed(digits)} ${currency}`;
  const rows: [string, string][] = [
    ...reportFigures(r, currency, digits).map((f): [string, string] => [f.label, f.value]),
    [
      curve === 'balance' ? 'Balance at start → end' : 'Start balance → end equity',
      `${money(r.startBalance)} → ${money(r.endEquity)}`,
    ],
  ];
  const tradeRows = input.trades
    .slice(0, HTML_TRADE_ROWS)
    .map((t) =>
      [
        t.positionId,
        t.symbol,
        t.side,
        String(t.volume),
        serverIso(t.openTimeMs),
        String(t.openPrice),
        serverIso(t.closeTimeMs),
        String(t.closePrice),
        t.netProfit.toFixed(digits),
        rText(t),
      ]
        .map((c) => `<td>${escapeHtml(c)}</td>`)
        .join(''),
    )
    .map((cells) => `<tr>${cells}</tr>`)
    .join('');
  const title = escapeHtml(input.title);
  const mark =
    input.mark === undefined || input.mark === null
      ? ''
      : ` <span class="mark">${escapeHtml(input.mark)}</span>`;
  const subtitle = input.subtitle === undefined ? '' : `<p class="sub">${escapeHtml(input.subtitle)}</p>`;
  const more =
    input.trades.length > HTML_TRADE_ROWS
      ? ` (first ${HTML_TRADE_ROWS.toLocaleString('en-US')}; all in the trades CSV)`
      : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2328}table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #d0d7de;text-align:right}td:first-child,th:first-child{text-align:left}.sub{color:#57606a}.mark{font-size:.6em;vertical-align:middle;padding:.1em .4em;border-radius:3px;background:#9a6700;color:#fff}</style></head>
<body><h1>${title}${mark}</h1>${subtitle}<table>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<h2>${curve === 'balance' ? 'Balance' : 'Equity'}</h2>${equitySvg(input.equity, digits)}
<h2>Trades${more}</h2><table><thead><tr><th>Position</th><th>Symbol</th><th>Side</th><th>Volume</th><th>Opened (server)</th><th>Price</th><th>Closed (server)</th><th>Price</th><th>Net</th><th>R</th></tr></thead><tbody>${tradeRows}</tbody></table>
<p class="sub">Times on the trade server's clock. Net includes swap and both sides' commission. R is net / money at risk to the initial stop.</p></body></html>
`;
}
