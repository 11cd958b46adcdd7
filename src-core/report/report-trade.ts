import type { ClosedTrade as HistoryTrade } from '../history/closed-trades';
import type { ClosedTrade } from './report';

/**
 * A History row as a report's trade: its net (swap and both sides' commission included) and the money it risked
 * to the stop it opened with (`riskPerLot` × its volume), null when it opened without one or it is not known.
 */
export function reportTradeOf(t: HistoryTrade, riskPerLot: ReadonlyMap<string, number>): ClosedTrade {
  const risk = riskPerLot.get(t.positionId);
  return {
    positionId: t.positionId,
    symbol: t.symbol,
    side: t.side,
    volume: t.volume,
    // Without its opening deal (older than the deals loaded) a trade still counts; its open reads as its close.
    openTimeMs: t.openTimeMs ?? t.closeTimeMs,
    openPrice: t.openPrice ?? t.closePrice,
    closeTimeMs: t.closeTimeMs,
    closePrice: t.closePrice,
    netProfit: t.net,
    initialRisk: risk === undefined ? null : risk * t.volume,
  };
}
