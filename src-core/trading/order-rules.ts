import { z } from 'zod';
import type { ErrorCode } from '../errors';
import { appError, err, missingCaseError, ok, type AppError, type Result } from '../result';
import { isMultipleOfStep, priceToPoints } from './numbers';
import {
  SYMBOL_EXPIRATION_FLAG,
  SYMBOL_ORDER_FLAG,
  type Quote,
  type Side,
  type SymbolSpec,
} from './symbol-spec';

/**
 * Pre-trade rules: what MT5's trade server would refuse, checked before a request is sent so the ticket can
 * show every problem live, in words, with the numbers. Semantics: docs/trading-core.md, "Order rules". The server stays
 * the authority; these checks only spare the trader a round trip and a cryptic retcode.
 */

/** ENUM_ORDER_TYPE without CLOSE_BY, in the app's spelling (`buy_limit` = ORDER_TYPE_BUY_LIMIT). */
export const OrderType = z.enum([
  'buy',
  'sell',
  'buy_limit',
  'sell_limit',
  'buy_stop',
  'sell_stop',
  'buy_stop_limit',
  'sell_stop_limit',
]);
export type OrderType = z.infer<typeof OrderType>;

/** Pending order types. */
export type PendingOrderType = Exclude<OrderType, 'buy' | 'sell'>;

/** ENUM_ORDER_TYPE_TIME. */
export const ExpirationType = z.enum(['GTC', 'DAY', 'SPECIFIED', 'SPECIFIED_DAY']);
export type ExpirationType = z.infer<typeof ExpirationType>;

/** A pending order's expiration: the type, and the time (ms since the epoch) for SPECIFIED/SPECIFIED_DAY. */
export interface OrderExpiration {
  readonly type: ExpirationType;
  readonly timeMs?: number;
}

/** Which input a violation is about, so a form can put the message beside the field. */
export type RuleField = 'symbol' | 'type' | 'volume' | 'price' | 'stopLimit' | 'sl' | 'tp' | 'expiration';

/** One broken rule: a code from errors.ts, a plain message with the numbers, and the field it concerns. */
export interface RuleViolation extends AppError {
  readonly field: RuleField;
}

/** The side an order type opens. */
export function orderSide(type: OrderType): Side {
  return type.startsWith('buy') ? 'buy' : 'sell';
}

/** Whether the order type is a pending order. */
export function isPendingOrderType(type: OrderType): type is PendingOrderType {
  return type !== 'buy' && type !== 'sell';
}

/** The SYMBOL_ORDER_MODE flag that allows an order type. */
function orderFlagFor(type: OrderType): number {
  switch (type) {
    case 'buy':
    case 'sell':
      return SYMBOL_ORDER_FLAG.MARKET;
    case 'buy_limit':
    case 'sell_limit':
      return SYMBOL_ORDER_FLAG.LIMIT;
    case 'buy_stop':
    case 'sell_stop':
      return SYMBOL_ORDER_FLAG.STOP;
    case 'buy_stop_limit':
    case 'sell_stop_limit':
      return SYMBOL_ORDER_FLAG.STOP_LIMIT;
    default:
      throw missingCaseError(type);
  }
}

const TYPE_LABEL: Readonly<Record<OrderType, string>> = {
  buy: 'buy',
  sell: 'sell',
  buy_limit: 'buy limit',
  sell_limit: 'sell limit',
  buy_stop: 'buy stop',
  sell_stop: 'sell stop',
  buy_stop_limit: 'buy stop limit',
  sell_stop_limit: 'sell stop limit',
};

/** Collects violations with prices printed at the symbol's digits. */
class Checker {
  readonly violations: RuleViolation[] = [];

  constructor(readonly spec: SymbolSpec) {}

  add(code: ErrorCode, field: RuleField, message: string, details?: Record<string, unknown>): void {
    const base = appError(code, message, details);
    this.violations.push({ ...base, field });
  }

  px(price: number): string {
    return price.toFixed(this.spec.digits);
  }

  /** Distance in points, float noise removed; `a - b`. */
  points(a: number, b: number): number {
    return priceToPoints(a - b, this.spec);
  }
}

/** MT5 rounds distances in points; a tolerance keeps 14.9999999 points from failing a 15-point rule. */
const POINT_TOLERANCE = 1e-6;

