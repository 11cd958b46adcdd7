import { z } from 'zod';
import { appError, err, ok, type AppError, type Result } from '../result';
import { roundMoney, stripFloatNoise } from './numbers';

/**
 * The trader's own limits, checked by the executor before every opening order (docs/architecture.md, "Key flows" 1).
 * All configurable in settings; the defaults are in docs/trading-core.md.
 */
export const RiskLimits = z
  .object({
    /** Largest volume of one order, in lots. */
    maxLotSize: z.number().positive().max(1_000_000).default(10),
    /** Most positions open at once on the account. */
    maxOpenPositions: z.number().int().positive().max(100_000).default(20),
    /** Refuse an order whose margin is more than the free margin. */
    requireMarginWithinFree: z.boolean().default(true),
    /** Optional: most money one trade may risk, as a percent of the equity (0 < x ≤ 100), as Settings say. */
    maxRiskPerTrade: z.number().positive().max(100).optional(),
  })
  .strict();
export type RiskLimits = z.infer<typeof RiskLimits>;

/** The default limits: 10 lots, 20 positions, margin within free margin, no per-trade risk cap. */
export const DEFAULT_RISK_LIMITS: RiskLimits = Object.freeze(RiskLimits.parse({}));

/** An opening order as the risk check sees it. Money in the account currency. */
export interface RiskCheckInput {
  readonly limits: RiskLimits;
  /** Volume of the order, in lots. */
  readonly volume: number;
  /** Positions open now. */
  readonly openPositions: number;
  /** Whether the order opens a new position (false when it adds to a netting position). Default true. */
  readonly opensNewPosition?: boolean;
  /** Margin the order needs. */
  readonly marginRequired: number;
  readonly freeMargin: number;
  /**
   * The account's equity: the base of the per-trade risk limit (what the trader could lose now, floating
   * losses included; Settings call the limit "% equity").
   */
  readonly equity: number;
  /** Money lost if the stop loss is hit; undefined when the order has no stop loss (unbounded risk). */
  readonly riskAmount: number | undefined;
  /**
   * The symbol, when the order has a stop loss but the terminal sent no tick value for it, so the money at risk
   * cannot be computed (`riskAmount` is then undefined): with a risk limit the order is refused as
   * RISK_NOT_COMPUTABLE, not as an order without a stop loss.
   */
  readonly noTickValueFor?: string;
  /** For messages, e.g. `USD`. */
  readonly accountCurrency?: string;
  /** Decimals of the account currency. Default 2. */
  readonly currencyDigits?: number;
}

/**
 * Every limit the order breaks, each naming the limit and by how much it is exceeded (in `details.excess`), in
 * the order: lot size, open positions, risk per trade, margin.
 */
export function riskLimitViolations(input: RiskCheckInput): AppError[] {
  const { limits } = input;
  const digits = input.currencyDigits ?? 2;
  const cur = input.accountCurrency === undefined ? '' : ` ${input.accountCurrency}`;
  const money = (x: number): string => `${roundMoney(x, digits).toFixed(digits)}${cur}`;
  const out: AppError[] = [];

  if (input.volume > limits.maxLotSize) {
    const excess = stripFloatNoise(input.volume - limits.maxLotSize);
    out.push(
      appError(
        'MAX_LOT_SIZE_EXCEEDED',
        `The volume ${input.volume} lots is above your maximum lot size of ${limits.maxLotSize} (by ${excess} lots).`,
        { limit: 'maxLotSize', value: input.volume, max: limits.maxLotSize, excess },
      ),
    );
  }

  const after = input.openPositions + (input.opensNewPosition === false ? 0 : 1);
  if (after > limits.maxOpenPositions) {
    const excess = after - limits.maxOpenPositions;
    out.push(
      appError(
        'MAX_OPEN_POSITIONS_EXCEEDED',
        `${input.openPositions} positions are open and your limit is ${limits.maxOpenPositions}; this order would make ${after} (${excess} over).`,
        { limit: 'maxOpenPositions', value: after, max: limits.maxOpenPositions, excess },
      ),
    );
  }

  const risk = riskPerTradeViolation({ ...input, maxRiskPerTrade: limits.maxRiskPerTrade });
  if (risk !== undefined) out.push(risk);

  if (
    limits.requireMarginWithinFree &&
    roundMoney(input.marginRequired, digits) > roundMoney(input.freeMargin, digits)
  ) {
    const excess = roundMoney(input.marginRequired - input.freeMargin, digits);
    out.push(
      appError(
        'INSUFFICIENT_MARGIN',
        `This trade needs ${money(input.marginRequired)} of margin but only ${money(input.freeMargin)} is free (${money(excess)} short).`,
        { limit: 'requireMarginWithinFree', value: input.marginRequired, max: input.freeMargin, excess },
      ),
    );
  }
  return out;
}

