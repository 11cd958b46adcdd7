import { isMultipleOfStep, normalizePrice } from '../../src-core/trading/numbers';
import { TRADE_RETCODE } from '../../src-core/trading/retcodes';
import {
  SYMBOL_EXPIRATION_FLAG,
  SYMBOL_ORDER_FLAG,
  type FillingMode,
  type SymbolSpec,
} from '../../src-core/trading/symbol-spec';
import { FILLING_VALUE, ORDER_TYPE_VALUE } from '../protocol/enums';
import type { TypeTimeName } from '../protocol/messages';
import { equity, marginAfter, totalMargin } from './accounting';
import {
  fillingDecision,
  isBuyType,
  isFrozen,
  orderTypeName,
  pendingDistance,
  stopDistances,
  stopsRetcode,
  volumeRetcode,
} from './trade-rules';
import {
  reject,
  type Order,
  type Position,
  type SymbolState,
  type TradeParams,
  type TradeState,
} from './trade-state';

/**
 * Request checks, in the order docs/bridge-protocol.md §14 lists: each failure throws the retcode ({@link reject},
 * caught by the server), and a request that passes becomes a {@link TradePlan} that execution.ts carries out.
 * Nothing here changes the state.
 */

type DealParams = Extract<TradeParams, { action: 'DEAL' }>;
type PendingParams = Extract<TradeParams, { action: 'PENDING' }>;
type SltpParams = Extract<TradeParams, { action: 'SLTP' }>;
type ModifyParams = Extract<TradeParams, { action: 'MODIFY' }>;
type RemoveParams = Extract<TradeParams, { action: 'REMOVE' }>;
type CloseByParams = Extract<TradeParams, { action: 'CLOSE_BY' }>;

/** A request that passed validation, with what validation decided (fill price, filling, target position). */
export type TradePlan =
  | {
      readonly kind: 'deal';
      readonly params: DealParams;
      readonly type: 0 | 1;
      readonly price: number;
      readonly typeFilling: number;
      readonly target: Position | undefined;
    }
  | {
      readonly kind: 'pending';
      readonly params: PendingParams;
      readonly typeValue: number;
      readonly typeTime: TypeTimeName;
      readonly expiration: number;
      readonly stopLimit: number;
      readonly typeFilling: number;
    }
  | { readonly kind: 'sltp'; readonly params: SltpParams; readonly position: Position }
  | {
      readonly kind: 'modify';
      readonly params: ModifyParams;
      readonly order: Order;
      readonly stopLimit: number;
      readonly expiration: number;
    }
  | { readonly kind: 'remove'; readonly params: RemoveParams; readonly order: Order }
  | { readonly kind: 'close_by'; readonly params: CloseByParams; readonly a: Position; readonly b: Position };

const R = TRADE_RETCODE;

/** Rejects with `retcode` unless it is 0. */
function require0(retcode: number): void {
  if (retcode !== 0) reject(retcode);
}

/**
 * Validates a request and returns its plan; throws the first failing retcode. `isLive` is false for OrderCheck
 * (no requotes, no slippage, no randomness).
 */
export function validate(
  state: TradeState,
  params: TradeParams,
  filling: FillingMode | undefined,
  isLive: boolean,
): TradePlan {
  // 1. Permissions.
  if (!state.isAutotrading) reject(R.CLIENT_DISABLES_AT);
  if (!state.isTradeExpert) reject(R.SERVER_DISABLES_AT);
  if (!state.isAccountTradeAllowed) reject(R.TRADE_DISABLED);
  switch (params.action) {
    case 'DEAL':
      return validateDeal(state, params, filling, isLive);
    case 'PENDING':
      return validatePending(state, params, filling);
    case 'SLTP':
      return validateSltp(state, params);
    case 'MODIFY':
      return validateModify(state, params);
    case 'REMOVE':
      return validateRemove(state, params);
    case 'CLOSE_BY':
      return validateCloseBy(state, params);
  }
}

