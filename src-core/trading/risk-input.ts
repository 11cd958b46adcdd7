import { roundHalfUp, roundMoneyDown } from './numbers';

/** How the calculator's risk is typed: a percent of the base (balance or equity) or money. */
export type RiskInputMode = 'percent' | 'money';

/**
 * The same risk in the other unit, so switching "risk as" keeps what the trader meant (150 USD on a 10,000
 * base is 1.5 %, never 150 %). Percent → money is rounded DOWN to the currency's decimals, as sizing rounds the
 * risk; money → percent is rounded half-up to 2 decimals. Null when the base is not a positive number (nothing
 * to convert against); the same value when the modes are equal.
 */
export function convertRiskValue(input: {
  readonly value: number;
  readonly from: RiskInputMode;
  readonly to: RiskInputMode;
  /** Balance or equity, account currency. */
  readonly base: number;
  readonly currencyDigits: number;
}): number | null {
  const { value, from, to, base, currencyDigits } = input;
  if (from === to) return value;
  if (!Number.isFinite(value) || !Number.isFinite(base) || base <= 0) return null;
  return to === 'money'
    ? roundMoneyDown((base * value) / 100, currencyDigits)
    : roundHalfUp((value / base) * 100, 2);
}
