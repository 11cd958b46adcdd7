import { appError, err, missingCaseError, ok, type Result } from '../result';
import { isCentCurrency } from './cent-currency';
import { convert, withSymbolPrice, type Rates } from './conversion';
import { roundMoney } from './numbers';
import type { Side, SymbolSpec } from './symbol-spec';

/** What {@link calculateMargin} needs. */
export interface MarginInput {
  readonly spec: SymbolSpec;
  /** Buy or sell; pass the price of that side (ask for a buy, bid for a sell), as MT5's OrderCalcMargin does. */
  readonly side: Side;
  /** Lots. */
  readonly volume: number;
  /** The order price; also the rate between the symbol's base and profit currencies. */
  readonly price: number;
  /** Account leverage, e.g. 100 for 1:100. Used by FOREX and CFDLEVERAGE only. */
  readonly leverage: number;
  readonly accountCurrency: string;
  /** Rates to convert from the margin currency to the account currency (see conversion.ts). */
  readonly rates: Rates;
  /** Decimals of the account currency (2 unless the broker says otherwise, e.g. 0 for JPY accounts). */
  readonly currencyDigits?: number;
}

/**
 * The margin in the symbol's margin currency, by calc mode (MQL5 ENUM_SYMBOL_CALC_MODE; docs/trading-core.md, "Margin"):
 * - FOREX:             lots × contractSize / leverage × marginRate
 * - FOREX_NO_LEVERAGE: lots × contractSize × marginRate
 * - CFD:               lots × contractSize × price × marginRate
 * - CFDINDEX:          lots × contractSize × price × tickPrice / tickSize × marginRate, where tickPrice (value of
 *                      one tick per lot in the profit currency) is tickSize × contractSize, so the factor is the
 *                      contract size (1 on the index CFDs brokers set up this way)
 * - CFDLEVERAGE:       lots × contractSize × price / leverage × marginRate
 * - FUTURES:           lots × marginInitial × marginRate (a fixed amount per lot, not a function of price)
 * - EXCH_STOCKS:       lots × contractSize × price × marginRate
 * In live trading the EA's OrderCalcMargin is the authority (dynamic leverage at some brokers differs); this is
 * for the calculator, the simulator and pre-trade checks.
 */
export function marginInMarginCurrency(
  input: Omit<MarginInput, 'accountCurrency' | 'rates' | 'currencyDigits'>,
): Result<number> {
  const { spec, volume, price, leverage } = input;
  if (!Number.isFinite(volume) || volume <= 0) {
    return err(appError('INVALID_VOLUME', `Volume must be above zero (got ${volume}).`, { volume }));
  }
  if (!Number.isFinite(price) || price <= 0) {
    return err(appError('INVALID_PRICE', `Price must be above zero (got ${price}).`, { price }));
  }
  const needsLeverage = spec.calcMode === 'FOREX' || spec.calcMode === 'CFDLEVERAGE';
  if (needsLeverage && (!Number.isFinite(leverage) || leverage <= 0)) {
    return err(appError('INVALID_LEVERAGE', `Leverage must be above zero (got ${leverage}).`, { leverage }));
  }
  const notional = volume * spec.contractSize;
  const rate = spec.marginRate;
  switch (spec.calcMode) {
    case 'FOREX':
      return ok((notional / leverage) * rate);
    case 'FOREX_NO_LEVERAGE':
      return ok(notional * rate);
    case 'CFD':
    case 'EXCH_STOCKS':
      return ok(notional * price * rate);
    case 'CFDINDEX': {
      const tickPrice = spec.tickSize * spec.contractSize;
      return ok(((notional * price * tickPrice) / spec.tickSize) * rate);
    }
    case 'CFDLEVERAGE':
      return ok(((notional * price) / leverage) * rate);
    case 'FUTURES':
      if (spec.marginInitial === undefined) {
        return err(
          appError(
            'INVALID_SYMBOL_SPEC',
            `${spec.name} is a futures symbol without an initial margin (SYMBOL_MARGIN_INITIAL), so its margin is unknown.`,
            { symbol: spec.name, field: 'marginInitial' },
          ),
        );
      }
      return ok(volume * spec.marginInitial * rate);
    default:
      throw missingCaseError(spec.calcMode);
  }
}

/**
 * The margin a new position needs, in the account currency, rounded half-up to the currency's decimals.
 * Converted from the margin currency with the symbol's own price as the base/profit rate (so EURUSD margin in
 * EUR converts at the order price), other pairs from `rates`; no path is `MISSING_CONVERSION_RATE`.
 */
export function calculateMargin(input: MarginInput): Result<number> {
  const inMarginCurrency = marginInMarginCurrency(input);
  if (!inMarginCurrency.ok) return inMarginCurrency;
  const digits = input.currencyDigits ?? 2;
  const own = ownPriceRate(input.spec, input.accountCurrency, input.price);
  if (own !== undefined) return ok(roundMoney(inMarginCurrency.value * own, digits));
  const rates = withSymbolPrice(input.rates, input.spec, input.price);
  const converted = convert(inMarginCurrency.value, input.spec.currencyMargin, input.accountCurrency, rates);
  if (!converted.ok) return converted;
  return ok(roundMoney(converted.value, digits));
}

/**
 * The margin → account currency rate when no other rate is involved: the same currency (1), or the symbol's own
 * pair at the order price (EURUSD margin in EUR on a USD account) or its inverse. It is the rate `convert` finds
 * through `withSymbolPrice` in those cases, found without copying the rates (the simulator and the calculator ask
 * for margins many times per request). Undefined when the rates decide (a cross, another pair).
 */
function ownPriceRate(spec: SymbolSpec, accountCurrency: string, price: number): number | undefined {
  const from = spec.currencyMargin;
  if (from === accountCurrency) return 1;
  // A cent currency converts through its parent (cent-currency.ts), never through the symbol's own pair.
  if (spec.currencyBase === spec.currencyProfit || isCentCurrency(from) || isCentCurrency(accountCurrency))
    return undefined;
  if (from === spec.currencyBase && accountCurrency === spec.currencyProfit) return price;
  if (from === spec.currencyProfit && accountCurrency === spec.currencyBase) return 1 / price;
  return undefined;
}