function checkQuote(c: Checker, quote: Pick<Quote, 'bid' | 'ask'>): boolean {
  const { bid, ask } = quote;
  if (!(Number.isFinite(bid) && Number.isFinite(ask) && bid > 0 && ask > 0 && ask >= bid)) {
    c.add(
      'NO_QUOTE',
      'symbol',
      `There is no valid price for ${c.spec.name} right now (bid ${bid}, ask ${ask}).`,
    );
    return false;
  }
  return true;
}

/** Trade mode for opening (or placing) an order on `side`. */
function checkTradeModeForOpen(c: Checker, side: Side): void {
  const name = c.spec.name;
  switch (c.spec.tradeMode) {
    case 'FULL':
      return;
    case 'DISABLED':
      c.add('TRADE_DISABLED', 'symbol', `Trading is disabled for ${name}.`);
      return;
    case 'LONGONLY':
      if (side === 'sell') c.add('LONG_ONLY', 'type', `Only buy positions are allowed on ${name}.`);
      return;
    case 'SHORTONLY':
      if (side === 'buy') c.add('SHORT_ONLY', 'type', `Only sell positions are allowed on ${name}.`);
      return;
    case 'CLOSEONLY':
      c.add(
        'CLOSE_ONLY',
        'symbol',
        `${name} is close-only: existing positions can be closed, new ones not opened.`,
      );
      return;
    default:
      throw missingCaseError(c.spec.tradeMode);
  }
}

function checkVolume(c: Checker, volume: number): void {
  const { volumeMin, volumeMax, volumeStep } = c.spec;
  if (!Number.isFinite(volume) || volume <= 0) {
    c.add('INVALID_VOLUME', 'volume', `The volume must be above zero (got ${volume}).`);
    return;
  }
  if (volume < volumeMin - volumeStep * 1e-9) {
    c.add('VOLUME_BELOW_MIN', 'volume', `The volume ${volume} is below the minimum of ${volumeMin} lots.`, {
      volume,
      volumeMin,
    });
  }
  if (volume > volumeMax + volumeStep * 1e-9) {
    c.add('VOLUME_ABOVE_MAX', 'volume', `The volume ${volume} is above the maximum of ${volumeMax} lots.`, {
      volume,
      volumeMax,
    });
  }
  if (!isMultipleOfStep(volume, volumeStep)) {
    c.add('VOLUME_NOT_STEP', 'volume', `The volume ${volume} is not a multiple of the step ${volumeStep}.`, {
      volume,
      volumeStep,
    });
  }
}

const FIELD_NAME: Readonly<Record<'price' | 'stopLimit' | 'sl' | 'tp', string>> = {
  price: 'The order price',
  stopLimit: 'The limit price',
  sl: 'The stop loss',
  tp: 'The take profit',
};

/** A price must be positive and on the tick grid. Returns whether it can be used for further checks. */
function checkPriceValue(c: Checker, field: 'price' | 'stopLimit' | 'sl' | 'tp', price: number): boolean {
  if (!Number.isFinite(price) || price <= 0) {
    c.add('INVALID_PRICE', field, `${FIELD_NAME[field]} must be a price above zero (got ${price}).`);
    return false;
  }
  if (!isMultipleOfStep(price, c.spec.tickSize)) {
    c.add(
      'PRICE_NOT_NORMALIZED',
      field,
      `${FIELD_NAME[field]} ${price} is not a multiple of the tick size ${c.spec.tickSize}.`,
      { price, tickSize: c.spec.tickSize },
    );
  }
  return true;
}

/**
 * SL and TP against a reference price: for positions (and market orders) the close side of the quote (buys close
 * at the bid, sells at the ask), for pending orders the open price. The stops level is the minimum distance.
 */
