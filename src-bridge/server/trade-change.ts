import { TXN_TYPE } from '../protocol/enums';
import type { TradeEvent, TxnEvent } from '../protocol/messages';

/**
 * What the app learns from the EA's trade events, whichever form the EA sends (docs/bridge-protocol.md,
 * "trade_events"): that positions, orders or deals changed, and which deals were added. Every consumer in the app
 * needs no more (they re-read positions, orders and history), so one stream serves an EA that coalesces into
 * `trade` events and one that predates them and sends a `txn` per OnTradeTransaction call.
 */
export interface TradeChange {
  /** How many OnTradeTransaction calls the change stands for (1 for a `txn` event). */
  readonly txns: number;
  /** Deal tickets the calls added (DEAL_ADD), in arrival order. */
  readonly deals: readonly string[];
}

const NO_DEALS: readonly string[] = [];

/** The change one `txn` event reports. */
export function changeOfTxn(txn: TxnEvent): TradeChange {
  const hasDeal = txn.txnType === TXN_TYPE.DEAL_ADD && txn.deal !== '0';
  return { txns: 1, deals: hasDeal ? [txn.deal] : NO_DEALS };
}

/** The change one `trade` event reports. */
export function changeOfTrade(event: TradeEvent): TradeChange {
  return { txns: event.txns, deals: event.deals };
}
