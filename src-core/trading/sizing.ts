import { z } from 'zod';
import type { ErrorCode } from '../errors';
import { appError, err, missingCaseError, ok, type Result } from '../result';
import { Rates } from './conversion';
import { calculateMargin } from './margin';
import { tickValueInAccountCurrency } from './profit';
import {
  pipSize,
  pipsToPrice,
  pointsToPrice,
  priceToPips,
  priceToPoints,
  roundHalfUp,
  roundMoney,
  roundMoneyDown,
  roundVolumeDown,
  stripFloatNoise,
} from './numbers';
import { Side, SymbolSpec } from './symbol-spec';

/** The default cap on a sized position, in lots (docs/trading-core.md; risk-limits.ts has the same default). */
export const DEFAULT_MAX_LOT_SIZE = 10;
/** Leverage assumed for the margin figure when the caller does not give the account's (1:100). */
export const DEFAULT_LEVERAGE = 100;
/**
 * Largest price, balance or commission sizing accepts. Far above any instrument's price or any account, and far
 * enough below the largest double that products and quotients of the inputs stay finite.
 */
export const MAX_SIZING_NUMBER = 1e12;

/**
 * How much to risk: a percent of the base amount (0 < percent ≤ 100), or a money amount in the account currency.
 * Range checks are the calculator's (INVALID_RISK_PERCENT, INVALID_RISK_AMOUNT), not the schema's, so a
 * trader sees the specific reason.
 */
export const RiskSpec = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('percent'), value: z.number() }),
  z.object({ mode: z.literal('money'), value: z.number() }),
]);
export type RiskSpec = z.infer<typeof RiskSpec>;

/** Where the stop loss is: a price, or a distance from the entry in pips or points. */
export const StopLossSpec = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('price'), value: z.number() }),
  z.object({ mode: z.literal('pips'), value: z.number() }),
  z.object({ mode: z.literal('points'), value: z.number() }),
]);
export type StopLossSpec = z.infer<typeof StopLossSpec>;

/**
 * Input of {@link calculatePositionSize}. The cloud endpoint and the renderer validate with this schema; the
 * numbers' ranges are checked by the calculator so each failure has its own error code.
 */
export const PositionSizeInput = z.object({
  /** The account currency, e.g. `USD`. */
  accountCurrency: z.string().regex(/^[A-Z0-9]{3,6}$/, 'a currency code such as USD'),
  /** Balance or equity, in the account currency. */
  baseAmount: z.number(),
  /** Which figure `baseAmount` is (informational; both are sized the same way). */
  baseKind: z.enum(['balance', 'equity']).default('balance'),
  risk: RiskSpec,
  side: Side,
  /** Entry price (the ask for a market buy, the bid for a market sell, or the pending price). */
  entryPrice: z.number(),
  stopLoss: StopLossSpec,
  /** Commission per lot per side, in the account currency; charged twice (open and close). */
  commissionPerLot: z.number().default(0),
  /** Cap in lots on top of the symbol's maximum volume. */
  maxLotSize: z.number().positive().default(DEFAULT_MAX_LOT_SIZE),
  /** Account leverage for the margin figure (e.g. 100 for 1:100). */
  leverage: z.number().positive().default(DEFAULT_LEVERAGE),
  /** Decimals of the account currency. */
  currencyDigits: z.number().int().min(0).max(8).default(2),
  spec: SymbolSpec,
  /** Conversion rates by pair (see conversion.ts); only needed when currencies differ. */
  rates: Rates.default({}),
});
export type PositionSizeInput = z.infer<typeof PositionSizeInput>;
/** What callers may pass before defaults are applied (e.g. without `maxLotSize`). */
export type PositionSizeInputRaw = z.input<typeof PositionSizeInput>;

/** Notes on a sizing result that are not errors: the position was capped, or is below the minimum volume. */
export const SizingFlag = z.enum(['CAPPED_AT_MAX_LOT', 'BELOW_MIN_LOT']);
export type SizingFlag = z.infer<typeof SizingFlag>;

/** Output of {@link calculatePositionSize}; money in the account currency. */
export const PositionSize = z.object({
  /** Lots, a multiple of the volume step; 0 when below the symbol minimum (flag BELOW_MIN_LOT). */
  lotSize: z.number(),
  /** The money the trader asked to risk, rounded down to the currency's decimals. */
  riskAmount: z.number(),
  /** The stop loss as a price. */
  stopLossPrice: z.number(),
  /** Distance to the stop loss in pips, 1 decimal. */
  stopLossPips: z.number(),
  /** Distance to the stop loss in points, 1 decimal. */
  stopLossPoints: z.number(),
  /** Margin for `lotSize` by the symbol's calc mode. */
  marginRequired: z.number(),
  /** What is lost at the stop with `lotSize` (after rounding), commission included; never above `riskAmount`. */
  actualRiskAmount: z.number(),
  /** Money per pip per lot. */
  pipValuePerLot: z.number(),
  /** Money lost per lot if the stop is hit, commission included (full precision). */
  lossPerLot: z.number(),
  flags: z.array(SizingFlag),
});
export type PositionSize = z.infer<typeof PositionSize>;