function checkStops(
  c: Checker,
  side: Side,
  ref: { readonly price: number; readonly label: string },
  sl: number | undefined,
  tp: number | undefined,
): void {
  const level = c.spec.stopsLevel;
  const at = `${ref.label} (${c.px(ref.price)})`;
  if (sl !== undefined && checkPriceValue(c, 'sl', sl)) {
    const distance = side === 'buy' ? c.points(ref.price, sl) : c.points(sl, ref.price);
    const where = side === 'buy' ? 'below' : 'above';
    if (distance <= 0) {
      c.add('STOP_LOSS_WRONG_SIDE', 'sl', `Stop loss must be ${where} ${at}; it is ${c.px(sl)}.`, {
        sl,
        reference: ref.price,
      });
    } else if (distance + POINT_TOLERANCE < level) {
      c.add(
        'STOP_LOSS_TOO_CLOSE',
        'sl',
        `Stop loss must be at least ${level} points ${where} ${at}; it is ${distance} points away.`,
        {
          sl,
          reference: ref.price,
          stopsLevel: level,
          distancePoints: distance,
        },
      );
    }
  }
  if (tp !== undefined && checkPriceValue(c, 'tp', tp)) {
    const distance = side === 'buy' ? c.points(tp, ref.price) : c.points(ref.price, tp);
    const where = side === 'buy' ? 'above' : 'below';
    if (distance <= 0) {
      c.add('TAKE_PROFIT_WRONG_SIDE', 'tp', `Take profit must be ${where} ${at}; it is ${c.px(tp)}.`, {
        tp,
        reference: ref.price,
      });
    } else if (distance + POINT_TOLERANCE < level) {
      c.add(
        'TAKE_PROFIT_TOO_CLOSE',
        'tp',
        `Take profit must be at least ${level} points ${where} ${at}; it is ${distance} points away.`,
        {
          tp,
          reference: ref.price,
          stopsLevel: level,
          distancePoints: distance,
        },
      );
    }
  }
}

/** The SYMBOL_ORDER_SL / SYMBOL_ORDER_TP flags: some symbols refuse stops attached to orders. */
function checkStopFlags(c: Checker, sl: number | undefined, tp: number | undefined): void {
  if (sl !== undefined && (c.spec.orderFlags & SYMBOL_ORDER_FLAG.SL) === 0) {
    c.add('STOP_LOSS_NOT_ALLOWED', 'sl', `${c.spec.name} does not accept a stop loss on orders.`);
  }
  if (tp !== undefined && (c.spec.orderFlags & SYMBOL_ORDER_FLAG.TP) === 0) {
    c.add('TAKE_PROFIT_NOT_ALLOWED', 'tp', `${c.spec.name} does not accept a take profit on orders.`);
  }
}

/**
 * Where a pending order's open price must be (BuyLimit below the ask, BuyStop above it, SellLimit above the bid,
 * SellStop below it) and how far: at least the stops level (docs/trading-core.md, "Order rules"). Stop-limit orders trigger like stops.
 */
function checkPendingPrice(
  c: Checker,
  type: PendingOrderType,
  price: number,
  quote: Pick<Quote, 'bid' | 'ask'>,
): void {
  const isBuy = orderSide(type) === 'buy';
  const isLimit = type === 'buy_limit' || type === 'sell_limit';
  const market = isBuy ? quote.ask : quote.bid;
  const marketLabel = isBuy ? 'ask' : 'bid';
  // Buy limits and sell stops sit below the market; buy stops and sell limits above it.
  const isBelow = isBuy === isLimit;
  const distance = isBelow ? c.points(market, price) : c.points(price, market);
  const where = isBelow ? 'below' : 'above';
  const at = `the ${marketLabel} (${c.px(market)})`;
  if (distance <= 0) {
    c.add(
      'PENDING_PRICE_WRONG_SIDE',
      'price',
      `A ${TYPE_LABEL[type]} order must be placed ${where} ${at}; its price is ${c.px(price)}.`,
      {
        price,
        market,
      },
    );
  } else if (distance + POINT_TOLERANCE < c.spec.stopsLevel) {
    c.add(
      'PENDING_PRICE_TOO_CLOSE',
      'price',
      `A ${TYPE_LABEL[type]} order must be at least ${c.spec.stopsLevel} points ${where} ${at}; it is ${distance} points away.`,
      { price, market, stopsLevel: c.spec.stopsLevel, distancePoints: distance },
    );
  }
}

