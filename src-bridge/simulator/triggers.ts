import { DEAL_REASON, FILLING_VALUE, ORDER_STATE, ORDER_TYPE_VALUE, TXN_TYPE } from '../protocol/enums';
import { accountFigures, calcMargin, profit } from './accounting';
import { executeDeal, retireOrder } from './execution';
import { isBuyType, isTriggered, orderTypeName, stopHit } from './trade-rules';
import type { Order, SymbolState, TradeState } from './trade-state';

/**
 * What the server does on its own when a price changes, in MT5's order: pending orders expire or trigger (a
 * stop-limit becomes a limit first; an order the free margin cannot carry is rejected), then SL/TP close
 * positions with MT5's rewritten comment, then stop-out closes the biggest loss while the margin level is at or
 * below the stop-out level.
 */

/** Runs what a new quote of `symbol` triggers. */
export function onPrice(state: TradeState, symbol: string): void {
  const s = state.symbols.get(symbol);
  if (s === undefined) return;
  const now = state.clock.now();
  for (const o of [...state.orders.values()]) {
    if (o.symbol !== symbol) continue;
    if (o.expirationMs > 0 && now >= o.expirationMs) {
      retireOrder(state, o, ORDER_STATE.EXPIRED);
      continue;
    }
    if (!state.isMarketOpen(symbol)) continue;
    maybeTrigger(state, o, s);
  }
  if (state.isMarketOpen(symbol)) {
    for (const p of [...state.positions.values()]) {
      if (p.symbol !== symbol) continue;
      const close = state.closePrice(p);
      const hit = stopHit(p, close);
      if (hit === undefined) continue;
      const digits = s.spec.digits;
      // A stop loss is a stop order: it fills at market (slipping); a take-profit is a limit and fills at the quote.
      const isBuyDeal = p.type !== 0;
      executeDeal(state, {
        symbol,
        type: isBuyDeal ? 0 : 1,
        volume: p.volume,
        price: hit === 'sl' ? state.marketFill(symbol, close, isBuyDeal) : close,
        sl: 0,
        tp: 0,
        magic: p.magic,
        comment: p.comment,
        // MT5 replaces the comment of SL/TP closing deals, which is why lookup matches on the opening deal.
        dealComment: hit === 'sl' ? `[sl ${p.sl.toFixed(digits)}]` : `[tp ${p.tp.toFixed(digits)}]`,
        target: p,
        typeFilling: FILLING_VALUE.FOK,
        reason: hit === 'sl' ? DEAL_REASON.SL : DEAL_REASON.TP,
      });
    }
  }
  stopOut(state);
}

function maybeTrigger(state: TradeState, o: Order, s: SymbolState): void {
  const name = orderTypeName(o.type);
  if (!isTriggered(name, o.priceOpen, s.bid, s.ask)) return;
  if (name === 'BUY_STOP_LIMIT' || name === 'SELL_STOP_LIMIT') {
    // The stop turns the order into a limit order at the stop-limit price.
    o.type = name === 'BUY_STOP_LIMIT' ? ORDER_TYPE_VALUE.BUY_LIMIT : ORDER_TYPE_VALUE.SELL_LIMIT;
    o.priceOpen = o.priceStopLimit;
    o.priceStopLimit = 0;
    state.emitTxn({
      txnType: TXN_TYPE.ORDER_UPDATE,
      order: o.ticket,
      symbol: o.symbol,
      orderType: o.type,
      orderState: o.state,
      price: o.priceOpen,
      volume: o.volumeCurrent,
    });
    maybeTrigger(state, o, s);
    return;
  }
  const isBuy = isBuyType(o.type);
  const type: 0 | 1 = isBuy ? 0 : 1;
  // A limit fills at its price; a triggered stop is a market order and slips like one.
  const price = name.endsWith('LIMIT')
    ? o.priceOpen
    : state.marketFill(o.symbol, isBuy ? s.ask : s.bid, isBuy);
  const margin = calcMargin(state, o.symbol, isBuy ? 'BUY' : 'SELL', o.volumeCurrent, price);
  const account = accountFigures(state);
  if (!margin.ok || account.marginFree < margin.value) {
    retireOrder(state, o, ORDER_STATE.REJECTED);
    return;
  }
  const target = state.account.marginMode === 'netting' ? state.positionOfSymbol(o.symbol) : undefined;
  state.orders.delete(o.ticket);
  o.state = ORDER_STATE.FILLED;
  o.positionId = target?.identifier ?? o.ticket;
  o.volumeCurrent = 0;
  state.historyOrders.push(o);
  executeDeal(state, {
    symbol: o.symbol,
    type,
    volume: o.volumeInitial,
    price,
    sl: o.sl,
    tp: o.tp,
    magic: o.magic,
    comment: o.comment,
    target,
    typeFilling: o.typeFilling,
    reason: DEAL_REASON.EXPERT,
    orderTicket: o.ticket,
  });
}

/** Closes positions, biggest loss first, while the margin level is at or below the stop-out level. */
function stopOut(state: TradeState): void {
  const level = state.account.marginSoSo ?? 50;
  for (let guard = 0; guard < 1000; guard += 1) {
    const a = accountFigures(state);
    if (a.margin <= 0 || a.marginLevel > level) return;
    const worst = [...state.positions.values()].sort((x, y) => profit(state, x) - profit(state, y))[0];
    if (worst === undefined) return;
    const isBuyDeal = worst.type !== 0;
    executeDeal(state, {
      symbol: worst.symbol,
      type: isBuyDeal ? 0 : 1,
      volume: worst.volume,
      price: state.marketFill(worst.symbol, state.closePrice(worst), isBuyDeal),
      sl: 0,
      tp: 0,
      magic: worst.magic,
      comment: worst.comment,
      dealComment: `[so ${a.marginLevel.toFixed(2)}%]`,
      target: worst,
      typeFilling: FILLING_VALUE.FOK,
      reason: DEAL_REASON.SO,
    });
  }
}
