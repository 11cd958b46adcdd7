import { roundMoney, toDecimals } from '../trading/numbers';
import type { Deal, DealReason } from './deal';

/**
 * One closed trade as the History tab lists it: one row per exit deal, so a partial close is its own row and a
 * position closed in three steps shows three (MT5's History tab in "Positions" view does the same per close).
 */
export interface ClosedTrade {
  /** The exit deal's ticket: unique per row. */
  readonly id: string;
  readonly positionId: string;
  readonly symbol: string;
  /** The direction of the position that was closed (a sell deal closes a buy). */
  readonly side: 'buy' | 'sell';
  /** Volume closed by this deal. */
  readonly volume: number;
  /**
   * When and at what price the position (its current leg, after a netting reversal) opened, on the trade
   * server's clock; null when its opening deal is older than the deals loaded.
   */
  readonly openTimeMs: number | null;
  /** Volume-weighted over the opening deals (netting adds); null as `openTimeMs`. */
  readonly openPrice: number | null;
  readonly closeTimeMs: number;
  readonly closePrice: number;
  /** Who closed it: `sl`, `tp`, `so` (stop-out) are the trade server's own closes. */
  readonly reason: DealReason;
  /** True when the position still had volume after this close. */
  readonly isPartial: boolean;
  /** The exit deal's commission plus the opening deals' commission for the volume closed here. */
  readonly commission: number;
  readonly swap: number;
  readonly profit: number;
  /** profit + swap + commission: what the close added to the balance. */
  readonly net: number;
  /** The opening deal's comment (MT5 overwrites the closing deal's comment on SL/TP closes). */
  readonly comment: string;
}

interface OpenLeg {
  side: 'buy' | 'sell';
  volume: number;
  price: number;
  timeMs: number;
  /** Entry commission not yet charged to a close, for `volume`. */
  commission: number;
  comment: string;
}

const VOLUME_DECIMALS = 8;
const isTradeDeal = (d: Deal): d is Deal & { kind: 'buy' | 'sell' } => d.kind === 'buy' || d.kind === 'sell';

/**
 * Pairs entry and exit deals by position id into closed trades, oldest close first. Works the same on hedging
 * accounts (one position per opening deal) and netting ones (adds move the average price; an INOUT deal closes
 * the whole position and opens the rest the other way, keeping the position id). `money` decimals round the
 * commission share. Balance, credit and other non-trade deals are not trades and are left out.
 */
export function closedTrades(deals: readonly Deal[], currencyDigits = 2): ClosedTrade[] {
  const ordered = deals
    .filter(isTradeDeal)
    .slice()
    .sort((a, b) => a.timeMs - b.timeMs || compareTickets(a.ticket, b.ticket));
  const legs = new Map<string, OpenLeg>();
  const trades: ClosedTrade[] = [];
  for (const deal of ordered) {
    const leg = legs.get(deal.positionId);
    if (deal.entry === 'in') {
      if (leg === undefined || leg.volume <= 0) {
        legs.set(deal.positionId, {
          side: deal.kind,
          volume: deal.volume,
          price: deal.price,
          timeMs: deal.timeMs,
          commission: deal.commission,
          comment: deal.comment,
        });
      } else {
        const volume = toDecimals(leg.volume + deal.volume, VOLUME_DECIMALS);
        leg.price = (leg.price * leg.volume + deal.price * deal.volume) / volume;
        leg.volume = volume;
        leg.commission += deal.commission;
      }
      continue;
    }
    // An exit: out, out_by or the closing half of a reversal. The position's side is the opposite of the deal's.
    const side = deal.kind === 'buy' ? 'sell' : 'buy';
    const closing =
      deal.entry === 'inout' ? (leg?.volume ?? 0) : Math.min(deal.volume, leg?.volume ?? deal.volume);
    const share = leg !== undefined && leg.volume > 0 ? Math.min(1, closing / leg.volume) : 0;
    const entryCommission = leg === undefined ? 0 : roundMoney(leg.commission * share, currencyDigits);
    const rest = leg === undefined ? 0 : toDecimals(leg.volume - closing, VOLUME_DECIMALS);
    const commission = roundMoney(deal.commission + entryCommission, currencyDigits);
    trades.push({
      id: deal.ticket,
      positionId: deal.positionId,
      symbol: deal.symbol,
      side,
      volume: deal.entry === 'inout' ? closing : deal.volume,
      openTimeMs: leg?.timeMs ?? null,
      openPrice: leg === undefined ? null : leg.price,
      closeTimeMs: deal.timeMs,
      closePrice: deal.price,
      reason: deal.reason,
      isPartial: deal.entry !== 'inout' && rest > 0,
      commission,
      swap: deal.swap,
      profit: deal.profit,
      net: roundMoney(deal.profit + deal.swap + commission, currencyDigits),
      comment: leg?.comment ?? '',
    });
    if (leg !== undefined) {
      leg.commission -= entryCommission;
      leg.volume = Math.max(0, rest);
    }
    if (deal.entry === 'inout') {
      const opened = toDecimals(deal.volume - closing, VOLUME_DECIMALS);
      if (opened > 0) {
        legs.set(deal.positionId, {
          side: deal.kind,
          volume: opened,
          price: deal.price,
          timeMs: deal.timeMs,
          commission: 0,
          comment: deal.comment,
        });
      }
    } else if (leg !== undefined && leg.volume <= 0) {
      legs.delete(deal.positionId);
    }
  }
  return trades;
}

/** Tickets are decimal strings of up to 20 digits: longer is larger, then text order. */
function compareTickets(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The pips a closed trade made (positive = in its favour), to 1 decimal; null when its open price is unknown.
 * `pip` is the symbol's pip size (src-core/trading/numbers.ts `pipSize`).
 */
export function tradePips(
  trade: Pick<ClosedTrade, 'side' | 'openPrice' | 'closePrice'>,
  pip: number,
): number | null {
  if (trade.openPrice === null || !(pip > 0)) return null;
  const moved =
    trade.side === 'buy' ? trade.closePrice - trade.openPrice : trade.openPrice - trade.closePrice;
  return Math.round((moved / pip) * 10) / 10;
}
