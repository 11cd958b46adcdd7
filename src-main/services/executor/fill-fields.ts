import type { TradeResult } from '../../../src-bridge/protocol/messages';
import type { Operation } from '../../../src-core/contracts/orders';
import type { JournalPatch } from '../journal';

/** The journal fields an executed order_send result fills in (tickets, fill price and volume, quote). */
export function fillFields(res: TradeResult, operation: Operation): JournalPatch {
  const positive = (t: string): string | undefined => (t === '0' ? undefined : t);
  const patch: JournalPatch = {};
  if (res.volume > 0) patch.filledVolume = res.volume;
  if (res.price > 0) patch.filledPrice = res.price;
  if (res.bid > 0) patch.bid = res.bid;
  if (res.ask > 0) patch.ask = res.ask;
  const order = positive(res.order);
  const deal = positive(res.deal);
  if (order !== undefined) patch.order = order;
  if (deal !== undefined) patch.deal = deal;
  // MT5's position id equals the opening order's ticket; hedging closes keep the position they were sent for.
  if (operation === 'open_market' && order !== undefined) patch.position = order;
  return patch;
}
