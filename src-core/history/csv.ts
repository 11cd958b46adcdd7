import {
  formatWallClock,
  formatWallDate,
  serverToUtcMs,
  wallTimeAt,
  type ClockZone,
} from '../time/clock-model';
import { decimalsOf } from '../trading/numbers';
import type { ClosedTrade } from './closed-trades';

/** What {@link tradesToCsv} needs besides the trades. */
export interface CsvOptions {
  readonly zone: ClockZone;
  /** The trade server's clock minus UTC, seconds (deal times are on the server's clock). */
  readonly offsetSec: number;
  readonly currency: string;
  /** Decimals of the account currency: every money column has exactly these. */
  readonly currencyDigits: number;
  /** Price decimals of a symbol (its spec's digits); prices of unknown symbols are written as they are. */
  readonly digitsOf: (symbol: string) => number | undefined;
  /** Pips of a trade, or null when unknown. */
  readonly pipsOf: (trade: ClosedTrade) => number | null;
  /** The volume step's decimals (lots), default 2. */
  readonly volumeStep?: number;
}

/**
 * RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted and its quotes doubled. A text field that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with an apostrophe (OWASP's CSV
 * injection advice): comments come from the terminal and may be anything.
 */
export function csvField(value: string, isText = true): string {
  const safe = isText && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const REASON_WORDS: Readonly<Record<ClosedTrade['reason'], string>> = {
  client: 'manual',
  mobile: 'mobile',
  web: 'web',
  expert: 'Pipdesk/EA',
  sl: 'stop loss',
  tp: 'take profit',
  so: 'stop-out',
  rollover: 'rollover',
  vmargin: 'variation margin',
  split: 'split',
  other: 'other',
};

/** Words for who closed a trade, as the History tab and the CSV say them. */
export function closeReasonWords(reason: ClosedTrade['reason']): string {
  return REASON_WORDS[reason];
}

/**
 * The trades as CSV (header first, CRLF line ends as RFC 4180 says), times on the chosen clock with the clock
 * named in the header, money with the account currency's decimals and no thousands separators.
 */
export function tradesToCsv(trades: readonly ClosedTrade[], options: CsvOptions): string {
  const clock = options.zone.kind;
  const time = (serverMs: number | null): string => {
    if (serverMs === null) return '';
    const wall = wallTimeAt(serverToUtcMs(serverMs, options.offsetSec), options.zone);
    return `${formatWallDate(wall)} ${formatWallClock(wall)}`;
  };
  const money = (n: number): string => (Object.is(n, -0) ? 0 : n).toFixed(options.currencyDigits);
  const priceText = (symbol: string, p: number | null): string => {
    if (p === null) return '';
    const digits = options.digitsOf(symbol);
    return digits === undefined ? String(p) : p.toFixed(digits);
  };
  const volumeDigits = decimalsOf(options.volumeStep ?? 0.01);
  const header = [
    'Position',
    'Deal',
    'Symbol',
    'Side',
    'Volume',
    `Open time (${clock})`,
    'Open price',
    `Close time (${clock})`,
    'Close price',
    'Closed by',
    'Pips',
    `Commission (${options.currency})`,
    `Swap (${options.currency})`,
    `Profit (${options.currency})`,
    `Net (${options.currency})`,
    'Comment',
  ];
  const rows = trades.map((t) => {
    const pips = options.pipsOf(t);
    return [
      csvField(t.positionId),
      csvField(t.id),
      csvField(t.symbol),
      t.side,
      t.volume.toFixed(volumeDigits),
      time(t.openTimeMs),
      priceText(t.symbol, t.openPrice),
      time(t.closeTimeMs),
      priceText(t.symbol, t.closePrice),
      csvField(closeReasonWords(t.reason) + (t.isPartial ? ' (partial)' : '')),
      pips === null ? '' : pips.toFixed(1),
      money(t.commission),
      money(t.swap),
      money(t.profit),
      money(t.net),
      csvField(t.comment),
    ].join(',');
  });
  return [header.map((h) => csvField(h)).join(','), ...rows].join('\r\n') + '\r\n';
}