const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): Result<never> =>
  err(appError(code, message, details));

/** Resolves the stop to a price and checks it is usable and on the losing side of the entry. */
function stopLossPrice(input: PositionSizeInput): Result<number> {
  const { stopLoss, entryPrice, side, spec } = input;
  const sign = side === 'buy' ? -1 : 1;
  let price: number;
  switch (stopLoss.mode) {
    case 'price':
      price = stopLoss.value;
      break;
    case 'pips':
    case 'points': {
      if (!Number.isFinite(stopLoss.value) || stopLoss.value <= 0) {
        return fail(
          'INVALID_STOP_LOSS',
          `The stop loss distance must be above zero (got ${stopLoss.value}).`,
        );
      }
      const distance =
        stopLoss.mode === 'pips' ? pipsToPrice(stopLoss.value, spec) : pointsToPrice(stopLoss.value, spec);
      price = stripFloatNoise(entryPrice + sign * distance);
      break;
    }
    default:
      throw missingCaseError(stopLoss);
  }
  if (!Number.isFinite(price) || price <= 0) {
    return fail('INVALID_STOP_LOSS', `The stop loss must be a price above zero (got ${price}).`, {
      stopLoss: price,
    });
  }
  if (!(price <= MAX_SIZING_NUMBER)) {
    return fail('INVALID_STOP_LOSS', `The stop loss must be at most ${MAX_SIZING_NUMBER} (got ${price}).`, {
      stopLoss: price,
    });
  }
  if (price === entryPrice) {
    return fail('INVALID_STOP_LOSS', `The stop loss equals the entry price (${entryPrice}).`, {
      stopLoss: price,
    });
  }
  // Under one point the distance is float noise to the terminal: it would size an enormous position for a
  // stop MT5 cannot even place. The tolerance keeps an exact one-point stop (1.10000 - 1.09999) acceptable.
  const points = Math.abs(entryPrice - price) / spec.point;
  if (points < 1 - 1e-6) {
    return fail(
      'INVALID_STOP_LOSS',
      `The stop loss must be at least one point (${spec.point}) from the entry price; it is ${stripFloatNoise(Math.abs(entryPrice - price))} away.`,
      { stopLoss: price, entryPrice, point: spec.point },
    );
  }
  if (side === 'buy' ? price > entryPrice : price < entryPrice) {
    const where = side === 'buy' ? 'below' : 'above';
    return fail(
      'STOP_LOSS_WRONG_SIDE',
      `For a ${side} the stop loss must be ${where} the entry price (${entryPrice}); it is ${price}.`,
      { stopLoss: price, entryPrice, side },
    );
  }
  return ok(price);
}

/**
 * Position size by risk (docs/trading-core.md):
 * 1. risk = base × percent / 100 rounded DOWN to the currency's decimals (a money risk is used as given, cut to
 *    the currency's decimals);
 * 2. loss per lot = (stop distance / tick size) × tick value + 2 × commission per lot;
 * 3. lots = risk / loss per lot rounded DOWN to the volume step; above min(volume max, max lot size) it is capped
 *    (CAPPED_AT_MAX_LOT); below the volume min it is 0 (BELOW_MIN_LOT), never silently raised;
 * 4. margin for those lots by calc mode; pips and points to 1 decimal, money to the currency's decimals.
 * Accepts the raw input (defaults applied here) so TypeScript callers need not parse first.
 */
