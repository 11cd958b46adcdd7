import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { equityCsv, tradesCsv } from '../../src-core/report/report-csv';
import { reportHtml, type ReportHtmlInput } from '../../src-core/report/report-html';

/**
 * Writes report.html, trades.csv and equity.csv into `dir` (created); returns their paths. The contents are the
 * app's Report tab exports (src-core/report), so a backtest and an account's report read the same.
 */
export function writeReportFiles(
  dir: string,
  input: ReportHtmlInput,
): { readonly html: string; readonly trades: string; readonly equity: string } {
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'report.html');
  const trades = join(dir, 'trades.csv');
  const equity = join(dir, 'equity.csv');
  const digits = input.currencyDigits ?? 2;
  writeFileSync(html, reportHtml(input));
  writeFileSync(trades, tradesCsv(input.trades, digits));
  writeFileSync(equity, equityCsv(input.equity, digits));
  return { html, trades, equity };
}
