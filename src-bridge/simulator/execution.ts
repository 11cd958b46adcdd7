import { normalizePrice, toDecimals } from '../../src-core/trading/numbers';
import { TRADE_RETCODE, retcodeInfo } from '../../src-core/trading/retcodes';
import {
  DEAL_ENTRY,
  DEAL_REASON,
  DEAL_TYPE,
  ORDER_STATE,
  ORDER_TYPE_VALUE,
  TXN_TYPE,
  TYPE_TIME_VALUE,
} from '../protocol/enums';
import { bookToBalance, dealCommission, profitAt } from './accounting';
import {
  blankPosition,
  type EngineResult,
  type Order,
  type Position,
  type TradeParams,
  type TradeState,
} from './trade-state';
import type { TradePlan } from './validation';

/**
 * What a validated request does to the book: market fills (open, add, partial close, close, netting reversal),
 * pending placement, SL/TP and order changes, cancellation and close-by, each with its deals, history orders and
 * trade transactions. Triggers (triggers.ts) use {@link executeDeal} and {@link retireOrder} for server-side
 * fills and closes.
 */

const R = TRADE_RETCODE;
const VOLUME_DECIMALS = 8;

/** What the server answers for `params`, with the symbol's current quote. */
export function answer(
  state: TradeState,
  retcode: number,
  params: TradeParams,
  extra: Partial<EngineResult> = {},
): EngineResult {
  const symbol = 'symbol' in params ? params.symbol : targetSymbol(state, params);
  const s = symbol === undefined ? undefined : state.symbols.get(symbol);
  const isQuoted = s !== undefined && s.bid > 0;
  return {
    retcode,
    message: retcodeInfo(retcode).message,
    order: '0',
    deal: '0',
    volume: 0,
    price: 0,
    bid: isQuoted ? s.bid : 0,
    ask: isQuoted ? s.ask : 0,
    ...extra,
  };
}

function targetSymbol(state: TradeState, params: TradeParams): string | undefined {
  switch (params.action) {
    case 'MODIFY':
    case 'REMOVE':
      return state.orders.get(params.order)?.symbol;
    case 'CLOSE_BY':
    case 'SLTP':
      return state.positions.get(params.position)?.symbol;
    default:
      return params.symbol;
  }
}

/** Carries out a validated request and answers it. */
export function execute(state: TradeState, plan: TradePlan): EngineResult {
  switch (plan.kind) {
    case 'deal':
      return executeMarket(state, plan);
    case 'pending':
      return placePending(state, plan);
    case 'sltp':
      return setStops(state, plan);
    case 'modify':
      return modifyOrder(state, plan);
    case 'remove':
      return cancelOrder(state, plan);
    case 'close_by':
      return closeBy(state, plan);
  }
}

function executeMarket(state: TradeState, plan: Extract<TradePlan, { kind: 'deal' }>): EngineResult {
  const { params, price } = plan;
  const result = executeDeal(state, {
    symbol: params.symbol,
    type: plan.type,
    volume: params.volume,
    price,
    sl: params.sl ?? 0,
    tp: params.tp ?? 0,
    magic: params.magic,
    comment: params.clOrdId,
    target: plan.target,
    typeFilling: plan.typeFilling,
    reason: DEAL_REASON.EXPERT,
  });
  state.countExecution(params.clOrdId);
  state.emitRequest(params.clOrdId, R.DONE, result.order, result.deal);
  return answer(state, R.DONE, params, {
    order: result.order,
    deal: result.deal,
    volume: params.volume,
    price,
  });
}

/** A market deal to execute: from a request, a triggered order, SL/TP or stop-out. */
export interface DealSpec {
  readonly symbol: string;
  readonly type: 0 | 1;
  readonly volume: number;
  readonly price: number;
  readonly sl: number;
  readonly tp: number;
  readonly magic: string;
  readonly comment: string;
  /** The position the deal adds to or closes (netting, or a close by ticket); none opens a new one. */
  readonly target: Position | undefined;
  readonly typeFilling: number;
  readonly reason: number;
  /** A triggered pending order's ticket (its history order is already recorded). */
  readonly orderTicket?: string;
  /** The deal's own comment where MT5 rewrites it (SL/TP, stop-out). */
  readonly dealComment?: string;
}