/** 2-3. Trade mode (opening only where it matters), session and quotes. */
function commonSymbolChecks(state: TradeState, s: SymbolState, isOpening: boolean, isBuy: boolean): void {
  if (s.spec.tradeMode === 'DISABLED') reject(R.TRADE_DISABLED);
  if (isOpening) {
    if (s.spec.tradeMode === 'LONGONLY' && !isBuy) reject(R.LONG_ONLY);
    if (s.spec.tradeMode === 'SHORTONLY' && isBuy) reject(R.SHORT_ONLY);
    if (s.spec.tradeMode === 'CLOSEONLY') reject(R.CLOSE_ONLY);
  }
  if (!state.isMarketOpen(s.spec.name)) reject(R.MARKET_CLOSED);
  if (s.bid <= 0) reject(R.PRICE_OFF);
}

function checkFilling(
  spec: SymbolSpec,
  filling: FillingMode | undefined,
  isPending: boolean,
  isLimit: boolean,
): number {
  const decision = fillingDecision(spec, filling, isPending, isLimit);
  if (!decision.ok) return reject(decision.retcode);
  return FILLING_VALUE[decision.mode];
}

function positionStopDistances(state: TradeState, p: Position): number[] {
  return stopDistances(p, state.closePrice(p));
}

function validateDeal(
  state: TradeState,
  params: DealParams,
  filling: FillingMode | undefined,
  isLive: boolean,
): TradePlan {
  const s = state.symbolOrReject(params.symbol);
  const spec = s.spec;
  const isBuy = params.orderType === 'BUY';
  const type: 0 | 1 = isBuy ? 0 : 1;
  const hedging = state.isHedging;
  let target: Position | undefined;
  if (params.position !== undefined) {
    target = state.positions.get(params.position);
  } else if (!hedging) {
    target = state.positionOfSymbol(params.symbol);
  }
  const isClosing = target !== undefined && target.type !== type;
  const isOpening = !isClosing || (target !== undefined && params.volume > target.volume + 1e-12);
  commonSymbolChecks(state, s, isOpening && !(params.position !== undefined), isBuy);
  // 4. Order type, filling.
  if ((spec.orderFlags & SYMBOL_ORDER_FLAG.MARKET) === 0) reject(R.INVALID_ORDER);
  const typeFilling = checkFilling(spec, filling, false, false);
  // 5. Volume and limits.
  require0(volumeRetcode(spec, params.volume));
  const limitPositions = state.account.limitPositions ?? 0;
  if (!isClosing && hedging && limitPositions > 0 && state.positions.size >= limitPositions)
    reject(R.LIMIT_POSITIONS);
  // 6. Price: Instant/Request execution confirm the requested price within the deviation.
  let price = state.openPrice(params.symbol, isBuy);
  const requested = params.price ?? 0;
  if (spec.executionMode === 'INSTANT' || spec.executionMode === 'REQUEST') {
    if (!(requested > 0)) reject(R.INVALID_PRICE);
    if (!isMultipleOfStep(requested, spec.tickSize)) reject(R.INVALID_PRICE);
    const deviation = (params.deviation ?? 0) * spec.point;
    if (Math.abs(price - requested) > deviation + spec.point / 10) reject(R.REQUOTE);
    if (isLive && state.requoteRate > 0 && state.random() < state.requoteRate) reject(R.REQUOTE);
  } else if (isLive) {
    if (state.slippagePoints > 0) {
      const points = Math.round((state.random() * 2 - 1) * state.slippagePoints);
      price = normalizePrice(price + points * spec.point, spec.tickSize);
    }
    price = state.marketFill(params.symbol, price, isBuy);
  }
  // 7. Stops against the price the position will close at.
  const closeSide = isBuy ? s.bid : s.ask;
  if (!isClosing) require0(stopsRetcode(spec, isBuy, closeSide, params.sl, params.tp));
  // 8. Position rules.
  if (params.position !== undefined) {
    if (target === undefined) return reject(R.POSITION_CLOSED);
    if (target.symbol !== params.symbol) reject(R.INVALID);
    if (target.type === type) reject(R.INVALID);
    if (params.volume > target.volume + 1e-12) reject(R.INVALID_CLOSE_VOLUME);
    if (isFrozen(spec, positionStopDistances(state, target))) reject(R.FROZEN);
    if (hedging && (state.account.fifoClose ?? false)) {
      const symbol = target.symbol;
      const oldest = [...state.positions.values()]
        .filter((p) => p.symbol === symbol)
        .sort((a, b) => a.timeMsc - b.timeMsc || Number(a.ticket) - Number(b.ticket))[0];
      if (oldest !== undefined && oldest.ticket !== target.ticket) reject(R.FIFO_CLOSE);
    }
  } else if (hedging && (state.account.hedgeProhibited ?? false)) {
    const opposite = [...state.positions.values()].some((p) => p.symbol === params.symbol && p.type !== type);
    if (opposite) reject(R.HEDGE_PROHIBITED);
  }
  // 9. Margin: only a deal that adds margin needs the equity to carry it.
  const after = marginAfter(state, params);
  if (after > totalMargin(state, state.positions.values()) && equity(state) - after < 0) reject(R.NO_MONEY);
  return { kind: 'deal', params, type, price, typeFilling, target };
}

