import type {
  AccountInfo,
  Position,
  RiskLimits as SettingsRiskLimits,
} from '../../../src-core/contracts/ipc';
import type { Rates } from '../../../src-core/trading/conversion';
import { maxVolumeByMargin } from '../../../src-core/trading/margin-capacity';
import { roundMoney } from '../../../src-core/trading/numbers';
import { portfolioRisk, type PortfolioRisk } from '../../../src-core/trading/portfolio-risk';
import { riskLimitViolations } from '../../../src-core/trading/risk-limits';
import { convertRiskValue } from '../../../src-core/trading/risk-input';
import { stopDistanceIssues, type StopDistanceIssue } from '../../../src-core/trading/stop-distance';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { formatMoney, formatVolume, parseNumber } from '../../app/format';
import type { CalculatorDraft } from '../../store/drafts-slice';
import type { SizingOutcome } from './calculator-model';

/** A problem the calculator found with the account; a blocking one means the ticket or executor would refuse. */
export interface CalcWarning {
  readonly code:
    | 'STOP_INSIDE_SPREAD'
    | 'STOP_INSIDE_STOPS_LEVEL'
    | 'INSUFFICIENT_MARGIN'
    | 'MAX_LOT_SIZE_EXCEEDED'
    | 'MAX_OPEN_POSITIONS_EXCEEDED'
    | 'MAX_RISK_PER_TRADE_EXCEEDED';
  /** A few words for next to the button; `text` has the numbers. */
  readonly title: string;
  readonly text: string;
  readonly isBlocking: boolean;
}

const WARNING_TITLE: Readonly<Record<CalcWarning['code'], string>> = {
  STOP_INSIDE_SPREAD: 'The stop is inside the spread.',
  STOP_INSIDE_STOPS_LEVEL: 'The stop is inside the stops level.',
  INSUFFICIENT_MARGIN: 'Not enough free margin for this size.',
  MAX_LOT_SIZE_EXCEEDED: 'Above your maximum lot size.',
  MAX_OPEN_POSITIONS_EXCEEDED: 'Your open positions limit is reached.',
  MAX_RISK_PER_TRADE_EXCEEDED: 'Above your maximum risk per trade.',
};

function warning(code: CalcWarning['code'], text: string): CalcWarning {
  return { code, title: WARNING_TITLE[code], text, isBlocking: true };
}

/** What the account checks need besides the sizing result. */
export interface AccountCheckContext {
  readonly spec: SymbolSpec;
  readonly quote: { readonly bid: number; readonly ask: number } | undefined;
  readonly account: AccountInfo;
  readonly rates: Rates;
  /** The trader's limits from Settings (undefined until settings load: then only margin and stops are checked). */
  readonly limits: SettingsRiskLimits | undefined;
  readonly positions: readonly Position[];
  readonly specs: Readonly<Record<string, SymbolSpec>>;
}

/** The calculator's view of the account around one sized trade. */
export interface AccountChecks {
  /** The most lots the free margin carries at this entry; null when the margin cannot be worked out. */
  readonly maxLotsByMargin: number | null;
  readonly warnings: readonly CalcWarning[];
  /** Money at risk to the stops of the open positions. */
  readonly portfolio: PortfolioRisk;
  /** The same plus this trade's actual risk. */
  readonly portfolioAfter: number;
}

function stopText(
  issue: StopDistanceIssue,
  ctx: AccountCheckContext,
  side: 'buy' | 'sell',
  isMarket: boolean,
): string {
  const name = ctx.spec.name;
  if (issue.code === 'STOP_INSIDE_SPREAD') {
    const closeAt = side === 'buy' ? 'bid' : 'ask';
    return `The stop is ${issue.distancePoints} points from the entry, inside the ${issue.spreadPoints}-point spread: the ${side} closes at the ${closeAt}, which is already past the stop, so the ticket would refuse it. Put the stop more than ${issue.spreadPoints} points away.`;
  }
  const from = isMarket ? (side === 'buy' ? 'bid' : 'ask') : 'order price';
  return `The stop is ${issue.distancePoints} points from the ${from}; ${name} needs at least ${issue.stopsLevel} points (its stops level), so the ticket would refuse it.`;
}

/**
 * Checks a sized trade against the account before anything reaches the ticket (docs/ui.md, calculator): the free
 * margin (with the most lots it carries), the spread and the symbol's stops level, the trader's own limits from
 * Settings (max lot, max open positions, max risk % of equity: the executor's rules, so what passes here is not
 * refused there for these reasons), and the portfolio's risk to its stops with and without this trade.
 */