/** Executes a market deal (also used for triggered orders, SL/TP and stop-out). */
export function executeDeal(state: TradeState, d: DealSpec): { order: string; deal: string } {
  const now = state.clock.now();
  const order = d.orderTicket ?? state.nextOrderTicket();
  const deal = state.nextDealTicket();
  const spec = state.symbolOrReject(d.symbol).spec;
  let entry: number = DEAL_ENTRY.IN;
  let profit = 0;
  let positionId = order;
  const target = d.target;
  if (target === undefined || target.type === d.type) {
    if (target === undefined) {
      // Filled in on a fresh blank rather than spread into a copy (V8's spread-then-property path is slow).
      const position: Position = Object.assign(blankPosition(d.symbol), {
        ticket: order,
        identifier: order,
        type: d.type,
        volume: d.volume,
        priceOpen: d.price,
        sl: d.sl,
        tp: d.tp,
        magic: d.magic,
        comment: d.comment,
        timeMsc: now,
        timeUpdateMsc: now,
      });
      state.positions.set(position.ticket, position);
    } else {
      // Netting: a same-direction deal adds to the position at the volume-weighted price.
      const volume = toDecimals(target.volume + d.volume, VOLUME_DECIMALS);
      target.priceOpen = normalizePrice(
        (target.priceOpen * target.volume + d.price * d.volume) / volume,
        spec.tickSize,
      );
      target.volume = volume;
      if (d.sl > 0) target.sl = d.sl;
      if (d.tp > 0) target.tp = d.tp;
      target.timeUpdateMsc = now;
      positionId = target.identifier;
    }
  } else {
    positionId = target.identifier;
    const closed = Math.min(d.volume, target.volume);
    profit = profitAt(state, target, d.price, closed);
    bookToBalance(state, profit);
    const rest = toDecimals(target.volume - d.volume, VOLUME_DECIMALS);
    entry = DEAL_ENTRY.OUT;
    if (rest > 1e-9) {
      target.volume = rest;
      target.timeUpdateMsc = now;
    } else if (rest < -1e-9) {
      // Netting reversal: the position flips to the remaining volume at the deal price (DEAL_ENTRY_INOUT).
      entry = DEAL_ENTRY.INOUT;
      target.type = d.type;
      target.volume = toDecimals(-rest, VOLUME_DECIMALS);
      target.priceOpen = d.price;
      target.sl = d.sl;
      target.tp = d.tp;
      target.timeUpdateMsc = now;
    } else {
      state.positions.delete(target.ticket);
    }
  }
  if (d.orderTicket === undefined) {
    state.historyOrders.push({
      ticket: order,
      symbol: d.symbol,
      type: d.type,
      state: ORDER_STATE.FILLED,
      volumeInitial: d.volume,
      volumeCurrent: 0,
      priceOpen: d.price,
      priceStopLimit: 0,
      priceCurrent: d.price,
      sl: d.sl,
      tp: d.tp,
      typeTime: TYPE_TIME_VALUE.GTC,
      expirationMs: 0,
      typeFilling: d.typeFilling,
      positionId,
      magic: d.magic,
      comment: d.comment,
      timeSetupMsc: now,
    });
    state.emitTxn({
      txnType: TXN_TYPE.ORDER_ADD,
      order,
      symbol: d.symbol,
      orderType: d.type,
      orderState: ORDER_STATE.STARTED,
      volume: d.volume,
      price: d.price,
      position: positionId,
    });
  }
  // Per side: the opening deal and the closing deal are each charged on their own volume (a reversal's on all of it).
  const commission = dealCommission(state, d.volume);
  bookToBalance(state, commission);
  state.deals.push({
    ticket: deal,
    order,
    positionId,
    symbol: d.symbol,
    type: d.type === 0 ? DEAL_TYPE.BUY : DEAL_TYPE.SELL,
    entry,
    reason: d.reason,
    volume: d.volume,
    price: d.price,
    profit,
    swap: 0,
    commission,
    magic: d.magic,
    comment: d.dealComment ?? d.comment,
    timeMsc: now,
  });
  state.emitTxn({
    txnType: TXN_TYPE.DEAL_ADD,
    order,
    deal,
    position: positionId,
    symbol: d.symbol,
    orderType: d.type,
    dealType: d.type,
    price: d.price,
    volume: d.volume,
  });
  state.emitTxn({
    txnType: TXN_TYPE.ORDER_DELETE,
    order,
    symbol: d.symbol,
    orderType: d.type,
    orderState: ORDER_STATE.FILLED,
    position: positionId,
  });
  state.emitTxn({
    txnType: TXN_TYPE.HISTORY_ADD,
    order,
    symbol: d.symbol,
    orderType: d.type,
    orderState: ORDER_STATE.FILLED,
    position: positionId,
  });
  if (hasPosition(state, positionId)) {
    state.emitTxn({ txnType: TXN_TYPE.POSITION, position: positionId, symbol: d.symbol });
  }
  return { order, deal };
}

