import type { WireOrder, WirePosition } from '../../src-bridge/protocol/messages';
import type { RiskLimits } from '../../src-core/contracts/ipc';
import type {
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  PendingKind,
  PlacePendingOrder,
  StopChange,
  StopLevel,
} from '../../src-core/contracts/orders';
import type { Result } from '../../src-core/result';
import { appError, err, ok } from '../../src-core/result';
import {
  decimalsOf,
  isMultipleOfStep,
  normalizePrice,
  pipsToPrice,
  pointsToPrice,
  roundMoney,
} from '../../src-core/trading/numbers';
import type { Quote, Side, SymbolSpec } from '../../src-core/trading/symbol-spec';
import { SYMBOL_EXPIRATION_FLAG, SYMBOL_ORDER_FLAG } from '../../src-core/trading/symbol-spec';

/**
 * The executor's pre-send checks: turns a trader's intent (SL/TP in pips, prices off the tick grid) into the exact
 * values to send, and refuses what MT5 would refuse, in MT5's order (trade mode, order type, volume, prices,
 * stops level, freeze level). Codes come from src-core/errors.ts.
 */

const PENDING_ORDER_TYPE: Readonly<Record<number, PendingKind>> = {
  2: 'buy_limit',
  3: 'sell_limit',
  4: 'buy_stop',
  5: 'sell_stop',
};

/** The pending kind of an MT5 ORDER_TYPE integer (stop-limit orders are not handled). */
export function orderKindOf(type: number): PendingKind | undefined {
  return PENDING_ORDER_TYPE[type];
}

const fail = (code: string, message: string, details?: Record<string, unknown>): Result<never> =>
  err(appError(code, message, details));

const px = (v: number, spec: SymbolSpec): string => v.toFixed(spec.digits);

function checkVolume(spec: SymbolSpec, volume: number): Result<number> {
  if (!(volume > 0)) return fail('INVALID_VOLUME', 'The volume must be above zero.');
  if (volume < spec.volumeMin - 1e-12) {
    return fail(
      'VOLUME_BELOW_MIN',
      `The volume ${volume} is below the minimum of ${spec.volumeMin} lots for ${spec.name}.`,
      {
        min: spec.volumeMin,
        volume,
      },
    );
  }
  if (volume > spec.volumeMax + 1e-12) {
    return fail(
      'VOLUME_ABOVE_MAX',
      `The volume ${volume} is above the maximum of ${spec.volumeMax} lots for ${spec.name}.`,
      {
        max: spec.volumeMax,
        volume,
      },
    );
  }
  if (!isMultipleOfStep(volume, spec.volumeStep)) {
    return fail(
      'VOLUME_NOT_STEP',
      `The volume must be a multiple of ${spec.volumeStep} lots for ${spec.name}.`,
      {
        step: spec.volumeStep,
        volume,
      },
    );
  }
  return ok(Number(volume.toFixed(decimalsOf(spec.volumeStep))));
}

/** Where a protective level must sit for a position or order of `side`: SL below a buy, TP above it. */
function stopPrice(level: StopLevel, kind: 'sl' | 'tp', side: Side, from: number, spec: SymbolSpec): number {
  if ('price' in level) return normalizePrice(level.price, spec.tickSize);
  const d = pipsToPrice(level.pips, spec);
  const below = (kind === 'sl') === (side === 'buy');
  return normalizePrice(below ? from - d : from + d, spec.tickSize);
}

/**
 * SL/TP against the reference price (the close side of the quote for positions and market orders, the order price
 * for pending orders): right side, and at least the stops level away.
 */