export function calculatePositionSize(raw: PositionSizeInputRaw): Result<PositionSize> {
  const parsed = PositionSizeInput.safeParse(raw);
  if (!parsed.success) {
    return fail('VALIDATION_FAILED', 'The position size input is not valid.', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  const input = parsed.data;
  const { spec, baseAmount, risk, entryPrice, currencyDigits: digits } = input;

  if (!Number.isFinite(baseAmount) || baseAmount <= 0 || baseAmount > MAX_SIZING_NUMBER) {
    return fail(
      'INVALID_BALANCE',
      `The ${input.baseKind} must be above zero and at most ${MAX_SIZING_NUMBER} (got ${baseAmount}).`,
    );
  }
  let riskAmount: number;
  if (risk.mode === 'percent') {
    if (!Number.isFinite(risk.value) || risk.value <= 0 || risk.value > 100) {
      return fail('INVALID_RISK_PERCENT', `Risk must be above 0% and at most 100% (got ${risk.value}%).`);
    }
    riskAmount = roundMoneyDown((baseAmount * risk.value) / 100, digits);
  } else {
    if (!Number.isFinite(risk.value) || risk.value <= 0 || risk.value > MAX_SIZING_NUMBER) {
      return fail(
        'INVALID_RISK_AMOUNT',
        `The money to risk must be above zero and at most ${MAX_SIZING_NUMBER} (got ${risk.value}).`,
      );
    }
    riskAmount = roundMoneyDown(risk.value, digits);
  }
  if (!Number.isFinite(entryPrice) || entryPrice <= 0 || entryPrice > MAX_SIZING_NUMBER) {
    return fail(
      'INVALID_PRICE',
      `The entry price must be above zero and at most ${MAX_SIZING_NUMBER} (got ${entryPrice}).`,
    );
  }
  if (
    !Number.isFinite(input.commissionPerLot) ||
    input.commissionPerLot < 0 ||
    input.commissionPerLot > MAX_SIZING_NUMBER
  ) {
    return fail(
      'INVALID_COMMISSION',
      `Commission per lot must be zero or more and at most ${MAX_SIZING_NUMBER} (got ${input.commissionPerLot}).`,
    );
  }
  // MT5 leverage is a whole ratio of at least 1:1; a denormal like 1e-320 would make the margin infinite.
  if (!Number.isFinite(input.leverage) || input.leverage < 1 || input.leverage > 1e6) {
    return fail('INVALID_LEVERAGE', `Leverage must be between 1 and 1000000 (got ${input.leverage}).`, {
      leverage: input.leverage,
    });
  }
  const sl = stopLossPrice(input);
  if (!sl.ok) return sl;
  const distance = stripFloatNoise(Math.abs(entryPrice - sl.value));

  // Loss side: the money changes hands at the stop, so the symbol's own price is the stop price. That makes
  // USDJPY on a USD account (and EURJPY on a EUR account) exact: the loss is realised in JPY at the stop and
  // converted at that very rate.
  const tickValue = tickValueInAccountCurrency(spec, input.accountCurrency, input.rates, sl.value);
  if (!tickValue.ok) return tickValue;
  const ticks = stripFloatNoise(distance / spec.tickSize);
  const lossPerLot = ticks * tickValue.value + 2 * input.commissionPerLot;
  const pipValuePerLot = roundMoney((tickValue.value * pipSize(spec)) / spec.tickSize, digits);

  const flags: SizingFlag[] = [];
  let lots = roundVolumeDown(riskAmount / lossPerLot, spec.volumeStep);
  const cap = roundVolumeDown(Math.min(spec.volumeMax, input.maxLotSize), spec.volumeStep);
  if (lots > cap) {
    lots = cap;
    flags.push('CAPPED_AT_MAX_LOT');
  }
  if (lots < spec.volumeMin) {
    lots = 0;
    flags.push('BELOW_MIN_LOT');
  }

  let marginRequired = 0;
  if (lots > 0) {
    const margin = calculateMargin({
      spec,
      side: input.side,
      volume: lots,
      price: entryPrice,
      leverage: input.leverage,
      accountCurrency: input.accountCurrency,
      rates: input.rates,
      currencyDigits: digits,
    });
    if (!margin.ok) return margin;
    marginRequired = margin.value;
  }

  const size: PositionSize = {
    lotSize: lots,
    riskAmount,
    stopLossPrice: sl.value,
    stopLossPips: roundHalfUp(priceToPips(distance, spec), 1),
    stopLossPoints: roundHalfUp(priceToPoints(distance, spec), 1),
    marginRequired,
    actualRiskAmount: roundMoney(lots * lossPerLot, digits),
    pipValuePerLot,
    lossPerLot,
    flags,
  };
  // The last guard: a symbol spec or rate at the edge of the double range (tick size 1e-300, a rate of
  // 1e300) could still overflow, and an Infinity or NaN must never be shown as a position size.
  const notFinite = Object.entries(size).find(([, v]) => typeof v === 'number' && !Number.isFinite(v));
  if (notFinite !== undefined) {
    return fail(
      'INVALID_SYMBOL_SPEC',
      `These numbers are out of range for sizing: ${notFinite[0]} would not be a finite number.`,
      { field: notFinite[0] },
    );
  }
  return ok(size);
}