/** Whether a position with this identifier is open (its ticket is its identifier unless MT5 says otherwise). */
function hasPosition(state: TradeState, identifier: string): boolean {
  if (state.positions.has(identifier)) return true;
  for (const p of state.positions.values()) if (p.identifier === identifier) return true;
  return false;
}

function placePending(state: TradeState, plan: Extract<TradePlan, { kind: 'pending' }>): EngineResult {
  const { params, typeValue } = plan;
  const now = state.clock.now();
  const ticket = state.nextOrderTicket();
  const order: Order = {
    ticket,
    symbol: params.symbol,
    type: typeValue,
    state: ORDER_STATE.PLACED,
    volumeInitial: params.volume,
    volumeCurrent: params.volume,
    priceOpen: params.price,
    priceStopLimit: plan.stopLimit,
    priceCurrent: 0,
    sl: params.sl ?? 0,
    tp: params.tp ?? 0,
    typeTime: TYPE_TIME_VALUE[plan.typeTime],
    expirationMs: plan.expiration,
    typeFilling: plan.typeFilling,
    positionId: '0',
    magic: params.magic,
    comment: params.clOrdId,
    timeSetupMsc: now,
  };
  state.orders.set(ticket, order);
  state.countExecution(params.clOrdId);
  state.emitTxn({
    txnType: TXN_TYPE.ORDER_ADD,
    order: ticket,
    symbol: params.symbol,
    orderType: typeValue,
    orderState: ORDER_STATE.PLACED,
    price: params.price,
    volume: params.volume,
    sl: order.sl,
    tp: order.tp,
  });
  state.emitRequest(params.clOrdId, R.PLACED, ticket, '0');
  return answer(state, R.PLACED, params, { order: ticket, volume: params.volume });
}

function setStops(state: TradeState, plan: Extract<TradePlan, { kind: 'sltp' }>): EngineResult {
  const { params, position: p } = plan;
  p.sl = params.sl;
  p.tp = params.tp;
  p.timeUpdateMsc = state.clock.now();
  state.countExecution(params.clOrdId);
  state.emitTxn({ txnType: TXN_TYPE.POSITION, position: p.ticket, symbol: p.symbol, sl: p.sl, tp: p.tp });
  state.emitRequest(params.clOrdId, R.DONE, '0', '0');
  return answer(state, R.DONE, params);
}

function modifyOrder(state: TradeState, plan: Extract<TradePlan, { kind: 'modify' }>): EngineResult {
  const { params, order: o } = plan;
  o.priceOpen = params.price;
  o.priceStopLimit = plan.stopLimit;
  o.sl = params.sl;
  o.tp = params.tp;
  o.expirationMs = plan.expiration;
  if (params.typeTime !== undefined) o.typeTime = TYPE_TIME_VALUE[params.typeTime];
  state.countExecution(params.clOrdId);
  state.emitTxn({
    txnType: TXN_TYPE.ORDER_UPDATE,
    order: o.ticket,
    symbol: o.symbol,
    orderType: o.type,
    orderState: o.state,
    price: o.priceOpen,
    volume: o.volumeCurrent,
    sl: o.sl,
    tp: o.tp,
  });
  state.emitRequest(params.clOrdId, R.DONE, o.ticket, '0');
  return answer(state, R.DONE, params, { order: o.ticket });
}

