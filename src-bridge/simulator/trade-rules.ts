import { isMultipleOfStep } from '../../src-core/trading/numbers';
import { TRADE_RETCODE } from '../../src-core/trading/retcodes';
import {
  SYMBOL_FILLING_FLAG,
  SYMBOL_ORDER_FLAG,
  type FillingMode,
  type SymbolSpec,
} from '../../src-core/trading/symbol-spec';
import type { OrderTypeName } from '../protocol/messages';

/**
 * The trade server's pure decisions: each takes numbers and a symbol specification and answers a retcode (0 when
 * the check passes) or a yes/no, so each rule is tested on its own (trade-rules.test.ts). Validation
 * (validation.ts) applies them in the order docs/bridge-protocol.md §14 lists; triggers (triggers.ts) use the
 * activation rules.
 */

const R = TRADE_RETCODE;

/** ENUM_ORDER_TYPE: even values buy, odd values sell. */
export function isBuyType(type: number): boolean {
  return type % 2 === 0;
}

const ORDER_TYPE_NAMES: readonly OrderTypeName[] = [
  'BUY',
  'SELL',
  'BUY_LIMIT',
  'SELL_LIMIT',
  'BUY_STOP',
  'SELL_STOP',
  'BUY_STOP_LIMIT',
  'SELL_STOP_LIMIT',
];

/** The name of an ENUM_ORDER_TYPE value (BUY for anything unknown). */
export function orderTypeName(type: number): OrderTypeName {
  return ORDER_TYPE_NAMES[type] ?? 'BUY';
}

/** Volume within [min, max] and on the step: 0, or 10014. */
export function volumeRetcode(spec: SymbolSpec, volume: number): number {
  if (volume < spec.volumeMin - 1e-12 || volume > spec.volumeMax + 1e-12) return R.INVALID_VOLUME;
  if (!isMultipleOfStep(volume, spec.volumeStep)) return R.INVALID_VOLUME;
  return 0;
}

/**
 * SL and TP (0 = none) on the right side of `reference` (the price the position closes at, or the price a
 * pending order fills at) and at least the stops level away, and allowed by the symbol: 0, or 10016.
 */
export function stopsRetcode(
  spec: SymbolSpec,
  isBuy: boolean,
  reference: number,
  sl: number | undefined,
  tp: number | undefined,
): number {
  const level = spec.stopsLevel * spec.point;
  const eps = spec.point / 10;
  if (sl !== undefined && sl > 0) {
    if ((spec.orderFlags & SYMBOL_ORDER_FLAG.SL) === 0) return R.INVALID_STOPS;
    const distance = isBuy ? reference - sl : sl - reference;
    if (distance <= 0 || distance < level - eps) return R.INVALID_STOPS;
  }
  if (tp !== undefined && tp > 0) {
    if ((spec.orderFlags & SYMBOL_ORDER_FLAG.TP) === 0) return R.INVALID_STOPS;
    const distance = isBuy ? tp - reference : reference - tp;
    if (distance <= 0 || distance < level - eps) return R.INVALID_STOPS;
  }
  return 0;
}

/** Freeze level: a position's stops or an order's price within this distance of the market cannot change. */
export function isFrozen(spec: SymbolSpec, distances: readonly number[]): boolean {
  if (spec.freezeLevel <= 0) return false;
  const level = spec.freezeLevel * spec.point;
  return distances.some((d) => d > 0 && d <= level + spec.point / 10);
}

/** How far a position's SL and TP are from the price it closes at (0 where there is none). */
export function stopDistances(
  position: { readonly type: number; readonly sl: number; readonly tp: number },
  closePrice: number,
): number[] {
  const isBuy = position.type === 0;
  return [
    position.sl > 0 ? (isBuy ? closePrice - position.sl : position.sl - closePrice) : 0,
    position.tp > 0 ? (isBuy ? position.tp - closePrice : closePrice - position.tp) : 0,
  ];
}

/** How far a pending price is from the market on the side where it is valid (negative: wrong side). */
export function pendingDistance(orderType: string, price: number, bid: number, ask: number): number {
  switch (orderType) {
    case 'BUY_LIMIT':
      return ask - price;
    case 'SELL_LIMIT':
      return price - bid;
    case 'BUY_STOP':
    case 'BUY_STOP_LIMIT':
      return price - ask;
    case 'SELL_STOP':
    case 'SELL_STOP_LIMIT':
      return bid - price;
    default:
      return -1;
  }
}

/**
 * The filling mode a request may use: the ORDER_TYPE_FILLING value, or 10030. Without a mode a market order
 * asks FOK and a pending order RETURN.
 */
export function fillingDecision(
  spec: SymbolSpec,
  filling: FillingMode | undefined,
  isPending: boolean,
  isLimit: boolean,
): { ok: true; mode: FillingMode } | { ok: false; retcode: number } {
  const mode = filling ?? (isPending ? 'RETURN' : 'FOK');
  const flags = spec.fillingFlags;
  const hasFok = (flags & SYMBOL_FILLING_FLAG.FOK) !== 0;
  const hasIoc = (flags & SYMBOL_FILLING_FLAG.IOC) !== 0;
  const hasBoc = (flags & SYMBOL_FILLING_FLAG.BOC) !== 0;
  let isAllowed: boolean;
  if (isPending) {
    isAllowed =
      mode === 'RETURN' ||
      (mode === 'FOK' && hasFok) ||
      (mode === 'IOC' && hasIoc) ||
      (mode === 'BOC' && hasBoc && isLimit);
  } else {
    switch (spec.executionMode) {
      case 'REQUEST':
      case 'INSTANT':
        isAllowed = mode === 'FOK' || (mode === 'IOC' && hasIoc);
        break;
      case 'MARKET':
        // RETURN on market orders is what trips hard-coded fillings at real brokers (docs/trading-core.md,
        // Filling modes); a broker reporting no flags at all takes it.
        isAllowed =
          (mode === 'FOK' && hasFok) ||
          (mode === 'IOC' && hasIoc) ||
          (mode === 'RETURN' && !hasFok && !hasIoc);
        break;
      case 'EXCHANGE':
        isAllowed = (mode === 'FOK' && hasFok) || (mode === 'IOC' && hasIoc) || mode === 'RETURN';
        break;
    }
  }
  return isAllowed ? { ok: true, mode } : { ok: false, retcode: R.INVALID_FILL };
}

/** Whether the market has reached a pending order's price: limits at or better, stops at or beyond. */
export function isTriggered(name: OrderTypeName, priceOpen: number, bid: number, ask: number): boolean {
  switch (name) {
    case 'BUY_LIMIT':
      return ask <= priceOpen;
    case 'SELL_LIMIT':
      return bid >= priceOpen;
    case 'BUY_STOP':
    case 'BUY_STOP_LIMIT':
      return ask >= priceOpen;
    case 'SELL_STOP':
    case 'SELL_STOP_LIMIT':
      return bid <= priceOpen;
    default:
      return false;
  }
}

/** Which stop, if any, the price a position closes at has reached (SL wins when both would). */
export function stopHit(
  position: { readonly type: number; readonly sl: number; readonly tp: number },
  closePrice: number,
): 'sl' | 'tp' | undefined {
  const isBuy = position.type === 0;
  if (position.sl > 0 && (isBuy ? closePrice <= position.sl : closePrice >= position.sl)) return 'sl';
  if (position.tp > 0 && (isBuy ? closePrice >= position.tp : closePrice <= position.tp)) return 'tp';
  return undefined;
}