/** What {@link riskPerTradeViolation} needs: the money at risk and the limit, in the account currency. */
export type RiskPerTradeInput = Pick<
  RiskCheckInput,
  'equity' | 'riskAmount' | 'noTickValueFor' | 'accountCurrency' | 'currencyDigits'
> & {
  /** Percent of the equity; undefined: no limit. */
  readonly maxRiskPerTrade: number | undefined;
};

/**
 * The maximum risk per trade alone: the money at risk (or its absence) against a percent of the equity. Also
 * used for a trade sent as several orders (a split), whose parts' sum is the trade's risk.
 */
export function riskPerTradeViolation(input: RiskPerTradeInput): AppError | undefined {
  const pct = input.maxRiskPerTrade;
  if (pct === undefined) return undefined;
  const digits = input.currencyDigits ?? 2;
  const cur = input.accountCurrency === undefined ? '' : ` ${input.accountCurrency}`;
  const money = (x: number): string => `${roundMoney(x, digits).toFixed(digits)}${cur}`;
  const maxMoney = roundMoney((input.equity * pct) / 100, digits);
  if (input.riskAmount === undefined && input.noTickValueFor !== undefined) {
    return appError(
      'RISK_NOT_COMPUTABLE',
      `Cannot compute the risk: the terminal sent no tick value for ${input.noTickValueFor}, so this trade cannot be checked against your maximum risk per trade of ${pct}% of the equity (${money(maxMoney)}).`,
      { limit: 'maxRiskPerTrade', symbol: input.noTickValueFor, max: maxMoney, maxPercent: pct },
    );
  }
  if (input.riskAmount === undefined) {
    return appError(
      'MAX_RISK_PER_TRADE_EXCEEDED',
      `A stop loss is required: your maximum risk per trade is ${pct}% of the equity (${money(maxMoney)}), and without a stop the risk is unlimited.`,
      { limit: 'maxRiskPerTrade', value: null, max: maxMoney, maxPercent: pct, excess: null },
    );
  }
  if (roundMoney(input.riskAmount, digits) <= maxMoney) return undefined;
  const excess = roundMoney(input.riskAmount - maxMoney, digits);
  const riskPct = input.equity > 0 ? roundMoney((input.riskAmount / input.equity) * 100, 2) : Infinity;
  return appError(
    'MAX_RISK_PER_TRADE_EXCEEDED',
    `This trade risks ${money(input.riskAmount)} (${riskPct}% of the equity); your limit is ${pct}% (${money(maxMoney)}), ${money(excess)} over.`,
    { limit: 'maxRiskPerTrade', value: input.riskAmount, max: maxMoney, maxPercent: pct, excess },
  );
}

/** The first broken limit as an error, or ok. See {@link riskLimitViolations} for all of them. */
export function checkRiskLimits(input: RiskCheckInput): Result<void> {
  const [first] = riskLimitViolations(input);
  return first === undefined ? ok(undefined) : err(first);
}
