import type { JournalEntry } from '../contracts/journal';

/** Money lost per lot if a position opened at `entry` were closed at `stop` (positive); undefined if unknown. */
export type LossPerLot = (
  symbol: string,
  side: 'buy' | 'sell',
  entry: number,
  stop: number,
) => number | undefined;

/**
 * Money at risk per lot to the stop each position opened with, by position id, from the journal's market orders
 * that were done with a stop loss (deals do not carry stops). The first such order of a position is its initial
 * risk: a netting add or a later stop move does not change what the trade set out to risk. Positions opened
 * outside Pipdesk, without a stop, or older than the journal entries given have none and are left out of the
 * average R (docs/backtest.md, "The report").
 */
export function riskPerLotFromJournal(
  entries: readonly Pick<
    JournalEntry,
    'operation' | 'state' | 'symbol' | 'side' | 'position' | 'sl' | 'filledPrice' | 'createdAt'
  >[],
  lossPerLot: LossPerLot,
): Map<string, number> {
  const out = new Map<string, number>();
  const seen = new Set<string>();
  const opens = entries
    .filter((e) => e.operation === 'open_market' && e.state === 'done')
    .slice()
    .sort((a, b) => a.createdAt - b.createdAt);
  for (const e of opens) {
    if (e.position === null || seen.has(e.position)) continue;
    seen.add(e.position);
    if (e.sl === null || e.filledPrice === null || e.symbol === null) continue;
    if (e.side !== 'buy' && e.side !== 'sell') continue;
    const loss = lossPerLot(e.symbol, e.side, e.filledPrice, e.sl);
    if (loss !== undefined && loss > 0) out.set(e.position, loss);
  }
  return out;
}
