import { appError, err, ok, type Result } from '../result';
import { convert, withSymbolPrice, type Rates } from './conversion';
import { roundMoney } from './numbers';
import type { Side, SymbolSpec } from './symbol-spec';

/**
 * Money per tick per lot in the account currency: the spec's tick value when the terminal gave one (it is
 * already in the account currency), else tick size × contract size in the profit currency, converted with the
 * symbol's own price set to `price` (the price at which the money changes hands: the stop for sizing, the close
 * for profit). Every calc mode shares this: FOREX/CFD profit is Δprice × contract × lots, and FUTURES profit is
 * Δprice × tickPrice / tickSize × lots with tickPrice = tickSize × contractSize.
 */
export function tickValueInAccountCurrency(
  spec: SymbolSpec,
  accountCurrency: string,
  rates: Rates,
  price: number,
): Result<number> {
  if (spec.tickValue !== undefined) return ok(spec.tickValue);
  return convert(
    spec.tickSize * spec.contractSize,
    spec.currencyProfit,
    accountCurrency,
    withSymbolPrice(rates, spec, price),
  );
}

/** What {@link calculateProfit} needs. */
export interface ProfitInput {
  readonly spec: SymbolSpec;
  /** The position's direction. */
  readonly side: Side;
  readonly volume: number;
  readonly openPrice: number;
  /** The price it closes at: the bid for a buy, the ask for a sell. */
  readonly closePrice: number;
  readonly accountCurrency: string;
  readonly rates: Rates;
  /** Decimals of the account currency. Default 2. */
  readonly currencyDigits?: number;
}

/**
 * Profit (negative for a loss) of closing a position, in the account currency, rounded half-up:
 * (close − open) × direction × contract size × lots in the profit currency (docs/trading-core.md, "Profit and tick value"; FUTURES is the same
 * through tick price / tick size), converted at the close price. Commission and swap are not included.
 */
export function calculateProfit(input: ProfitInput): Result<number> {
  const { spec, volume, openPrice, closePrice } = input;
  if (![volume, openPrice, closePrice].every((x) => Number.isFinite(x) && x > 0)) {
    return err(
      appError('INVALID_PRICE', 'Volume, open price and close price must all be above zero.', {
        volume,
        openPrice,
        closePrice,
      }),
    );
  }
  const direction = input.side === 'buy' ? 1 : -1;
  const inProfitCurrency = (closePrice - openPrice) * direction * spec.contractSize * volume;
  const rates = withSymbolPrice(input.rates, spec, closePrice);
  const converted =
    spec.tickValue !== undefined
      ? ok(((closePrice - openPrice) * direction * volume * spec.tickValue) / spec.tickSize)
      : convert(inProfitCurrency, spec.currencyProfit, input.accountCurrency, rates);
  if (!converted.ok) return converted;
  return ok(roundMoney(converted.value, input.currencyDigits ?? 2));
}