/** A stop-limit's limit price: below its stop price for a buy, above it for a sell. */
function checkStopLimitPrice(
  c: Checker,
  type: PendingOrderType,
  stopPrice: number,
  limit: number | undefined,
): boolean {
  if (type !== 'buy_stop_limit' && type !== 'sell_stop_limit') return true;
  if (limit === undefined) {
    c.add('STOP_LIMIT_PRICE_INVALID', 'stopLimit', 'A stop-limit order needs a limit price.');
    return false;
  }
  if (!checkPriceValue(c, 'stopLimit', limit)) return false;
  const isBuy = type === 'buy_stop_limit';
  if (isBuy ? limit >= stopPrice : limit <= stopPrice) {
    c.add(
      'STOP_LIMIT_PRICE_INVALID',
      'stopLimit',
      `The limit price (${c.px(limit)}) must be ${isBuy ? 'below' : 'above'} the stop price (${c.px(stopPrice)}).`,
    );
    return false;
  }
  return true;
}

/**
 * The expiration type must be one the symbol allows (SYMBOL_EXPIRATION_MODE), and a specified time must be in
 * the future. Market orders carry no expiration.
 */
function checkExpiration(c: Checker, expiration: OrderExpiration | undefined, nowMs: number): void {
  const type = expiration?.type ?? 'GTC';
  if ((c.spec.expirationFlags & SYMBOL_EXPIRATION_FLAG[type]) === 0) {
    c.add(
      'EXPIRATION_NOT_SUPPORTED',
      'expiration',
      `${c.spec.name} does not support ${EXPIRATION_LABEL[type]} orders.`,
      {
        expirationType: type,
        allowed: allowedExpirations(c.spec),
      },
    );
  }
  if (type === 'SPECIFIED' || type === 'SPECIFIED_DAY') {
    const time = expiration?.timeMs;
    if (time === undefined || !Number.isFinite(time) || time <= nowMs) {
      c.add('EXPIRATION_IN_PAST', 'expiration', 'The expiration time must be in the future.', {
        expirationMs: time,
        nowMs,
      });
    }
  }
}

const EXPIRATION_LABEL: Readonly<Record<ExpirationType, string>> = {
  GTC: 'good-till-cancelled',
  DAY: 'day',
  SPECIFIED: 'expiring (specified time)',
  SPECIFIED_DAY: 'expiring (specified day)',
};

/** The expiration types a symbol allows, in MT5's order. */
export function allowedExpirations(spec: Pick<SymbolSpec, 'expirationFlags'>): ExpirationType[] {
  return ExpirationType.options.filter((t) => (spec.expirationFlags & SYMBOL_EXPIRATION_FLAG[t]) !== 0);
}

/**
 * Picks the expiration type for a pending order as `CTrade::OrderOpen` does: no time means good till cancelled,
 * falling back to DAY when the symbol does not allow GTC; a time means SPECIFIED, or SPECIFIED_DAY where only that
 * is allowed. No allowed type is `EXPIRATION_NOT_SUPPORTED`.
 */
export function chooseExpiration(
  spec: Pick<SymbolSpec, 'name' | 'expirationFlags'>,
  timeMs: number | undefined,
): Result<OrderExpiration> {
  const allowed = allowedExpirations(spec);
  const prefer: ExpirationType[] = timeMs === undefined ? ['GTC', 'DAY'] : ['SPECIFIED', 'SPECIFIED_DAY'];
  const type = prefer.find((t) => allowed.includes(t));
  if (type === undefined) {
    const wanted =
      timeMs === undefined ? 'orders without an expiration time' : 'orders with an expiration time';
    return err(appError('EXPIRATION_NOT_SUPPORTED', `${spec.name} does not accept ${wanted}.`, { allowed }));
  }
  return ok(timeMs === undefined ? { type } : { type, timeMs });
}

/** MT5 writes "no SL/TP" as 0 (positions and orders read from the terminal); here it is undefined. */
function presentLevel(value: number | undefined): number | undefined {
  return value === 0 ? undefined : value;
}

/** A new market or pending order to check. Prices are absolute; an absent (or 0, as MT5 writes it) SL/TP means none. */
export interface OrderCheckInput {
  readonly spec: SymbolSpec;
  readonly quote: Pick<Quote, 'bid' | 'ask'>;
  readonly type: OrderType;
  readonly volume: number;
  /** The open price of a pending order (the stop price of a stop-limit); ignored for market orders. */
  readonly price?: number;
  /** The limit price of a stop-limit order. */
  readonly stopLimit?: number;
  readonly sl?: number;
  readonly tp?: number;
  /** Pending orders only; absent means GTC. */
  readonly expiration?: OrderExpiration;
  /** The current time, for expiration checks (pass the server time where known). */
  readonly nowMs?: number;
}