function validatePending(
  state: TradeState,
  params: PendingParams,
  filling: FillingMode | undefined,
): TradePlan {
  const s = state.symbolOrReject(params.symbol);
  const spec = s.spec;
  const typeValue = ORDER_TYPE_VALUE[params.orderType];
  const isBuy = isBuyType(typeValue);
  commonSymbolChecks(state, s, true, isBuy);
  // 4. Order type, expiration, filling.
  const isLimit = params.orderType.endsWith('_LIMIT') && !params.orderType.includes('STOP');
  const isStopLimit = params.orderType.includes('STOP_LIMIT');
  const flag = isStopLimit
    ? SYMBOL_ORDER_FLAG.STOP_LIMIT
    : isLimit
      ? SYMBOL_ORDER_FLAG.LIMIT
      : SYMBOL_ORDER_FLAG.STOP;
  if ((spec.orderFlags & flag) === 0) reject(R.INVALID_ORDER);
  const typeTime = params.typeTime ?? 'GTC';
  const expFlag = SYMBOL_EXPIRATION_FLAG[typeTime];
  if ((spec.expirationFlags & expFlag) === 0) reject(R.INVALID_EXPIRATION);
  const expiration = params.expiration ?? 0;
  if ((typeTime === 'SPECIFIED' || typeTime === 'SPECIFIED_DAY') && expiration <= state.clock.now())
    reject(R.INVALID_EXPIRATION);
  const typeFilling = checkFilling(spec, filling, true, isLimit || isStopLimit);
  // 5. Volume and order count.
  require0(volumeRetcode(spec, params.volume));
  const limitOrders = state.account.limitOrders ?? 0;
  if (limitOrders > 0 && state.orders.size >= limitOrders) reject(R.LIMIT_ORDERS);
  // 6. Price: on the tick grid, on the right side of the market, outside the stops level.
  if (!isMultipleOfStep(params.price, spec.tickSize)) reject(R.INVALID_PRICE);
  const level = spec.stopsLevel * spec.point;
  const eps = spec.point / 10;
  const distance = pendingDistance(params.orderType, params.price, s.bid, s.ask);
  if (distance <= 0 || distance < level - eps) reject(R.INVALID_PRICE);
  const stopLimit = params.stopLimit ?? 0;
  if (isStopLimit) {
    if (!(stopLimit > 0) || !isMultipleOfStep(stopLimit, spec.tickSize)) reject(R.INVALID_PRICE);
    if (isBuy ? stopLimit >= params.price : stopLimit <= params.price) reject(R.INVALID_PRICE);
  }
  // 7. Stops against the price the order will fill at.
  require0(stopsRetcode(spec, isBuy, isStopLimit ? stopLimit : params.price, params.sl, params.tp));
  return { kind: 'pending', params, typeValue, typeTime, expiration, stopLimit, typeFilling };
}

