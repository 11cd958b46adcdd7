import type { Position } from '../../../src-core/contracts/ipc';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import type { QuoteView } from '../../store/market-slice';

/** The price a position closes at: bid for a buy, ask for a sell. */
export function closePrice(side: 'buy' | 'sell', quote: Pick<QuoteView, 'bid' | 'ask'>): number {
  return side === 'buy' ? quote.bid : quote.ask;
}

/**
 * Profit at the latest quote, between two `positions:changed` events. Main's figure is exact (it converts
 * currencies); this moves it along with the price using the money-per-price-unit rate implied by main's own last
 * figure, or the contract size when the profit currency is the account currency. Without either it keeps main's
 * figure rather than guess.
 */
export function liveProfit(
  position: Position,
  quote: Pick<QuoteView, 'bid' | 'ask'> | undefined,
  spec: Pick<SymbolSpec, 'contractSize' | 'currencyProfit'> | undefined,
  accountCurrency: string | undefined,
): number {
  if (quote === undefined) return position.profit;
  const close = closePrice(position.side, quote);
  const moved = position.priceCurrent - position.priceOpen;
  let perUnit: number | null = null;
  if (Math.abs(moved) > 1e-12 && position.profit !== 0) {
    perUnit = position.profit / moved;
  } else if (spec !== undefined && spec.currencyProfit === accountCurrency) {
    perUnit = (position.side === 'buy' ? 1 : -1) * position.volume * spec.contractSize;
  }
  if (perUnit === null) return position.profit;
  return Math.round(perUnit * (close - position.priceOpen) * 100) / 100;
}

/** Distance from `from` to `to` in pips for display, with sign (positive = in the trade's favour for a TP). */
export function pipsBetween(from: number, to: number, pip: number): number {
  return Math.round(((to - from) / pip) * 10) / 10;
}

/** Pips a position has made at `current` (positive = in its favour), to 1 decimal. */
export function positionPips(
  position: Pick<Position, 'side' | 'priceOpen'>,
  current: number,
  pip: number,
): number {
  if (!(pip > 0)) return 0;
  const moved = position.side === 'buy' ? current - position.priceOpen : position.priceOpen - current;
  return Math.round((moved / pip) * 10) / 10;
}

/**
 * The floating P/L of every open position at the latest quotes, swap and commission included (what equity minus
 * balance will show), rounded to `currencyDigits`.
 */
export function floatingTotal(
  positions: readonly Position[],
  quoteOf: (symbol: string) => Pick<QuoteView, 'bid' | 'ask'> | undefined,
  specOf: (symbol: string) => Pick<SymbolSpec, 'contractSize' | 'currencyProfit'> | undefined,
  accountCurrency: string | undefined,
  currencyDigits = 2,
): number {
  let sum = 0;
  for (const p of positions) {
    sum += liveProfit(p, quoteOf(p.symbol), specOf(p.symbol), accountCurrency) + p.swap + p.commission;
  }
  const f = 10 ** currencyDigits;
  return Math.round(sum * f) / f;
}