function checkStops(spec: SymbolSpec, side: Side, ref: number, sl: number, tp: number): Result<true> {
  const min = pointsToPrice(spec.stopsLevel, spec);
  if (sl > 0) {
    if ((spec.orderFlags & SYMBOL_ORDER_FLAG.SL) === 0)
      return fail('STOP_LOSS_NOT_ALLOWED', `${spec.name} does not accept a stop loss.`);
    const dist = side === 'buy' ? ref - sl : sl - ref;
    if (dist <= 0) {
      return fail(
        'STOP_LOSS_WRONG_SIDE',
        `The stop loss ${px(sl, spec)} must be ${side === 'buy' ? 'below' : 'above'} ${px(ref, spec)}.`,
      );
    }
    if (dist < min - 1e-12) {
      return fail(
        'STOP_LOSS_TOO_CLOSE',
        `The stop loss must be at least ${spec.stopsLevel} points from ${px(ref, spec)}.`,
        {
          stopsLevelPoints: spec.stopsLevel,
        },
      );
    }
  }
  if (tp > 0) {
    if ((spec.orderFlags & SYMBOL_ORDER_FLAG.TP) === 0)
      return fail('TAKE_PROFIT_NOT_ALLOWED', `${spec.name} does not accept a take profit.`);
    const dist = side === 'buy' ? tp - ref : ref - tp;
    if (dist <= 0) {
      return fail(
        'TAKE_PROFIT_WRONG_SIDE',
        `The take profit ${px(tp, spec)} must be ${side === 'buy' ? 'above' : 'below'} ${px(ref, spec)}.`,
      );
    }
    if (dist < min - 1e-12) {
      return fail(
        'TAKE_PROFIT_TOO_CLOSE',
        `The take profit must be at least ${spec.stopsLevel} points from ${px(ref, spec)}.`,
        {
          stopsLevelPoints: spec.stopsLevel,
        },
      );
    }
  }
  return ok(true);
}

function checkOpenMode(spec: SymbolSpec, side: Side): Result<true> {
  switch (spec.tradeMode) {
    case 'DISABLED':
      return fail('TRADE_DISABLED', `Trading is disabled for ${spec.name}.`);
    case 'CLOSEONLY':
      return fail('CLOSE_ONLY', `${spec.name} is close-only: positions can be closed but not opened.`);
    case 'LONGONLY':
      return side === 'sell'
        ? fail('LONG_ONLY', `Only buy positions are allowed on ${spec.name}.`)
        : ok(true);
    case 'SHORTONLY':
      return side === 'buy'
        ? fail('SHORT_ONLY', `Only sell positions are allowed on ${spec.name}.`)
        : ok(true);
    case 'FULL':
      return ok(true);
  }
}

/** A market order ready to send; `sl`/`tp` are 0 when absent. */
export interface CheckedMarket {
  readonly volume: number;
  readonly price: number;
  readonly sl: number;
  readonly tp: number;
}

/** Checks a market order against the live spec and quote. */
export function checkMarketOrder(
  spec: SymbolSpec,
  quote: Quote,
  input: OpenMarketOrder,
): Result<CheckedMarket> {
  const mode = checkOpenMode(spec, input.side);
  if (!mode.ok) return mode;
  if ((spec.orderFlags & SYMBOL_ORDER_FLAG.MARKET) === 0)
    return fail('ORDER_TYPE_NOT_ALLOWED', `${spec.name} does not accept market orders.`);
  const volume = checkVolume(spec, input.volume);
  if (!volume.ok) return volume;
  const price = input.side === 'buy' ? quote.ask : quote.bid;
  // Protective levels of a new position are judged from the side it will close at.
  const closeSide = input.side === 'buy' ? quote.bid : quote.ask;
  const sl = input.sl === undefined ? 0 : stopPrice(input.sl, 'sl', input.side, price, spec);
  const tp = input.tp === undefined ? 0 : stopPrice(input.tp, 'tp', input.side, price, spec);
  const stops = checkStops(spec, input.side, closeSide, sl, tp);
  if (!stops.ok) return stops;
  return ok({ volume: volume.value, price, sl, tp });
}

/** A pending order ready to send; `expiration` null means good till cancelled. */
export interface CheckedPending extends CheckedMarket {
  readonly expiration: number | null;
}

const sideOfKind = (kind: PendingKind): Side => (kind.startsWith('buy') ? 'buy' : 'sell');

function checkPendingPrice(spec: SymbolSpec, quote: Quote, kind: PendingKind, price: number): Result<true> {
  const min = pointsToPrice(spec.stopsLevel, spec);
  // Buy orders trigger on the ask, sell orders on the bid.
  const distance =
    kind === 'buy_limit'
      ? quote.ask - price
      : kind === 'sell_limit'
        ? price - quote.bid
        : kind === 'buy_stop'
          ? price - quote.ask
          : quote.bid - price;
  if (distance <= 0) {
    const where = kind === 'buy_limit' || kind === 'sell_stop' ? 'below' : 'above';
    const ref = kind.startsWith('buy') ? quote.ask : quote.bid;
    return fail(
      'PENDING_PRICE_WRONG_SIDE',
      `A ${kind.replace('_', ' ')} order must be ${where} the current price ${px(ref, spec)}.`,
    );
  }
  if (distance < min - 1e-12) {
    return fail(
      'PENDING_PRICE_TOO_CLOSE',
      `The order price must be at least ${spec.stopsLevel} points from the market.`,
      {
        stopsLevelPoints: spec.stopsLevel,
      },
    );
  }
  return ok(true);
}

