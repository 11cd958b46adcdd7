import {
  checkOrder,
  chooseExpiration,
  type OrderCheckInput,
  type OrderExpiration,
} from '../../../src-core/trading/order-rules';
import { normalizePrice } from '../../../src-core/trading/numbers';
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
