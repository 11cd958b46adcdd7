import type { ReactNode } from 'react';
import { formatMoney, formatVolume } from '../../app/format';
import type { AccountChecks } from './calculator-checks';

/** What the account would refuse, in words (margin, spread, stops level, the trader's limits). */
export function AccountWarnings(props: { readonly checks: AccountChecks }): ReactNode {
  const { warnings } = props.checks;
  if (warnings.length === 0) return null;
  return (
    <ul className="calc-warnings" role="alert" data-testid="calc-warnings">
      {warnings.map((w) => (
        <li key={w.code} className="calc-warning" data-testid={`calc-warn-${w.code}`}>
          {w.text}
        </li>
      ))}
    </ul>
  );
}

/**
 * The calculator's account rows (docs/ui.md, calculator), inside its summary: the most lots the free margin
 * carries and the portfolio's risk to its stops, with and without this trade.
 */
export function AccountChecksView(props: {
  readonly checks: AccountChecks;
  readonly currency: string;
  readonly equity: number;
  readonly volumeStep: number;
}): ReactNode {
  const { checks, currency, equity } = props;
  const unbounded = checks.portfolio.unbounded.length;
  const unknown = checks.portfolio.unknown.length;
  const percentOfEquity = (money: number): string =>
    equity > 0 ? ` · ${((money / equity) * 100).toFixed(2)}%` : '';
  return (
    <>
      <dt>Margin allows</dt>
      <dd data-testid="calc-max-margin-lots">
        {checks.maxLotsByMargin === null
          ? '—'
          : `${formatVolume(checks.maxLotsByMargin, props.volumeStep)} lots`}
      </dd>
      <dt title="Money lost if every open position's stop is hit, from its open price">Open risk to stops</dt>
      <dd data-testid="calc-portfolio-risk">
        {formatMoney(checks.portfolio.atRisk, currency)}
        {unbounded > 0 ? (
          <span className="calc-unbounded" data-testid="calc-portfolio-unbounded">
            {' '}
            + {unbounded} without SL: unbounded
          </span>
        ) : null}
        {unknown > 0 ? <span className="muted"> + {unknown} unknown</span> : null}
      </dd>
      <dt>With this trade</dt>
      <dd data-testid="calc-portfolio-after">
        {unbounded > 0
          ? 'unbounded'
          : `${formatMoney(checks.portfolioAfter, currency)}${percentOfEquity(checks.portfolioAfter)}`}
      </dd>
    </>
  );
}