function validateSltp(state: TradeState, params: SltpParams): TradePlan {
  const p = state.positions.get(params.position);
  if (p === undefined) return reject(R.POSITION_CLOSED);
  const s = state.symbolOrReject(p.symbol);
  if (params.symbol !== p.symbol) reject(R.INVALID);
  commonSymbolChecks(state, s, false, p.type === 0);
  const isBuy = p.type === 0;
  const spec = s.spec;
  const eps = spec.point / 10;
  if (Math.abs(params.sl - p.sl) < eps && Math.abs(params.tp - p.tp) < eps) reject(R.NO_CHANGES);
  for (const price of [params.sl, params.tp])
    if (price > 0 && !isMultipleOfStep(price, spec.tickSize)) reject(R.INVALID_PRICE);
  require0(stopsRetcode(spec, isBuy, state.closePrice(p), params.sl, params.tp));
  if (isFrozen(spec, positionStopDistances(state, p))) reject(R.FROZEN);
  return { kind: 'sltp', params, position: p };
}

function validateModify(state: TradeState, params: ModifyParams): TradePlan {
  const o = state.orders.get(params.order);
  if (o === undefined) return reject(R.INVALID);
  const s = state.symbolOrReject(o.symbol);
  const spec = s.spec;
  const isBuy = isBuyType(o.type);
  commonSymbolChecks(state, s, false, isBuy);
  const name = orderTypeName(o.type);
  if (isFrozen(spec, [pendingDistance(name, o.priceOpen, s.bid, s.ask)])) reject(R.FROZEN);
  const eps = spec.point / 10;
  const stopLimit = params.stopLimit ?? o.priceStopLimit;
  const expiration = params.expiration ?? o.expirationMs;
  if (
    Math.abs(params.price - o.priceOpen) < eps &&
    Math.abs(params.sl - o.sl) < eps &&
    Math.abs(params.tp - o.tp) < eps &&
    Math.abs(stopLimit - o.priceStopLimit) < eps &&
    expiration === o.expirationMs
  ) {
    reject(R.NO_CHANGES);
  }
  if (!isMultipleOfStep(params.price, spec.tickSize)) reject(R.INVALID_PRICE);
  const distance = pendingDistance(name, params.price, s.bid, s.ask);
  if (distance <= 0 || distance < spec.stopsLevel * spec.point - eps) reject(R.INVALID_PRICE);
  require0(stopsRetcode(spec, isBuy, stopLimit > 0 ? stopLimit : params.price, params.sl, params.tp));
  return { kind: 'modify', params, order: o, stopLimit, expiration };
}

function validateRemove(state: TradeState, params: RemoveParams): TradePlan {
  const o = state.orders.get(params.order);
  if (o === undefined) return reject(R.INVALID);
  const s = state.symbolOrReject(o.symbol);
  if (s.spec.tradeMode === 'DISABLED') reject(R.TRADE_DISABLED);
  if (!state.isMarketOpen(o.symbol)) reject(R.MARKET_CLOSED);
  if (isFrozen(s.spec, [pendingDistance(orderTypeName(o.type), o.priceOpen, s.bid, s.ask)])) reject(R.FROZEN);
  return { kind: 'remove', params, order: o };
}

function validateCloseBy(state: TradeState, params: CloseByParams): TradePlan {
  if (!state.isHedging) reject(R.INVALID);
  const a = state.positions.get(params.position);
  const b = state.positions.get(params.positionBy);
  if (a === undefined || b === undefined) return reject(R.POSITION_CLOSED);
  if (a.symbol !== b.symbol || a.type === b.type) reject(R.INVALID);
  const s = state.symbolOrReject(a.symbol);
  commonSymbolChecks(state, s, false, a.type === 0);
  if ((s.spec.orderFlags & SYMBOL_ORDER_FLAG.CLOSEBY) === 0) reject(R.INVALID_ORDER);
  if (isFrozen(s.spec, [...positionStopDistances(state, a), ...positionStopDistances(state, b)]))
    reject(R.FROZEN);
  return { kind: 'close_by', params, a, b };
}
