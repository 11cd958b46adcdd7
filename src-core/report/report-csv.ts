import type { ClosedTrade, EquityPoint } from './report';

/**
 * A CSV cell: quoted when it holds a comma, quote or line break; text a spreadsheet would run as a formula is
 * prefixed with an apostrophe (symbols and ids come from the terminal and may be anything).
 */
function cell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A trade-server time as ISO 8601 ("Z" here means the server's wall clock, which is what MT5 shows). */
export const serverIso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** R of a trade (net / initial risk) to 2 decimals; empty when it opened without a known stop. */
export const rText = (t: ClosedTrade): string =>
  t.initialRisk === null || t.initialRisk <= 0 ? '' : (t.netProfit / t.initialRisk).toFixed(2);

/**
 * The report's trades as CSV, one row per closed trade or partial close, times on the trade server's clock, money
 * with the account currency's decimals (a cent account's USC has 2 like any other).
 */
export function tradesCsv(trades: readonly ClosedTrade[], currencyDigits = 2): string {
  const header =
    'position,symbol,side,volume,open_time_server,open_price,close_time_server,close_price,net_profit,r';
  const rows = trades.map((t) =>
    [
      cell(t.positionId),
      cell(t.symbol),
      t.side,
      t.volume,
      serverIso(t.openTimeMs),
      t.openPrice,
      serverIso(t.closeTimeMs),
      t.closePrice,
      t.netProfit.toFixed(currencyDigits),
      rText(t),
    ].join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

/** The equity (or balance) curve as CSV; `cash` holds a deposit or withdrawal that moved it, else empty. */
export function equityCsv(points: readonly EquityPoint[], currencyDigits = 2): string {
  const rows = points.map(
    (p) =>
      `${serverIso(p.timeMs)},${p.equity.toFixed(currencyDigits)},${p.cash === undefined ? '' : p.cash.toFixed(currencyDigits)}`,
  );
  return `${['time_server,equity,cash', ...rows].join('\n')}\n`;
}
