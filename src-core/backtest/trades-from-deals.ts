import { closedTrades } from '../history/closed-trades';
import { dealEntryOf, dealKindOf, dealReasonOf, type Deal } from '../history/deal';
import type { ClosedTrade } from '../report/report';
import { reportTradeOf } from '../report/report-trade';

/** The fields of an MT5 deal that closed trades are built from (the bridge's WireDeal has them all). */
export interface DealForTrades {
  /** DEAL_TICKET; orders deals of the same millisecond. Defaults to the deal's place in the list. */
  readonly ticket?: string;
  readonly positionId: string;
  readonly symbol: string;
  /** ENUM_DEAL_TYPE: 0 BUY, 1 SELL (others — balance, credit — are not trades and are skipped). */
  readonly type: number;
  /** ENUM_DEAL_ENTRY: 0 IN, 1 OUT, 2 INOUT (netting reversal), 3 OUT_BY. */
  readonly entry: number;
  /** ENUM_DEAL_REASON (default 0, client). */
  readonly reason?: number;
  readonly volume: number;
  readonly price: number;
  readonly profit: number;
  readonly swap: number;
  readonly commission: number;
  readonly timeMsc: number;
}

/**
 * Closed trades from deals, paired exactly as the History tab pairs them (`src-core/history/closed-trades.ts`):
 * one trade per exit deal, carrying its share of the entry commission. `riskPerLot` gives the money at risk per
 * lot to the stop each position opened with (from the session's record of its orders).
 */
export function closedTradesFromDeals(
  deals: readonly DealForTrades[],
  riskPerLot: ReadonlyMap<string, number> = new Map(),
  currencyDigits = 2,
): ClosedTrade[] {
  const named = deals.flatMap((d, index): Deal[] => {
    const entry = dealEntryOf(d.entry);
    if (entry === null) return [];
    return [
      {
        ticket: d.ticket ?? String(index + 1),
        order: '',
        positionId: d.positionId,
        symbol: d.symbol,
        kind: dealKindOf(d.type),
        entry,
        reason: dealReasonOf(d.reason ?? 0),
        volume: d.volume,
        price: d.price,
        profit: d.profit,
        swap: d.swap,
        commission: d.commission,
        magic: '0',
        comment: '',
        timeMs: d.timeMsc,
      },
    ];
  });
  return closedTrades(named, currencyDigits).map((t) => reportTradeOf(t, riskPerLot));
}
