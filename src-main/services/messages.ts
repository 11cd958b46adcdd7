import { decimalsOf } from '../../src-core/trading/numbers';
import type { PendingKind } from '../../src-core/contracts/orders';

/** Plain-words helpers for results a trader reads. */

/** Formats a price with the symbol's digits. */
export function fmtPrice(price: number, digits: number): string {
  return price.toFixed(digits);
}

/** Formats a volume with the decimals of the volume step (0.01 → "0.10"). */
export function fmtVolume(volume: number, step = 0.01): string {
  return volume.toFixed(Math.max(2, decimalsOf(step)));
}

const PENDING_WORDS: Readonly<Record<PendingKind, string>> = {
  buy_limit: 'buy limit',
  sell_limit: 'sell limit',
  buy_stop: 'buy stop',
  sell_stop: 'sell stop',
};

/** "buy limit" for `buy_limit`. */
export function pendingWords(kind: PendingKind): string {
  return PENDING_WORDS[kind];
}

/** "SL 1.08000" or "no SL". */
export function fmtStop(label: 'SL' | 'TP', value: number | null, digits: number): string {
  return value === null || value === 0 ? `no ${label}` : `${label} ${fmtPrice(value, digits)}`;
}

export const NOT_CONNECTED_MESSAGE =
  'MetaTrader 5 is not connected, so nothing was sent. Open the terminal with the Pipdesk EA attached and try again.';

/**
 * An unknown outcome offers no retry: the order may have executed, and "not executed" is only said once proven
 * (docs/order-lifecycle.md, "When absence is proof").
 */
export const UNKNOWN_OUTCOME_MESSAGE =
  'We could not confirm whether this went through: MetaTrader 5 did not answer in time. It is marked "unknown" in ' +
  'the journal and checked again automatically, including when the terminal reconnects, and Pipdesk tells you as ' +
  'soon as it knows. It may have been executed: do not place it again until then.';
