import { priceToPoints } from './numbers';
import type { Side, SymbolSpec } from './symbol-spec';

/**
 * Why a stop the calculator sized would not survive the ticket: it sits inside the spread (a buy's stop at or
 * above the bid it closes at, so it is hit, or refused, as the position opens), or closer to the closing price
 * than the symbol's stops level (SYMBOL_TRADE_STOPS_LEVEL), which the trade server refuses.
 */
export type StopDistanceIssue =
  | {
      readonly code: 'STOP_INSIDE_SPREAD';
      /** Stop distance from the entry, points. */
      readonly distancePoints: number;
      readonly spreadPoints: number;
    }
  | {
      readonly code: 'STOP_INSIDE_STOPS_LEVEL';
      /** Distance from the price the stops level is measured from, points. */
      readonly distancePoints: number;
      readonly stopsLevel: number;
    };

/** What {@link stopDistanceIssues} needs. */
export interface StopDistanceInput {
  readonly spec: Pick<SymbolSpec, 'point' | 'stopsLevel'>;
  readonly side: Side;
  /** Where the position opens: the ask for a market buy, the bid for a market sell, or the pending price. */
  readonly entry: number;
  readonly stopLoss: number;
  readonly quote: { readonly bid: number; readonly ask: number };
  /**
   * A market order: the stops level is measured from the close side of the quote now (a buy's stop from the
   * bid), as MT5 does. A pending order: from its own price, as MT5 checks it when the order is placed.
   */
  readonly isMarket: boolean;
}

/** Points with one decimal, so a distance of 19.999999 points reads and compares as 20. */
function points(distance: number, spec: Pick<SymbolSpec, 'point'>): number {
  return Math.round(priceToPoints(distance, spec) * 10) / 10;
}

/**
 * The spread and stops-level problems of a stop (docs/trading-core.md, "Sizing against the account"), empty when
 * there are none. A stop on the wrong side of the entry is sizing's own error and is not repeated here.
 * - Inside the spread: distance from the entry ≤ the current spread. A buy opens at the ask and closes at the
 *   bid, so the bid is already at or past such a stop the moment the position opens.
 * - Inside the stops level: for a market order the distance from the close side (a buy's stop below the bid, a
 *   sell's above the ask) is under SYMBOL_TRADE_STOPS_LEVEL points; for a pending order the distance from its
 *   price is. A stop already inside the spread is not also reported against the stops level.
 */
export function stopDistanceIssues(input: StopDistanceInput): StopDistanceIssue[] {
  const { spec, side, entry, stopLoss, quote } = input;
  const sign = side === 'buy' ? 1 : -1;
  const fromEntry = points(sign * (entry - stopLoss), spec);
  if (!(fromEntry > 0)) return [];
  const spreadPoints = points(quote.ask - quote.bid, spec);
  if (fromEntry <= spreadPoints)
    return [{ code: 'STOP_INSIDE_SPREAD', distancePoints: fromEntry, spreadPoints }];
  const closeSide = side === 'buy' ? quote.bid : quote.ask;
  const fromReference = input.isMarket ? points(sign * (closeSide - stopLoss), spec) : fromEntry;
  if (fromReference < spec.stopsLevel) {
    return [{ code: 'STOP_INSIDE_STOPS_LEVEL', distancePoints: fromReference, stopsLevel: spec.stopsLevel }];
  }
  return [];
}
