import { ok, type Result } from '../result';
import { calculateMargin } from './margin';
import { roundVolumeDown } from './numbers';
import type { Rates } from './conversion';
import type { Side, SymbolSpec } from './symbol-spec';

/** What {@link maxVolumeByMargin} needs; money in the account currency. */
export interface MarginCapacityInput {
  readonly spec: SymbolSpec;
  readonly side: Side;
  /** The order price (ask for a buy, bid for a sell, or the pending price), as for `calculateMargin`. */
  readonly price: number;
  readonly leverage: number;
  readonly accountCurrency: string;
  readonly rates: Rates;
  /** The account's free margin now. */
  readonly freeMargin: number;
}

/** The largest volume the free margin carries, and the margin of one lot it was worked out from. */
export interface MarginCapacity {
  /** Lots, rounded down to the volume step and capped at the symbol's maximum; 0 below the minimum volume. */
  readonly maxLots: number;
  /** Margin of one lot in the account currency, unrounded (the divisor). */
  readonly marginPerLot: number;
}

/**
 * The most lots a new position can have before its margin exceeds the free margin (docs/trading-core.md,
 * "Sizing against the account"): free margin / margin of one lot, rounded DOWN to the volume step. Margin is
 * linear in the volume for every calc mode, so one lot's margin is the divisor; it is taken unrounded (8
 * decimals) so the cent rounding of a one-lot figure cannot push the answer a step too far.
 * Errors are calculateMargin's (INVALID_PRICE, INVALID_LEVERAGE, MISSING_CONVERSION_RATE…).
 */
export function maxVolumeByMargin(input: MarginCapacityInput): Result<MarginCapacity> {
  const perLot = calculateMargin({
    spec: input.spec,
    side: input.side,
    volume: 1,
    price: input.price,
    leverage: input.leverage,
    accountCurrency: input.accountCurrency,
    rates: input.rates,
    currencyDigits: 8,
  });
  if (!perLot.ok) return perLot;
  const { spec } = input;
  const free = Number.isFinite(input.freeMargin) ? Math.max(0, input.freeMargin) : 0;
  if (!(perLot.value > 0)) return ok({ maxLots: spec.volumeMax, marginPerLot: perLot.value });
  let lots = roundVolumeDown(free / perLot.value, spec.volumeStep);
  if (lots > spec.volumeMax) lots = roundVolumeDown(spec.volumeMax, spec.volumeStep);
  if (lots < spec.volumeMin) lots = 0;
  return ok({ maxLots: lots, marginPerLot: perLot.value });
}
