import type { PlacePendingOrder } from '../../../../src-core/contracts/orders';
import type { Result } from '../../../../src-core/result';
import { err, ok } from '../../../../src-core/result';
import { fmtPrice, fmtVolume, pendingWords } from '../../messages';
import { checkPendingOrder, checkRisk, riskMoneyForLog, riskMoneyOf } from '../../order-checks';
import { utcToServerMs } from '../../../../src-core/time/clock-model';
import type { Refusal, SendPlan } from '../context';
import { nz } from '../market-data';
import { fromBridgeFailure } from '../refusals';
import type { PlannerDeps } from './deps';

const ORDER_TYPE = {
  buy_limit: 'BUY_LIMIT',
  sell_limit: 'SELL_LIMIT',
  buy_stop: 'BUY_STOP',
  sell_stop: 'SELL_STOP',
} as const;

/** A pending order (PENDING BUY/SELL LIMIT/STOP with its expiration). */
export async function planPending(
  d: PlannerDeps,
  input: PlacePendingOrder,
): Promise<Result<SendPlan, Refusal>> {
  const context = await d.data.openingContext(input.symbol);
  if (!context.ok) return context;
  const { spec, quote, account, positions } = context.value;
  // The expiration is on the trade server's clock (docs/clock-model.md), so "now" must be too.
  const serverNow = utcToServerMs(d.clock.now(), account.timeOffsetSec ?? 0);
  const checked = checkPendingOrder(spec, quote, input, serverNow);
  if (!checked.ok) return err(checked.error);
  const c = checked.value;
  const side = input.kind.startsWith('buy') ? 'BUY' : 'SELL';
  const m = await d.bridge.calcMargin({
    symbol: spec.name,
    orderType: side,
    volume: c.volume,
    price: c.price,
  });
  if (!m.ok) return err(fromBridgeFailure(m.error, 'calculating the margin'));
  const margin = m.value;
  const riskMoney = riskMoneyOf(spec, c.price, c.sl, c.volume);
  d.logger.info('order margin', {
    symbol: spec.name,
    kind: input.kind,
    volume: c.volume,
    price: c.price,
    margin,
    freeMargin: account.marginFree,
    equity: account.equity,
    currency: account.currency,
    riskMoney: riskMoneyForLog(riskMoney),
  });
  const risk = checkRisk(d.settings.peek().riskLimits, {
    volume: c.volume,
    openPositions: positions.length,
    opensNewPosition: false,
    margin,
    freeMargin: account.marginFree,
    equity: account.equity,
    riskMoney,
    currency: account.currency,
    currencyDigits: account.currencyDigits,
  });
  if (!risk.ok) return err(risk.error);
  return ok({
    spec,
    params: {
      action: 'PENDING',
      symbol: spec.name,
      orderType: ORDER_TYPE[input.kind],
      volume: c.volume,
      price: c.price,
      sl: c.sl,
      tp: c.tp,
      typeTime: c.typeTime,
      ...(c.expiration === null ? {} : { expiration: c.expiration }),
    },
    journal: {
      volume: c.volume,
      requestedPrice: c.price,
      bid: quote.bid,
      ask: quote.ask,
      sl: nz(c.sl),
      tp: nz(c.tp),
      margin,
      freeMargin: account.marginFree,
    },
    describe: (r) =>
      `Placed a ${pendingWords(input.kind)} order for ${fmtVolume(c.volume, spec.volumeStep)} ${spec.name} at ` +
      `${fmtPrice(c.price, spec.digits)} (order #${r.order})`,
  });
}
