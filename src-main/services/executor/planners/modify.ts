import type { ModifyOrder, ModifyPosition } from '../../../../src-core/contracts/orders';
import type { Result } from '../../../../src-core/result';
import { err, ok } from '../../../../src-core/result';
import { fmtPrice, fmtStop } from '../../messages';
import { checkOrderChange, checkPositionChange, orderKindOf } from '../../order-checks';
import type { Refusal, SendPlan } from '../context';
import { nz, sideOfPosition } from '../market-data';
import { fromBridgeFailure } from '../refusals';
import { utcToServerMs } from '../../../../src-core/time/clock-model';
import type { PlannerDeps } from './deps';

/** A position's new SL/TP (SLTP). */
export async function planModifyPosition(
  d: PlannerDeps,
  input: ModifyPosition,
): Promise<Result<SendPlan, Refusal>> {
  const pos = await d.data.findPosition(input.ticket);
  if (!pos.ok) return pos;
  const p = pos.value;
  const live = await d.data.specAndQuote(p.symbol);
  if (!live.ok) return live;
  const { spec, quote } = live.value;
  const checked = checkPositionChange(spec, quote, p, input);
  if (!checked.ok) return err(checked.error);
  const { sl, tp } = checked.value;
  return ok({
    spec,
    params: { action: 'SLTP', position: p.ticket, symbol: p.symbol, sl, tp },
    journal: {
      symbol: p.symbol,
      side: sideOfPosition(p),
      volume: p.volume,
      bid: quote.bid,
      ask: quote.ask,
      sl: nz(sl),
      tp: nz(tp),
    },
    describe: () =>
      `Position #${p.ticket} (${p.symbol}) now has ${fmtStop('SL', sl, spec.digits)} and ${fmtStop('TP', tp, spec.digits)}`,
  });
}

/** A pending order's new price, SL/TP and expiration (MODIFY). */
export async function planModifyOrder(
  d: PlannerDeps,
  input: ModifyOrder,
): Promise<Result<SendPlan, Refusal>> {
  const found = await d.data.findOrder(input.ticket);
  if (!found.ok) return found;
  const o = found.value;
  const live = await d.data.specAndQuote(o.symbol);
  if (!live.ok) return live;
  const { spec, quote } = live.value;
  // The expiration is on the trade server's clock (docs/clock-model.md), so "now" must be too, as when placing.
  const account = await d.bridge.account();
  if (!account.ok) return err(fromBridgeFailure(account.error, 'reading the account'));
  const serverNow = utcToServerMs(d.clock.now(), account.value.timeOffsetSec ?? 0);
  const checked = checkOrderChange(spec, quote, o, input, serverNow);
  if (!checked.ok) return err(checked.error);
  const c = checked.value;
  const kind = orderKindOf(o.type);
  return ok({
    spec,
    params: {
      action: 'MODIFY',
      order: o.ticket,
      price: c.price,
      sl: c.sl,
      tp: c.tp,
      typeTime: c.typeTime,
      ...(c.expiration === null ? {} : { expiration: c.expiration }),
    },
    journal: {
      symbol: o.symbol,
      side: kind ?? null,
      volume: o.volumeCurrent,
      requestedPrice: c.price,
      bid: quote.bid,
      ask: quote.ask,
      sl: nz(c.sl),
      tp: nz(c.tp),
    },
    describe: () =>
      `Pending order #${o.ticket} (${o.symbol}) now at ${fmtPrice(c.price, spec.digits)} with ` +
      `${fmtStop('SL', c.sl, spec.digits)} and ${fmtStop('TP', c.tp, spec.digits)}`,
  });
}