function checkExpiration(spec: SymbolSpec, expiration: number | null, now: number): Result<true> {
  if (expiration === null) {
    return (spec.expirationFlags & SYMBOL_EXPIRATION_FLAG.GTC) === 0
      ? fail('EXPIRATION_NOT_SUPPORTED', `${spec.name} needs an expiration time for pending orders.`)
      : ok(true);
  }
  if ((spec.expirationFlags & SYMBOL_EXPIRATION_FLAG.SPECIFIED) === 0) {
    return fail(
      'EXPIRATION_NOT_SUPPORTED',
      `${spec.name} does not accept an expiration time on pending orders.`,
    );
  }
  if (expiration <= now) return fail('EXPIRATION_IN_PAST', 'The expiration time must be in the future.');
  return ok(true);
}

/** Checks a new pending order. */
export function checkPendingOrder(
  spec: SymbolSpec,
  quote: Quote,
  input: PlacePendingOrder,
  now: number,
): Result<CheckedPending> {
  const side = sideOfKind(input.kind);
  const mode = checkOpenMode(spec, side);
  if (!mode.ok) return mode;
  const flag = input.kind.endsWith('limit') ? SYMBOL_ORDER_FLAG.LIMIT : SYMBOL_ORDER_FLAG.STOP;
  if ((spec.orderFlags & flag) === 0)
    return fail(
      'ORDER_TYPE_NOT_ALLOWED',
      `${spec.name} does not accept ${input.kind.replace('_', ' ')} orders.`,
    );
  const expiration = input.expiration ?? null;
  const exp = checkExpiration(spec, expiration, now);
  if (!exp.ok) return exp;
  const volume = checkVolume(spec, input.volume);
  if (!volume.ok) return volume;
  const price = normalizePrice(input.price, spec.tickSize);
  const where = checkPendingPrice(spec, quote, input.kind, price);
  if (!where.ok) return where;
  const sl = input.sl === undefined ? 0 : stopPrice(input.sl, 'sl', side, price, spec);
  const tp = input.tp === undefined ? 0 : stopPrice(input.tp, 'tp', side, price, spec);
  const stops = checkStops(spec, side, price, sl, tp);
  if (!stops.ok) return stops;
  return ok({ volume: volume.value, price, sl, tp, expiration });
}

function applyChange(
  change: StopChange | undefined,
  current: number,
  kind: 'sl' | 'tp',
  side: Side,
  from: number,
  spec: SymbolSpec,
): number {
  if (change === undefined) return current;
  if (change === null) return 0;
  return stopPrice(change, kind, side, from, spec);
}

/** Inside the freeze level nothing about an order or position may change (MT5 answers 10029). */
function isFrozen(distance: number, spec: SymbolSpec): boolean {
  return spec.freezeLevel > 0 && distance <= pointsToPrice(spec.freezeLevel, spec) + 1e-12;
}

const positionSide = (p: WirePosition): Side => (p.type === 0 ? 'buy' : 'sell');

function checkPositionFreeze(spec: SymbolSpec, quote: Quote, p: WirePosition): Result<true> {
  const side = positionSide(p);
  const close = side === 'buy' ? quote.bid : quote.ask;
  const slDist = p.sl > 0 ? (side === 'buy' ? close - p.sl : p.sl - close) : Infinity;
  const tpDist = p.tp > 0 ? (side === 'buy' ? p.tp - close : close - p.tp) : Infinity;
  if (isFrozen(slDist, spec) || isFrozen(tpDist, spec)) {
    return fail(
      'FROZEN',
      `Position #${p.ticket} is too close to its stop loss or take profit to be changed right now (freeze level ${spec.freezeLevel} points).`,
      {
        freezeLevelPoints: spec.freezeLevel,
      },
    );
  }
  return ok(true);
}

