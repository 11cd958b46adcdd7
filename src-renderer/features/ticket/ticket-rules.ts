import {
  checkOrder,
  chooseExpiration,
  type OrderCheckInput,
  type OrderExpiration,
} from '../../../src-core/trading/order-rules';
import { normalizePrice } from '../../../src-core/trading/numbers';
import { riskLimitViolations } from '../../../src-core/trading/risk-limits';
import type {
  AccountInfo,
  Position,
  RiskLimits as SettingsRiskLimits,
} from '../../../src-core/contracts/ipc';
import { utcToServerMs } from '../../../src-core/time/clock-model';
import type { TicketDraft } from '../../store/drafts-slice';
import { type TicketContext, type TicketModel } from './ticket-model';

/**
 * Adds the core's order rules (trade mode, order type, volume limits and step, tick grid, pending price side and
 * distance, SL/TP side and stops level, expiration) to what the ticket found while reading the draft. The
 * messages are the core's own, with the numbers: "Stop loss must be at least 15 points below the bid (…)".
 * Any rule broken means no order: the submit button stays disabled and nothing is sent.
 */
export function checkTicket(model: TicketModel, draft: TicketDraft, ctx: TicketContext): TicketModel {
  const spec = ctx.spec;
  if (spec === undefined || ctx.quote === undefined || model.volume === null || model.volume <= 0)
    return model;
  const isPending = draft.mode === 'pending';
  if (isPending && model.entry === null) return model;
  // Pip distances land between ticks on some symbols; the executor normalises the same way before sending.
  const onGrid = (price: number | null): number | undefined =>
    price === null ? undefined : draft.stopUnit === 'pips' ? normalizePrice(price, spec.tickSize) : price;
  const sl = onGrid(model.slPrice);
  const tp = onGrid(model.tpPrice);
  const problems = [...model.problems];
  let expiration: OrderExpiration | undefined;
  if (isPending && !(draft.expiration.trim() !== '' && model.expiration === null)) {
    // The core's rules compare the expiration with "now" on the trade server's clock, as MT5 does.
    const chosen = chooseExpiration(spec, model.expiration?.serverMs);
    if (chosen.ok) expiration = chosen.value;
    else problems.push(chosen.error.message);
  }
  const input: OrderCheckInput = {
    spec,
    quote: ctx.quote,
    type: isPending ? draft.pendingKind : model.side,
    volume: model.volume,
    nowMs: utcToServerMs(ctx.nowMs, ctx.serverOffsetSec),
    ...(isPending && model.entry !== null ? { price: model.entry } : {}),
    ...(sl === undefined ? {} : { sl }),
    ...(tp === undefined ? {} : { tp }),
    ...(expiration === undefined ? {} : { expiration }),
  };
  for (const violation of checkOrder(input)) {
    if (!problems.includes(violation.message)) problems.push(violation.message);
  }
  if (problems.length === model.problems.length) return model;
  return { ...model, problems, order: null };
}

/** What the trader's limits need besides the ticket. */
export interface TicketLimitContext {
  readonly limits: SettingsRiskLimits | undefined;
  readonly account: AccountInfo | null;
  readonly positions: readonly Pick<Position, 'symbol'>[];
}

/**
 * Adds the trader's own limits from Settings (max lot, max open positions, max risk % of equity) as the executor
 * applies them (src-main/services/order-checks.ts), so an order it would refuse for them is never sendable. The
 * margin is left to the terminal's own check (use-margin-check.ts), which knows the broker's real margin.
 */
export function checkTicketLimits(model: TicketModel, ctx: TicketLimitContext): TicketModel {
  const { limits, account } = ctx;
  if (limits === undefined || account === null || model.order === null || model.volume === null) return model;
  const isMarket = model.order.kind === 'market';
  const isNetted =
    account.marginMode === 'netting' && ctx.positions.some((p) => p.symbol === model.order?.input.symbol);
  const violations = riskLimitViolations({
    limits: {
      maxLotSize: limits.maxLotSize,
      maxOpenPositions: limits.maxOpenPositions,
      requireMarginWithinFree: false,
      // A stop whose money cannot be worked out here (no conversion rate) is left to the executor.
      ...(limits.maxRiskPercent === null || (model.slPrice !== null && model.risk === null)
        ? {}
        : { maxRiskPerTrade: limits.maxRiskPercent }),
    },
    volume: model.volume,
    openPositions: ctx.positions.length,
    opensNewPosition: isMarket && !isNetted,
    marginRequired: 0,
    freeMargin: account.freeMargin,
    equity: account.equity,
    riskAmount: model.slPrice === null ? undefined : (model.risk ?? undefined),
    accountCurrency: account.currency,
    currencyDigits: account.currencyDigits,
  });
  if (violations.length === 0) return model;
  return { ...model, problems: [...model.problems, ...violations.map((v) => v.message)], order: null };
}
