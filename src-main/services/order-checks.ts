import type { WireOrder, WirePosition } from '../../src-bridge/protocol/messages';
import type { RiskLimits as SettingsRiskLimits } from '../../src-core/contracts/ipc';
import type {
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  PendingKind,
  PlacePendingOrder,
  StopChange,
  StopLevel,
} from '../../src-core/contracts/orders';
import type { ErrorCode } from '../../src-core/errors';
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
import type { ExpirationType, OrderExpiration, RuleViolation } from '../../src-core/trading/order-rules';
import { checkModification, checkOrder, chooseExpiration } from '../../src-core/trading/order-rules';
import type { RiskLimits } from '../../src-core/trading/risk-limits';
import { checkRiskLimits, riskPerTradeViolation } from '../../src-core/trading/risk-limits';
import type { Quote, Side, SymbolSpec } from '../../src-core/trading/symbol-spec';

/**
 * The executor's pre-send checks: turns a trader's intent (SL/TP in pips, prices off the tick grid) into the exact
 * values to send, then asks the core's order rules (src-core/trading/order-rules.ts) and risk limits
 * (risk-limits.ts) what MT5 or the trader's settings would refuse. Closes and cancels, which the core's rules do not
 * cover, get their volume and freeze-level checks here. Codes come from src-core/errors.ts.
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

const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): Result<never> =>
  err(appError(code, message, details));

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
export function stopPrice(
  level: StopLevel,
  kind: 'sl' | 'tp',
  side: Side,
  from: number,
  spec: SymbolSpec,
): number {
  if ('price' in level) return normalizePrice(level.price, spec.tickSize);
  const d = pipsToPrice(level.pips, spec);
  const below = (kind === 'sl') === (side === 'buy');
  return normalizePrice(below ? from - d : from + d, spec.tickSize);
}

/**
 * SL/TP against the reference price (the close side of the quote for positions and market orders, the order price
 * for pending orders): right side, and at least the stops level away.
 */
/** A market order ready to send; `sl`/`tp` are 0 when absent. */
export interface CheckedMarket {
  readonly volume: number;
  readonly price: number;
  readonly sl: number;
  readonly tp: number;
}

/** The first violation the core's order rules found, as the executor's refusal. */
function firstViolation(violations: readonly RuleViolation[]): Result<true> {
  const [first] = violations;
  if (first === undefined) return ok(true);
  return err(
    first.details === undefined
      ? appError(first.code, first.message)
      : appError(first.code, first.message, first.details),
  );
}

/** SL/TP fields for the core's rules: a level of 0 means none, which the rules express by leaving it out. */
function levels(sl: number, tp: number): { sl?: number; tp?: number } {
  return { ...(sl > 0 ? { sl } : {}), ...(tp > 0 ? { tp } : {}) };
}
function currentLevels(sl: number, tp: number): { currentSl?: number; currentTp?: number } {
  return { ...(sl > 0 ? { currentSl: sl } : {}), ...(tp > 0 ? { currentTp: tp } : {}) };
}

/** Checks a market order against the live spec and quote (core order rules). */
export function checkMarketOrder(
  spec: SymbolSpec,
  quote: Quote,
  input: OpenMarketOrder,
): Result<CheckedMarket> {
  const price = input.side === 'buy' ? quote.ask : quote.bid;
  const sl = input.sl === undefined ? 0 : stopPrice(input.sl, 'sl', input.side, price, spec);
  const tp = input.tp === undefined ? 0 : stopPrice(input.tp, 'tp', input.side, price, spec);
  const rules = firstViolation(
    checkOrder({ spec, quote, type: input.side, volume: input.volume, ...levels(sl, tp) }),
  );
  if (!rules.ok) return rules;
  return ok({ volume: Number(input.volume.toFixed(decimalsOf(spec.volumeStep))), price, sl, tp });
}

/** A pending order ready to send; `expiration` null means no time (GTC or DAY per `typeTime`). */
export interface CheckedPending extends CheckedMarket {
  readonly typeTime: ExpirationType;
  readonly expiration: number | null;
}

const sideOfKind = (kind: PendingKind): Side => (kind.startsWith('buy') ? 'buy' : 'sell');