export function checkAgainstAccount(
  draft: CalculatorDraft,
  outcome: Extract<SizingOutcome, { ok: true }>,
  ctx: AccountCheckContext,
): AccountChecks {
  const { spec, account } = ctx;
  const currency = account.currency;
  const digits = account.currencyDigits;
  const lots = outcome.size.lotSize;
  const isMarket = draft.entryMode === 'live';
  const warnings: CalcWarning[] = [];

  if (ctx.quote !== undefined) {
    for (const issue of stopDistanceIssues({
      spec,
      side: outcome.side,
      entry: outcome.entry,
      stopLoss: outcome.size.stopLossPrice,
      quote: ctx.quote,
      isMarket,
    })) {
      warnings.push(warning(issue.code, stopText(issue, ctx, outcome.side, isMarket)));
    }
  }

  const capacity = maxVolumeByMargin({
    spec,
    side: outcome.side,
    price: outcome.entry,
    leverage: account.leverage,
    accountCurrency: currency,
    rates: ctx.rates,
    freeMargin: account.freeMargin,
  });
  const maxLotsByMargin = capacity.ok ? capacity.value.maxLots : null;
  if (lots > 0 && roundMoney(outcome.size.marginRequired, digits) > roundMoney(account.freeMargin, digits)) {
    warnings.push(
      warning(
        'INSUFFICIENT_MARGIN',
        `This size needs ${formatMoney(outcome.size.marginRequired, currency)} of margin; ${formatMoney(account.freeMargin, currency)} is free. The free margin carries at most ${formatVolume(maxLotsByMargin, spec.volumeStep)} lots.`,
      ),
    );
  }

  if (ctx.limits !== undefined && lots > 0) {
    const isNetted = account.marginMode === 'netting' && ctx.positions.some((p) => p.symbol === spec.name);
    const violations = riskLimitViolations({
      limits: {
        maxLotSize: ctx.limits.maxLotSize,
        maxOpenPositions: ctx.limits.maxOpenPositions,
        // Margin is checked above with the free margin's capacity in the words.
        requireMarginWithinFree: false,
        ...(ctx.limits.maxRiskPercent === null ? {} : { maxRiskPerTrade: ctx.limits.maxRiskPercent }),
      },
      volume: lots,
      openPositions: ctx.positions.length,
      // As the executor counts (src-main/services/order-checks.ts): a pending order or a netting add opens none.
      opensNewPosition: isMarket && !isNetted,
      marginRequired: 0,
      freeMargin: account.freeMargin,
      equity: account.equity,
      riskAmount: outcome.size.actualRiskAmount,
      accountCurrency: currency,
      currencyDigits: digits,
    });
    for (const v of violations) {
      if (
        v.code === 'MAX_LOT_SIZE_EXCEEDED' ||
        v.code === 'MAX_OPEN_POSITIONS_EXCEEDED' ||
        v.code === 'MAX_RISK_PER_TRADE_EXCEEDED'
      ) {
        warnings.push(warning(v.code, v.message));
      }
    }
  }

  const portfolio = portfolioRisk({
    positions: ctx.positions,
    specs: ctx.specs,
    accountCurrency: currency,
    rates: ctx.rates,
    currencyDigits: digits,
  });
  return {
    maxLotsByMargin,
    warnings,
    portfolio,
    portfolioAfter: roundMoney(portfolio.atRisk + outcome.size.actualRiskAmount, digits),
  };
}

/**
 * The draft change for switching "risk as": the typed risk converted against the base the calculator sizes on
 * (balance or equity), so 150 USD on 10,000 becomes 1.5 %. Text that is not a number yet stays as typed; with no
 * account to convert against the field is emptied rather than keeping a number in the wrong unit.
 */
export function switchRiskMode(
  draft: CalculatorDraft,
  to: CalculatorDraft['riskMode'],
  account: AccountInfo | null,
): Partial<CalculatorDraft> {
  if (draft.riskMode === to) return {};
  const value = parseNumber(draft.risk);
  if (value === null) return { riskMode: to };
  if (account === null) return { riskMode: to, risk: '' };
  const converted = convertRiskValue({
    value,
    from: draft.riskMode,
    to,
    base: draft.baseOn === 'equity' ? account.equity : account.balance,
    currencyDigits: account.currencyDigits,
  });
  if (converted === null || !Number.isFinite(converted)) return { riskMode: to, risk: '' };
  return {
    riskMode: to,
    risk: to === 'money' ? converted.toFixed(account.currencyDigits) : String(converted),
  };
}
