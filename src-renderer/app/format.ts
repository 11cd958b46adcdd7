import { decimalsOf, isMultipleOfStep } from '../../src-core/trading/numbers';
import { formatWallClock, formatWallDate, wallTimeAt, type ClockZone } from '../../src-core/time/clock-model';

/**
 * Display formatting. Prices keep the symbol's digits (trailing zeros matter to a trader: 1.08500, not 1.085),
 * money keeps the currency's decimals with thousands separators, and nothing here ever rounds a value that is
 * sent to the terminal: these strings are for eyes only.
 */

const NBSP = '\u00a0';

/** A price with exactly `digits` decimals; an em dash when there is no price yet. */
export function formatPrice(price: number | null | undefined, digits: number): string {
  if (price === null || price === undefined || !Number.isFinite(price)) return '—';
  return price.toFixed(Math.max(0, Math.min(digits, 10)));
}

/**
 * A price split the way dealing screens show it: the leading part small, the two "big figure" digits large and
 * the fractional pip small again. 1.08523 at 5 digits → { head: '1.08', big: '52', tail: '3' }; 157.412 at 3 →
 * { head: '157.', big: '41', tail: '2' }; 2345.67 at 2 → { head: '2345.', big: '67', tail: '' }.
 */
export function splitPrice(
  price: number | null | undefined,
  digits: number,
): { head: string; big: string; tail: string } {
  const text = formatPrice(price, digits);
  if (text === '—') return { head: '', big: '—', tail: '' };
  const tailLength = digits === 3 || digits === 5 ? 1 : 0;
  const end = text.length - tailLength;
  const start = Math.max(0, end - 2);
  return { head: text.slice(0, start), big: text.slice(start, end), tail: text.slice(end) };
}

/** Thousands separators on the integer part of a fixed string: "1234567.50" → "1,234,567.50". */
function group(fixed: string): string {
  const negative = fixed.startsWith('-');
  const body = negative ? fixed.slice(1) : fixed;
  const [int = '0', frac] = body.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** Currencies whose minor unit is not 2 decimals (ISO 4217); everything else shows cents. */
const CURRENCY_DECIMALS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, HUF: 2, BHD: 3, KWD: 3 };

/** Decimals of a currency's minor unit (JPY 0, USD 2). */
export function currencyDecimals(currency: string): number {
  return CURRENCY_DECIMALS[currency] ?? 2;
}

/** Money with separators and the currency's decimals: 10234.5, 'USD' → "10,234.50 USD". */
export function formatMoney(amount: number | null | undefined, currency?: string): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
  const decimals = currency === undefined ? 2 : currencyDecimals(currency);
  const text = group((Object.is(amount, -0) ? 0 : amount).toFixed(decimals));
  return currency === undefined ? text : `${text}${NBSP}${currency}`;
}

/** Money with an explicit sign, for profit: +12.30, -4.00, 0.00. */
export function formatSignedMoney(amount: number | null | undefined, currency?: string): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
  const text = formatMoney(amount, currency);
  return amount > 0 ? `+${text}` : text;
}

/** A volume with the step's decimals: 0.1 at step 0.01 → "0.10". */
export function formatVolume(volume: number | null | undefined, step = 0.01): string {
  if (volume === null || volume === undefined || !Number.isFinite(volume)) return '—';
  return volume.toFixed(decimalsOf(step));
}

/**
 * A volume the trader typed, for words that repeat it ("Buy 0.001 EURUSD"): on the step's grid it shows the step's
 * decimals, off the grid it shows every digit typed, so 0.001 never reads as 0.00.
 */
export function formatTypedVolume(volume: number | null | undefined, step = 0.01): string {
  if (volume === null || volume === undefined || !Number.isFinite(volume)) return '';
  return isMultipleOfStep(volume, step) ? formatVolume(volume, step) : String(volume);
}

/** Pips with one decimal, as traders quote them. */
export function formatPips(pips: number | null | undefined): string {
  if (pips === null || pips === undefined || !Number.isFinite(pips)) return '—';
  return pips.toFixed(1);
}

/** A percentage with two decimals; margin level is null when there is no margin in use. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${group(value.toFixed(2))}%`;
}

/** Spread in whole points, as MT5's market watch shows it. */
export function spreadPoints(bid: number, ask: number, point: number): number {
  return Math.round((ask - bid) / point);
}

/** Reward-to-risk as "1 : 2.50"; null when either side is missing or the risk is zero. */
export function formatRewardRisk(risk: number | null, reward: number | null): string {
  if (risk === null || reward === null || !(risk > 0) || !(reward >= 0)) return '—';
  return `1${NBSP}:${NBSP}${(reward / risk).toFixed(2)}`;
}

/** Time of day with seconds on the chosen clock, for tables: 14:03:27. `utcMs` is an instant (UTC). */
export function formatTime(utcMs: number, zone: ClockZone): string {
  return formatWallClock(wallTimeAt(utcMs, zone));
}

/** Date and time on the chosen clock: 2026-11-28 14:03:27. */
export function formatDateTime(utcMs: number, zone: ClockZone): string {
  const wall = wallTimeAt(utcMs, zone);
  return `${formatWallDate(wall)} ${formatWallClock(wall)}`;
}

/** The label a time column or field carries: "server" or "local". */
export function clockSuffix(zone: ClockZone): string {
  return zone.kind === 'server' ? 'server' : 'local';
}

/**
 * Reads a number a user typed: accepts a comma as the decimal mark (many European keyboards) and surrounding
 * spaces; returns null for empty or non-numeric text so callers can tell "not given" from zero.
 */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (cleaned === '') return null;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}