/**
 * Checks a new market or pending order and returns every violation (empty when the order may be sent): trade
 * mode, order type (SYMBOL_ORDER_MODE), expiration, volume min/max/step, prices on the tick grid, pending price
 * side and distance, SL/TP side and stops level. For market orders SL/TP are measured from the close side of the
 * quote: bid for a buy, ask for a sell (docs/trading-core.md, "Order rules").
 */
export function checkOrder(input: OrderCheckInput): readonly RuleViolation[] {
  const c = new Checker(input.spec);
  const { type, quote } = input;
  const sl = presentLevel(input.sl);
  const tp = presentLevel(input.tp);
  const side = orderSide(type);
  checkTradeModeForOpen(c, side);
  if ((input.spec.orderFlags & orderFlagFor(type)) === 0) {
    c.add('ORDER_TYPE_NOT_ALLOWED', 'type', `${input.spec.name} does not allow ${TYPE_LABEL[type]} orders.`);
  }
  checkStopFlags(c, sl, tp);
  checkVolume(c, input.volume);
  const hasQuote = checkQuote(c, quote);

  if (!isPendingOrderType(type)) {
    if (hasQuote) {
      const ref =
        side === 'buy' ? { price: quote.bid, label: 'the bid' } : { price: quote.ask, label: 'the ask' };
      checkStops(c, side, ref, sl, tp);
    }
    return c.violations;
  }

  checkExpiration(c, input.expiration, input.nowMs ?? Date.now());
  const price = input.price;
  if (price === undefined) {
    c.add('INVALID_PRICE', 'price', `A ${TYPE_LABEL[type]} order needs a price.`);
    return c.violations;
  }
  if (!checkPriceValue(c, 'price', price)) return c.violations;
  if (hasQuote) checkPendingPrice(c, type, price, quote);
  if (!checkStopLimitPrice(c, type, price, input.stopLimit)) return c.violations;
  // A stop-limit opens at its limit price, so that is where its SL and TP are measured from.
  const open = input.stopLimit ?? price;
  checkStops(c, side, { price: open, label: `the order price` }, sl, tp);
  return c.violations;
}

/** Changing an open position's SL/TP to the given levels (absent = none). */
export interface PositionModificationInput {
  readonly kind: 'position';
  readonly spec: SymbolSpec;
  readonly quote: Pick<Quote, 'bid' | 'ask'>;
  /** The position's direction. */
  readonly side: Side;
  readonly currentSl?: number;
  readonly currentTp?: number;
  readonly sl?: number;
  readonly tp?: number;
}

/** Changing a pending order's price, SL/TP or expiration to the given values (absent SL/TP = none). */
export interface OrderModificationInput {
  readonly kind: 'order';
  readonly spec: SymbolSpec;
  readonly quote: Pick<Quote, 'bid' | 'ask'>;
  readonly type: PendingOrderType;
  readonly currentPrice: number;
  readonly currentStopLimit?: number;
  readonly currentSl?: number;
  readonly currentTp?: number;
  readonly currentExpiration?: OrderExpiration;
  readonly price: number;
  readonly stopLimit?: number;
  readonly sl?: number;
  readonly tp?: number;
  readonly expiration?: OrderExpiration;
  readonly nowMs?: number;
}

/** What {@link checkModification} accepts. */
export type ModificationInput = PositionModificationInput | OrderModificationInput;

/**
 * The freeze level (docs/trading-core.md, "Order rules"): a position whose SL or TP, or a pending order whose price, is within
 * `freezeLevel` points of the market may not be modified, closed or deleted by the trader at that moment.
 * Measured on the current levels, strictly (distance must exceed the freeze level).
 */