/** New SL/TP for a position; pips count from the position's open price. */
export function checkPositionChange(
  spec: SymbolSpec,
  quote: Quote,
  p: WirePosition,
  change: ModifyPosition,
): Result<{ sl: number; tp: number }> {
  if (spec.tradeMode === 'DISABLED') return fail('TRADE_DISABLED', `Trading is disabled for ${spec.name}.`);
  const side = positionSide(p);
  const sl = applyChange(change.sl, p.sl, 'sl', side, p.priceOpen, spec);
  const tp = applyChange(change.tp, p.tp, 'tp', side, p.priceOpen, spec);
  if (Math.abs(sl - p.sl) < 1e-12 && Math.abs(tp - p.tp) < 1e-12) {
    return fail('NO_CHANGES', `Position #${p.ticket} already has these stop loss and take profit values.`);
  }
  const frozen = checkPositionFreeze(spec, quote, p);
  if (!frozen.ok) return frozen;
  const stops = checkStops(spec, side, side === 'buy' ? quote.bid : quote.ask, sl, tp);
  if (!stops.ok) return stops;
  return ok({ sl, tp });
}

/** New price/SL/TP/expiration for a pending order; SL/TP pips count from the (new) order price. */
export function checkOrderChange(
  spec: SymbolSpec,
  quote: Quote,
  o: WireOrder,
  change: ModifyOrder,
  now: number,
): Result<CheckedPending> {
  const kind = orderKindOf(o.type);
  if (kind === undefined)
    return fail(
      'ORDER_TYPE_NOT_ALLOWED',
      `Order #${o.ticket} is not a limit or stop order Pipdesk can change.`,
    );
  if (spec.tradeMode === 'DISABLED') return fail('TRADE_DISABLED', `Trading is disabled for ${spec.name}.`);
  const side = sideOfKind(kind);
  // Freeze: the order's current price too close to the market.
  const currentDistance =
    kind === 'buy_limit'
      ? quote.ask - o.priceOpen
      : kind === 'sell_limit'
        ? o.priceOpen - quote.bid
        : kind === 'buy_stop'
          ? o.priceOpen - quote.ask
          : quote.bid - o.priceOpen;
  if (isFrozen(currentDistance, spec)) {
    return fail(
      'FROZEN',
      `Order #${o.ticket} is too close to the market to be changed right now (freeze level ${spec.freezeLevel} points).`,
    );
  }
  const price = change.price === undefined ? o.priceOpen : normalizePrice(change.price, spec.tickSize);
  const sl = applyChange(change.sl, o.sl, 'sl', side, price, spec);
  const tp = applyChange(change.tp, o.tp, 'tp', side, price, spec);
  const currentExpiration = o.expirationMs > 0 ? o.expirationMs : null;
  const expiration = change.expiration === undefined ? currentExpiration : change.expiration;
  if (
    Math.abs(price - o.priceOpen) < 1e-12 &&
    Math.abs(sl - o.sl) < 1e-12 &&
    Math.abs(tp - o.tp) < 1e-12 &&
    expiration === currentExpiration
  ) {
    return fail('NO_CHANGES', `Order #${o.ticket} already has these values.`);
  }
  if (change.expiration !== undefined) {
    const exp = checkExpiration(spec, expiration, now);
    if (!exp.ok) return exp;
  }
  const where = checkPendingPrice(spec, quote, kind, price);
  if (!where.ok) return where;
  const stops = checkStops(spec, side, price, sl, tp);
  if (!stops.ok) return stops;
  return ok({ volume: o.volumeCurrent, price, sl, tp, expiration });
}

/** A close: the volume (whole position by default) and the price it closes at. */
export function checkClose(
  spec: SymbolSpec,
  quote: Quote,
  p: WirePosition,
  volume: number | undefined,
): Result<{ volume: number; price: number }> {
  if (spec.tradeMode === 'DISABLED') return fail('TRADE_DISABLED', `Trading is disabled for ${spec.name}.`);
  const v = volume ?? p.volume;
  if (v > p.volume + 1e-12) {
    return fail(
      'INVALID_CLOSE_VOLUME',
      `Position #${p.ticket} has ${p.volume} lots; you cannot close ${v}.`,
      { positionVolume: p.volume, volume: v },
    );
  }
  if (volume !== undefined) {
    const checked = checkVolume(spec, v);
    if (!checked.ok) return checked;
  }
  const frozen = checkPositionFreeze(spec, quote, p);
  if (!frozen.ok) return frozen;
  return ok({ volume: v, price: positionSide(p) === 'buy' ? quote.bid : quote.ask });
}

