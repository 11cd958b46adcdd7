import type { CancelOrder, ClosePosition } from '../../../../src-core/contracts/orders';
import type { Result } from '../../../../src-core/result';
import { err, ok } from '../../../../src-core/result';
import { fmtPrice, fmtVolume } from '../../messages';
import { checkCancel, checkClose, orderKindOf } from '../../order-checks';
import type { Refusal, SendPlan } from '../context';
import { sideOfPosition } from '../market-data';
import { refusal } from '../refusals';
import type { PlannerDeps } from './deps';

/** A full or partial close (the opposite DEAL with `position`), re-priced on every retry. */
export async function planClose(d: PlannerDeps, input: ClosePosition): Promise<Result<SendPlan, Refusal>> {
  const pos = await d.data.findPosition(input.ticket);
  if (!pos.ok) return pos;
  const p = pos.value;
  const live = await d.data.specAndQuote(p.symbol);
  if (!live.ok) return live;
  const { spec, quote } = live.value;
  if (!spec.sessionOpen)
    return err(refusal('MARKET_CLOSED', `The market for ${spec.name} is closed right now.`));
  const checked = checkClose(spec, quote, p, input.volume);
  if (!checked.ok) return err(checked.error);
  const { volume, price } = checked.value;
  const isPartial = volume < p.volume;
  return ok({
    spec,
    params: {
      action: 'DEAL',
      symbol: p.symbol,
      orderType: sideOfPosition(p) === 'buy' ? 'SELL' : 'BUY',
      volume,
      price,
      position: p.ticket,
      deviation: d.settings.peek().defaultDeviationPoints,
    },
    journal: {
      symbol: p.symbol,
      side: sideOfPosition(p),
      volume,
      requestedPrice: price,
      bid: quote.bid,
      ask: quote.ask,
    },
    describe: (r) =>
      `Closed ${isPartial ? `${fmtVolume(r.volume > 0 ? r.volume : volume, spec.volumeStep)} of ` : ''}position #${p.ticket} ` +
      `(${p.symbol}) at ${fmtPrice(r.price, spec.digits)}`,
    refresh: () => planClose(d, input),
  });
}

/** Deleting a pending order (REMOVE). */
export async function planCancel(d: PlannerDeps, input: CancelOrder): Promise<Result<SendPlan, Refusal>> {
  const found = await d.data.findOrder(input.ticket);
  if (!found.ok) return found;
  const o = found.value;
  const live = await d.data.specAndQuote(o.symbol);
  if (!live.ok) return live;
  const checked = checkCancel(live.value.spec, live.value.quote, o);
  if (!checked.ok) return err(checked.error);
  return ok({
    spec: live.value.spec,
    params: { action: 'REMOVE', order: o.ticket },
    journal: {
      symbol: o.symbol,
      side: orderKindOf(o.type) ?? null,
      volume: o.volumeCurrent,
      requestedPrice: o.priceOpen,
    },
    describe: () => `Cancelled pending order #${o.ticket} (${o.symbol})`,
  });
}
