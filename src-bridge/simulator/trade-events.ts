import { TXN_TYPE } from '../protocol/enums';
import { MAX_TRADE_EVENT_DEALS, type TradeEvent, type TxnEvent } from '../protocol/messages';

/**
 * The `changes` form of trade_events (docs/bridge-protocol.md, "trade_events"): the transactions of one turn of
 * the event loop become one `trade` event, sent after that turn's answers. The EA does the same per timer call:
 * MT5 calls OnTradeTransaction after the handler that sent the orders returns, and the next timer call sends what
 * piled up. A burst of pipelined orders read in one go is therefore one event, not six frames per order.
 */
export class TradeEventBatch {
  readonly #send: (event: TradeEvent) => void;
  #txns = 0;
  #deals: string[] = [];
  #isScheduled = false;
  readonly #flushLater = (): void => {
    this.#isScheduled = false;
    this.flush();
  };

  /** `send` writes one event (the terminal's link). */
  constructor(send: (event: TradeEvent) => void) {
    this.#send = send;
  }

  /** Counts one transaction; the event goes out at the end of this turn, or at once when its deal list is full. */
  add(txn: TxnEvent): void {
    this.#txns += 1;
    if (txn.txnType === TXN_TYPE.DEAL_ADD && txn.deal !== '0') {
      this.#deals.push(txn.deal);
      if (this.#deals.length >= MAX_TRADE_EVENT_DEALS) {
        this.flush();
        return;
      }
    }
    if (!this.#isScheduled) {
      this.#isScheduled = true;
      // nextTick, not a timer: the event joins this turn's corked write, right after the answers.
      process.nextTick(this.#flushLater);
    }
  }

  /** Sends what has piled up, if anything. */
  flush(): void {
    if (this.#txns === 0) return;
    const event: TradeEvent = { type: 'trade', txns: this.#txns, deals: this.#deals };
    this.#txns = 0;
    this.#deals = [];
    this.#send(event);
  }

  /** Forgets what piled up (the link is gone: a reconnect starts over in the `txn` form). */
  clear(): void {
    this.#txns = 0;
    this.#deals = [];
  }
}