/** A pending order may not be deleted inside the freeze level. */
export function checkCancel(spec: SymbolSpec, quote: Quote, o: WireOrder): Result<true> {
  const kind = orderKindOf(o.type);
  if (kind === undefined) return ok(true);
  const distance =
    kind === 'buy_limit'
      ? quote.ask - o.priceOpen
      : kind === 'sell_limit'
        ? o.priceOpen - quote.bid
        : kind === 'buy_stop'
          ? o.priceOpen - quote.ask
          : quote.bid - o.priceOpen;
  if (isFrozen(distance, spec)) {
    return fail(
      'FROZEN',
      `Order #${o.ticket} is too close to the market to be cancelled right now (freeze level ${spec.freezeLevel} points).`,
    );
  }
  return ok(true);
}

/** Money lost if the stop loss is hit, in the account currency; null without SL or without a tick value. */
export function riskMoneyOf(spec: SymbolSpec, price: number, sl: number, volume: number): number | null {
  if (sl <= 0 || spec.tickValue === undefined) return null;
  return roundMoney((Math.abs(price - sl) / spec.tickSize) * spec.tickValue * volume, 2);
}

/** Figures the risk limits are checked against. */
export interface RiskFigures {
  readonly volume: number;
  readonly openPositions: number;
  /** Positions the order adds (0 when it adds to or reduces a netting position, or is pending). */
  readonly newPositions: number;
  readonly margin: number;
  readonly freeMargin: number;
  readonly equity: number;
  readonly riskMoney: number | null;
  readonly currency: string;
}

/** The user's risk limits; a refusal says which limit and by how much. */
export function checkRisk(limits: RiskLimits, f: RiskFigures): Result<true> {
  if (f.volume > limits.maxLotSize + 1e-12) {
    return fail(
      'MAX_LOT_SIZE_EXCEEDED',
      `${f.volume} lots is above your maximum of ${limits.maxLotSize} lots per order (by ${roundMoney(f.volume - limits.maxLotSize, 8)}).`,
      {
        limit: limits.maxLotSize,
        actual: f.volume,
        excess: roundMoney(f.volume - limits.maxLotSize, 8),
      },
    );
  }
  if (f.newPositions > 0 && f.openPositions + f.newPositions > limits.maxOpenPositions) {
    return fail(
      'MAX_OPEN_POSITIONS_EXCEEDED',
      `You already have ${f.openPositions} open positions; your limit is ${limits.maxOpenPositions}.`,
      {
        limit: limits.maxOpenPositions,
        actual: f.openPositions + f.newPositions,
        excess: f.openPositions + f.newPositions - limits.maxOpenPositions,
      },
    );
  }
  if (f.margin > f.freeMargin + 1e-9) {
    const short = roundMoney(f.margin - f.freeMargin, 2);
    return fail(
      'INSUFFICIENT_MARGIN',
      `This order needs ${roundMoney(f.margin, 2)} ${f.currency} of margin but only ${roundMoney(f.freeMargin, 2)} ${f.currency} is free (short by ${short} ${f.currency}).`,
      {
        limit: f.freeMargin,
        actual: f.margin,
        excess: short,
      },
    );
  }
  if (limits.maxRiskPercent !== null) {
    const allowed = roundMoney((f.equity * limits.maxRiskPercent) / 100, 2);
    if (f.riskMoney === null) {
      return fail(
        'MAX_RISK_PER_TRADE_EXCEEDED',
        `Your settings limit risk to ${limits.maxRiskPercent}% per trade, so this order needs a stop loss.`,
        {
          limit: allowed,
        },
      );
    }
    if (f.riskMoney > allowed + 1e-9) {
      return fail(
        'MAX_RISK_PER_TRADE_EXCEEDED',
        `This trade risks ${f.riskMoney} ${f.currency}; your limit is ${limits.maxRiskPercent}% of equity (${allowed} ${f.currency}), exceeded by ${roundMoney(f.riskMoney - allowed, 2)} ${f.currency}.`,
        {
          limit: allowed,
          actual: f.riskMoney,
          excess: roundMoney(f.riskMoney - allowed, 2),
        },
      );
    }
  }
  return ok(true);
}
