import type { ClosedTrade } from './report';

/** The fields of an MT5 deal that closed trades are built from (the bridge's WireDeal has them all). */
export interface DealForTrades {
  readonly positionId: string;
  readonly symbol: string;
  /** ENUM_DEAL_TYPE: 0 BUY, 1 SELL (others — balance, credit — are not trades and are skipped). */
  readonly type: number;
  /** ENUM_DEAL_ENTRY: 0 IN, 1 OUT, 2 INOUT (netting reversal), 3 OUT_BY. */
  readonly entry: number;
  readonly volume: number;
  readonly price: number;
  readonly profit: number;
  readonly swap: number;
  readonly commission: number;
  readonly timeMsc: number;
}

interface OpenLeg {
  side: 'buy' | 'sell';
  volume: number;
  /** Volume-weighted mean of the entry prices (a netting position may be added to). */
  price: number;
  timeMs: number;
  /** Entry commission not yet attributed to a close. */
  commission: number;
}

/**
 * Closed trades from deals in time order: each exit deal (OUT, OUT_BY, or the closing part of an INOUT reversal)
 * is one trade against the position's entry, carrying its share of the entry commission. `riskPerLot` gives the
 * money at risk per lot to the stop each position opened with (from the session's record of its orders).
 */
export function closedTradesFromDeals(
  deals: readonly DealForTrades[],
  riskPerLot: ReadonlyMap<string, number> = new Map(),
): ClosedTrade[] {
  const open = new Map<string, OpenLeg>();
  const trades: ClosedTrade[] = [];
  const sorted = [...deals].sort((a, b) => a.timeMsc - b.timeMsc);
  for (const d of sorted) {
    if (d.type !== 0 && d.type !== 1) continue;
    const side = d.type === 0 ? 'buy' : 'sell';
    const leg = open.get(d.positionId);
    const enter = (volume: number, commission: number): void => {
      if (volume <= 0) return;
      const current = open.get(d.positionId);
      if (current === undefined || current.side !== side) {
        open.set(d.positionId, { side, volume, price: d.price, timeMs: d.timeMsc, commission });
        return;
      }
      const total = current.volume + volume;
      current.price = (current.price * current.volume + d.price * volume) / total;
      current.volume = total;
      current.commission += commission;
    };
    if (d.entry === 0 || leg === undefined) {
      enter(d.volume, d.commission);
      continue;
    }
    // An exit (or the closing part of a reversal) of the open leg.
    const closing = Math.min(d.volume, leg.volume);
    const share = leg.volume > 0 ? closing / leg.volume : 0;
    const entryCommission = leg.commission * share;
    const exitShare = d.volume > 0 ? closing / d.volume : 0;
    const risk = riskPerLot.get(d.positionId);
    trades.push({
      positionId: d.positionId,
      symbol: d.symbol,
      side: leg.side,
      volume: closing,
      openTimeMs: leg.timeMs,
      closeTimeMs: d.timeMsc,
      openPrice: leg.price,
      closePrice: d.price,
      netProfit: d.profit + d.swap + d.commission * exitShare + entryCommission,
      initialRisk: risk === undefined ? null : risk * closing,
    });
    leg.volume -= closing;
    leg.commission -= entryCommission;
    if (leg.volume <= 1e-9) open.delete(d.positionId);
    if (d.entry === 2) enter(d.volume - closing, d.commission * (1 - exitShare));
  }
  return trades;
}