function checkFreeze(
  c: Checker,
  input: ModificationInput,
  currentSl: number | undefined,
  currentTp: number | undefined,
): void {
  const freeze = c.spec.freezeLevel;
  if (freeze <= 0) return;
  const { quote } = input;
  const frozen = (
    what: string,
    value: number,
    market: number,
    marketLabel: string,
    distance: number,
  ): void => {
    c.add(
      'FROZEN',
      input.kind === 'position' ? 'sl' : 'price',
      `${what} (${c.px(value)}) is within the freeze level of ${freeze} points of the ${marketLabel} (${c.px(market)}), so it cannot be changed right now.`,
      { freezeLevel: freeze, distancePoints: distance },
    );
  };
  if (input.kind === 'position') {
    const isBuy = input.side === 'buy';
    const market = isBuy ? quote.bid : quote.ask;
    const label = isBuy ? 'bid' : 'ask';
    if (currentSl !== undefined) {
      const d = isBuy ? c.points(market, currentSl) : c.points(currentSl, market);
      if (d <= freeze + POINT_TOLERANCE) frozen('The current stop loss', currentSl, market, label, d);
    }
    if (currentTp !== undefined) {
      const d = isBuy ? c.points(currentTp, market) : c.points(market, currentTp);
      if (d <= freeze + POINT_TOLERANCE) frozen('The current take profit', currentTp, market, label, d);
    }
    return;
  }
  const isBuy = orderSide(input.type) === 'buy';
  const market = isBuy ? quote.ask : quote.bid;
  const d = Math.abs(c.points(input.currentPrice, market));
  if (d <= freeze + POINT_TOLERANCE) {
    frozen('The order price', input.currentPrice, market, isBuy ? 'ask' : 'bid', d);
  }
}

function sameExpiration(a: OrderExpiration | undefined, b: OrderExpiration | undefined): boolean {
  return (a?.type ?? 'GTC') === (b?.type ?? 'GTC') && a?.timeMs === b?.timeMs;
}

/**
 * Checks an SL/TP modification of a position, or a modification of a pending order, and returns every
 * violation: trade mode, SL/TP flags, prices on the tick grid, sides, stops level (positions: buys from the bid,
 * sells from the ask; orders: from the new order price), the freeze level on the current levels, expiration, and
 * `NO_CHANGES` when nothing would change (MT5 answers 10025). Modifying SL/TP of a position stays allowed on
 * close-only and long/short-only symbols (it opens nothing); pending-order changes are refused on close-only ones
 * [inferred: MT5 documents only opening and closing for these modes].
 */
export function checkModification(input: ModificationInput): readonly RuleViolation[] {
  const c = new Checker(input.spec);
  const { spec, quote } = input;
  const sl = presentLevel(input.sl);
  const tp = presentLevel(input.tp);
  const currentSl = presentLevel(input.currentSl);
  const currentTp = presentLevel(input.currentTp);
  if (spec.tradeMode === 'DISABLED') {
    c.add('TRADE_DISABLED', 'symbol', `Trading is disabled for ${spec.name}.`);
  } else if (input.kind === 'order' && spec.tradeMode === 'CLOSEONLY') {
    c.add(
      'CLOSE_ONLY',
      'symbol',
      `${spec.name} is close-only: pending orders can be deleted but not changed.`,
    );
  }
  checkStopFlags(c, sl, tp);
  const hasQuote = checkQuote(c, quote);

  if (input.kind === 'position') {
    if (sl === currentSl && tp === currentTp) {
      c.add('NO_CHANGES', 'sl', 'The stop loss and take profit are already set to these values.');
      return c.violations;
    }
    if (hasQuote) {
      const ref =
        input.side === 'buy'
          ? { price: quote.bid, label: 'the bid' }
          : { price: quote.ask, label: 'the ask' };
      checkStops(c, input.side, ref, sl, tp);
      checkFreeze(c, input, currentSl, currentTp);
    }
    return c.violations;
  }

  const unchanged =
    input.price === input.currentPrice &&
    input.stopLimit === input.currentStopLimit &&
    sl === currentSl &&
    tp === currentTp &&
    sameExpiration(input.expiration, input.currentExpiration);
  if (unchanged) {
    c.add('NO_CHANGES', 'price', 'The order already has these values.');
    return c.violations;
  }
  checkExpiration(c, input.expiration, input.nowMs ?? Date.now());
  if (!checkPriceValue(c, 'price', input.price)) return c.violations;
  if (hasQuote) {
    checkFreeze(c, input, currentSl, currentTp);
    checkPendingPrice(c, input.type, input.price, quote);
  }
  if (!checkStopLimitPrice(c, input.type, input.price, input.stopLimit)) return c.violations;
  const open = input.stopLimit ?? input.price;
  checkStops(c, orderSide(input.type), { price: open, label: 'the order price' }, sl, tp);
  return c.violations;
}