/** Checks a new pending order (core order rules); SL/TP pips count from the order price. */
export function checkPendingOrder(
  spec: SymbolSpec,
  quote: Quote,
  input: PlacePendingOrder,
  now: number,
): Result<CheckedPending> {
  const side = sideOfKind(input.kind);
  const expiration = chooseExpiration(spec, input.expiration);
  if (!expiration.ok) return expiration;
  const price = normalizePrice(input.price, spec.tickSize);
  const sl = input.sl === undefined ? 0 : stopPrice(input.sl, 'sl', side, price, spec);
  const tp = input.tp === undefined ? 0 : stopPrice(input.tp, 'tp', side, price, spec);
  const rules = firstViolation(
    checkOrder({
      spec,
      quote,
      type: input.kind,
      volume: input.volume,
      price,
      ...levels(sl, tp),
      expiration: expiration.value,
      nowMs: now,
    }),
  );
  if (!rules.ok) return rules;
  return ok({
    volume: Number(input.volume.toFixed(decimalsOf(spec.volumeStep))),
    price,
    sl,
    tp,
    typeTime: expiration.value.type,
    expiration: expiration.value.timeMs ?? null,
  });
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

/** A position whose SL or TP is within the freeze level of the market may not be closed or changed now. */
function checkPositionFreeze(spec: SymbolSpec, quote: Quote, p: WirePosition): Result<true> {
  const side = positionSide(p);
  const close = side === 'buy' ? quote.bid : quote.ask;
  const slDist = p.sl > 0 ? (side === 'buy' ? close - p.sl : p.sl - close) : Infinity;
  const tpDist = p.tp > 0 ? (side === 'buy' ? p.tp - close : close - p.tp) : Infinity;
  if (isFrozen(slDist, spec) || isFrozen(tpDist, spec)) {
    return fail(
      'FROZEN',
      `Position #${p.ticket} is too close to its stop loss or take profit to be closed right now (freeze level ${spec.freezeLevel} points).`,
      { freezeLevelPoints: spec.freezeLevel },
    );
  }
  return ok(true);
}

/** New SL/TP for a position (core modification rules); pips count from the position's open price. */
export function checkPositionChange(
  spec: SymbolSpec,
  quote: Quote,
  p: WirePosition,
  change: ModifyPosition,
): Result<{ sl: number; tp: number }> {
  const side = positionSide(p);
  const sl = applyChange(change.sl, p.sl, 'sl', side, p.priceOpen, spec);
  const tp = applyChange(change.tp, p.tp, 'tp', side, p.priceOpen, spec);
  const rules = firstViolation(
    checkModification({
      kind: 'position',
      spec,
      quote,
      side,
      ...currentLevels(p.sl, p.tp),
      ...levels(sl, tp),
    }),
  );
  if (!rules.ok) return rules;
  return ok({ sl, tp });
}

const TYPE_TIME_NAMES: readonly ExpirationType[] = ['GTC', 'DAY', 'SPECIFIED', 'SPECIFIED_DAY'];

/** A pending order's current expiration as the core's rules describe it. */
function currentExpirationOf(o: WireOrder): OrderExpiration {
  const type = TYPE_TIME_NAMES[o.typeTime] ?? 'GTC';
  return o.expirationMs > 0 ? { type, timeMs: o.expirationMs } : { type };
}

/** New price/SL/TP/expiration for a pending order (core modification rules); SL/TP pips count from the new price. */
export function checkOrderChange(
  spec: SymbolSpec,
  quote: Quote,
  o: WireOrder,
  change: ModifyOrder,
  now: number,
): Result<CheckedPending> {
  const kind = orderKindOf(o.type);
  if (kind === undefined) {
    return err(
      appError(
        'ORDER_TYPE_NOT_ALLOWED',
        `Order #${o.ticket} is not a limit or stop order Pipdesk can change.`,
      ),
    );
  }
  const side = sideOfKind(kind);
  const price = change.price === undefined ? o.priceOpen : normalizePrice(change.price, spec.tickSize);
  const sl = applyChange(change.sl, o.sl, 'sl', side, price, spec);
  const tp = applyChange(change.tp, o.tp, 'tp', side, price, spec);
  const current = currentExpirationOf(o);
  let expiration: OrderExpiration = current;
  if (change.expiration !== undefined) {
    const chosen = chooseExpiration(spec, change.expiration ?? undefined);
    if (!chosen.ok) return chosen;
    expiration = chosen.value;
  }
  const rules = firstViolation(
    checkModification({
      kind: 'order',
      spec,
      quote,
      type: kind,
      currentPrice: o.priceOpen,
      ...currentLevels(o.sl, o.tp),
      currentExpiration: current,
      price,
      ...levels(sl, tp),
      expiration,
      nowMs: now,
    }),
  );
  if (!rules.ok) return rules;
  return ok({
    volume: o.volumeCurrent,
    price,
    sl,
    tp,
    typeTime: expiration.type,
    expiration: expiration.timeMs ?? null,
  });
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

/** The money lost if the stop loss is hit, in the account currency, or why there is no such figure. */
export type RiskMoney =
  | { readonly kind: 'amount'; readonly amount: number }
  /** No stop loss: the risk is unbounded. */
  | { readonly kind: 'no_stop_loss' }
  /** A stop loss, but the terminal sent no tick value for the symbol, so its money cannot be computed. */
  | { readonly kind: 'no_tick_value'; readonly symbol: string };

/** Money lost if the stop loss is hit (see {@link RiskMoney}). */
export function riskMoneyOf(spec: SymbolSpec, price: number, sl: number, volume: number): RiskMoney {
  if (sl <= 0) return { kind: 'no_stop_loss' };
  if (spec.tickValue === undefined) return { kind: 'no_tick_value', symbol: spec.name };
  return {
    kind: 'amount',
    amount: roundMoney((Math.abs(price - sl) / spec.tickSize) * spec.tickValue * volume, 2),
  };
}

/** The figure for logs: the money, or null when there is none. */
export function riskMoneyForLog(r: RiskMoney): number | null {
  return r.kind === 'amount' ? r.amount : null;
}

/** Figures the risk limits are checked against. Money in the account currency. */
export interface RiskFigures {
  readonly volume: number;
  readonly openPositions: number;
  /** Whether the order opens a new position (false when it adds to or reduces a netting position, or is pending). */
  readonly opensNewPosition: boolean;
  readonly margin: number;
  readonly freeMargin: number;
  /** The base of the per-trade risk limit. */
  readonly equity: number;
  readonly riskMoney: RiskMoney;
  readonly currency: string;
  readonly currencyDigits: number;
}

/** The settings' limits in the core's terms (the settings keep retry options beside them). */
export function coreRiskLimits(limits: SettingsRiskLimits): RiskLimits {
  return {
    maxLotSize: limits.maxLotSize,
    maxOpenPositions: limits.maxOpenPositions,
    requireMarginWithinFree: true,
    ...(limits.maxRiskPercent === null ? {} : { maxRiskPerTrade: limits.maxRiskPercent }),
  };
}

/**
 * The maximum risk per trade alone (core `riskPerTradeViolation`), for a trade sent as several orders: each part
 * is checked again with every limit when it is sent, but only the sum of the parts is the trade's risk.
 */
export function checkRiskPerTrade(
  limits: SettingsRiskLimits,
  f: Pick<RiskFigures, 'equity' | 'riskMoney' | 'currency' | 'currencyDigits'>,
): Result<void> {
  const violation = riskPerTradeViolation({
    maxRiskPerTrade: limits.maxRiskPercent ?? undefined,
    equity: f.equity,
    riskAmount: f.riskMoney.kind === 'amount' ? f.riskMoney.amount : undefined,
    ...(f.riskMoney.kind === 'no_tick_value' ? { noTickValueFor: f.riskMoney.symbol } : {}),
    accountCurrency: f.currency,
    currencyDigits: f.currencyDigits,
  });
  return violation === undefined ? ok(undefined) : err(violation);
}

/** The user's risk limits (core `checkRiskLimits`); a refusal says which limit and by how much. */
export function checkRisk(limits: SettingsRiskLimits, f: RiskFigures): Result<void> {
  return checkRiskLimits({
    limits: coreRiskLimits(limits),
    volume: f.volume,
    openPositions: f.openPositions,
    opensNewPosition: f.opensNewPosition,
    marginRequired: f.margin,
    freeMargin: f.freeMargin,
    equity: f.equity,
    riskAmount: f.riskMoney.kind === 'amount' ? f.riskMoney.amount : undefined,
    ...(f.riskMoney.kind === 'no_tick_value' ? { noTickValueFor: f.riskMoney.symbol } : {}),
    accountCurrency: f.currency,
    currencyDigits: f.currencyDigits,
  });
}
