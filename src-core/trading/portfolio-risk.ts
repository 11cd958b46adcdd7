import type { Rates } from './conversion';
import { roundMoney, stripFloatNoise } from './numbers';
import { tickValueInAccountCurrency } from './profit';
import type { Side, SymbolSpec } from './symbol-spec';

/** An open position as the portfolio risk sees it. */
export interface RiskPosition {
  readonly ticket: string;
  readonly symbol: string;
  readonly side: Side;
  readonly volume: number;
  readonly priceOpen: number;
  /** Null when the position has no stop loss: its risk is unbounded. */
  readonly sl: number | null;
}

/** The money at risk to the stops of every open position (docs/trading-core.md, "Portfolio risk"). */
export interface PortfolioRisk {
  /** Sum over positions with a stop, account currency, rounded half-up to the currency's decimals. */
  readonly atRisk: number;
  /** Positions with a stop that counted (stops at or past the entry count as 0). */
  readonly counted: number;
  /** Tickets of positions without a stop loss: their loss has no bound. */
  readonly unbounded: readonly string[];
  /** Tickets whose risk could not be worked out (no symbol spec, or no conversion rate). */
  readonly unknown: readonly string[];
}

/**
 * Money lost if every stop is hit, measured from each position's open price, as the EarnForex Position Sizer
 * counts portfolio risk: volume × (open − stop) in ticks × tick value at the stop price (the rate the loss is
 * realised at, as sizing uses). A stop moved to break-even or into profit risks nothing and counts 0, not as
 * negative risk: locked-in profit elsewhere does not make room for a new loss. Commission and swap are left out.
 */
export function portfolioRisk(input: {
  readonly positions: readonly RiskPosition[];
  readonly specs: Readonly<Record<string, SymbolSpec>>;
  readonly accountCurrency: string;
  readonly rates: Rates;
  readonly currencyDigits: number;
}): PortfolioRisk {
  let sum = 0;
  let counted = 0;
  const unbounded: string[] = [];
  const unknown: string[] = [];
  for (const p of input.positions) {
    if (p.sl === null) {
      unbounded.push(p.ticket);
      continue;
    }
    const spec = input.specs[p.symbol];
    if (spec === undefined) {
      unknown.push(p.ticket);
      continue;
    }
    const distance = stripFloatNoise(p.side === 'buy' ? p.priceOpen - p.sl : p.sl - p.priceOpen);
    counted += 1;
    if (distance <= 0) continue;
    const tickValue = tickValueInAccountCurrency(spec, input.accountCurrency, input.rates, p.sl);
    if (!tickValue.ok) {
      counted -= 1;
      unknown.push(p.ticket);
      continue;
    }
    sum += stripFloatNoise(distance / spec.tickSize) * tickValue.value * p.volume;
  }
  return { atRisk: roundMoney(sum, input.currencyDigits), counted, unbounded, unknown };
}