function cancelOrder(state: TradeState, plan: Extract<TradePlan, { kind: 'remove' }>): EngineResult {
  const { params, order: o } = plan;
  retireOrder(state, o, ORDER_STATE.CANCELED);
  state.countExecution(params.clOrdId);
  state.emitRequest(params.clOrdId, R.DONE, o.ticket, '0');
  return answer(state, R.DONE, params, { order: o.ticket });
}

function closeBy(state: TradeState, plan: Extract<TradePlan, { kind: 'close_by' }>): EngineResult {
  const { params, a, b } = plan;
  const now = state.clock.now();
  const volume = Math.min(a.volume, b.volume);
  // Both legs close at the open price of position_by: the spread is paid once.
  const price = b.priceOpen;
  const order = state.nextOrderTicket();
  const profitA = profitAt(state, a, price, volume);
  bookToBalance(state, profitA);
  const legs: [Position, number][] = [
    [a, profitA],
    [b, 0],
  ];
  let firstDeal = '0';
  for (const [p, profit] of legs) {
    const deal = state.nextDealTicket();
    if (firstDeal === '0') firstDeal = deal;
    // Close-by closes both positions: each exit deal is one side and pays its commission.
    const commission = dealCommission(state, volume);
    bookToBalance(state, commission);
    state.deals.push({
      ticket: deal,
      order,
      positionId: p.identifier,
      symbol: p.symbol,
      type: p.type === 0 ? DEAL_TYPE.SELL : DEAL_TYPE.BUY,
      entry: DEAL_ENTRY.OUT_BY,
      reason: DEAL_REASON.EXPERT,
      volume,
      price,
      profit,
      swap: 0,
      commission,
      magic: p.magic,
      comment: params.clOrdId,
      timeMsc: now,
    });
    p.volume = toDecimals(p.volume - volume, VOLUME_DECIMALS);
    if (p.volume <= 1e-9) state.positions.delete(p.ticket);
    state.emitTxn({
      txnType: TXN_TYPE.DEAL_ADD,
      order,
      deal,
      position: p.identifier,
      positionBy: p === a ? b.identifier : a.identifier,
      symbol: p.symbol,
      price,
      volume,
    });
  }
  state.historyOrders.push({
    ticket: order,
    symbol: a.symbol,
    type: ORDER_TYPE_VALUE.CLOSE_BY,
    state: ORDER_STATE.FILLED,
    volumeInitial: volume,
    volumeCurrent: 0,
    priceOpen: price,
    priceStopLimit: 0,
    priceCurrent: price,
    sl: 0,
    tp: 0,
    typeTime: 0,
    expirationMs: 0,
    typeFilling: 0,
    positionId: a.identifier,
    magic: params.magic,
    comment: params.clOrdId,
    timeSetupMsc: now,
  });
  state.countExecution(params.clOrdId);
  state.emitRequest(params.clOrdId, R.DONE, order, firstDeal);
  return answer(state, R.DONE, params, { order, deal: firstDeal, volume, price });
}

/** Moves a working order to history in `orderState` (cancelled, expired, rejected), with its transactions. */
export function retireOrder(state: TradeState, o: Order, orderState: number): void {
  state.orders.delete(o.ticket);
  o.state = orderState;
  state.historyOrders.push(o);
  state.emitTxn({
    txnType: TXN_TYPE.ORDER_DELETE,
    order: o.ticket,
    symbol: o.symbol,
    orderType: o.type,
    orderState,
  });
  state.emitTxn({
    txnType: TXN_TYPE.HISTORY_ADD,
    order: o.ticket,
    symbol: o.symbol,
    orderType: o.type,
    orderState,
  });
}
