import type { OpenMarketOrder } from '../../../../src-core/contracts/orders';
import type { Result } from '../../../../src-core/result';
import { err, ok } from '../../../../src-core/result';
import { fmtPrice, fmtVolume } from '../../messages';
import {
  checkMarketOrder,
  checkRisk,
  checkRiskPerTrade,
  riskMoneyForLog,
  riskMoneyOf,
  stopPrice,
} from '../../order-checks';
import type { Refusal, SendPlan } from '../context';
import { nz, sideOfPosition } from '../market-data';
import { fromBridgeFailure } from '../refusals';
import type { PlannerDeps } from './deps';

/** A market order (DEAL BUY/SELL at the current ask/bid), re-planned with a fresh price on every retry. */
export async function planMarket(d: PlannerDeps, input: OpenMarketOrder): Promise<Result<SendPlan, Refusal>> {
  const context = await d.data.openingContext(input.symbol);
  if (!context.ok) return context;
  const { spec, quote, account, positions } = context.value;
  const checked = checkMarketOrder(spec, quote, input);
  if (!checked.ok) return err(checked.error);
  const c = checked.value;

  // Netting: an opposite order reduces the one position; only the part beyond it needs margin or a new slot.
  let newPositions = 1;
  let marginVolume = c.volume;
  if (account.marginMode === 'netting') {
    const existing = positions.find((p) => p.symbol === spec.name);
    if (existing !== undefined) {
      newPositions = 0;
      if (sideOfPosition(existing) !== input.side) marginVolume = Math.max(0, c.volume - existing.volume);
    }
  }
  let margin = 0;
  if (marginVolume > 0) {
    const m = await d.bridge.calcMargin({
      symbol: spec.name,
      orderType: input.side === 'buy' ? 'BUY' : 'SELL',
      volume: marginVolume,
      price: c.price,
    });
    if (!m.ok) return err(fromBridgeFailure(m.error, 'calculating the margin'));
    margin = m.value;
  }
  const riskMoney = riskMoneyOf(spec, c.price, c.sl, c.volume);
  d.logger.info('order margin', {
    symbol: spec.name,
    side: input.side,
    volume: c.volume,
    price: c.price,
    margin,
    freeMargin: account.marginFree,
    equity: account.equity,
    marginLevel: account.marginLevel,
    currency: account.currency,
    riskMoney: riskMoneyForLog(riskMoney),
  });
  const risk = checkRisk(d.settings.peek().riskLimits, {
    volume: c.volume,
    openPositions: positions.length,
    opensNewPosition: newPositions > 0,
    margin,
    freeMargin: account.marginFree,
    equity: account.equity,
    riskMoney,
    currency: account.currency,
    currencyDigits: account.currencyDigits,
  });
  if (!risk.ok) return err(risk.error);

  const action = input.side === 'buy' ? 'Bought' : 'Sold';
  return ok({
    spec,
    params: {
      action: 'DEAL',
      symbol: spec.name,
      orderType: input.side === 'buy' ? 'BUY' : 'SELL',
      volume: c.volume,
      price: c.price,
      ...(c.sl > 0 ? { sl: c.sl } : {}),
      ...(c.tp > 0 ? { tp: c.tp } : {}),
      deviation: input.deviation ?? d.settings.peek().defaultDeviationPoints,
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
      `${action} ${fmtVolume(r.volume > 0 ? r.volume : c.volume, spec.volumeStep)} ${spec.name} at ${fmtPrice(r.price, spec.digits)}` +
      (r.retcode === 10010 ? ' (only part of the volume was filled)' : ''),
    refresh: () => planMarket(d, input),
  });
}

/**
 * A whole trade's money at risk to its stop loss against the maximum risk per trade, for a trade sent as several
 * market orders (a split, docs/trade-management.md): nothing is journalled or sent. Each order is still checked
 * against every limit when it is sent.
 */
export async function checkMarketTradeRisk(
  d: PlannerDeps,
  input: OpenMarketOrder,
): Promise<Result<void, Refusal>> {
  const context = await d.data.openingContext(input.symbol);
  if (!context.ok) return context;
  const { spec, quote, account } = context.value;
  const price = input.side === 'buy' ? quote.ask : quote.bid;
  const sl = input.sl === undefined ? 0 : stopPrice(input.sl, 'sl', input.side, price, spec);
  return checkRiskPerTrade(d.settings.peek().riskLimits, {
    equity: account.equity,
    riskMoney: riskMoneyOf(spec, price, sl, input.volume),
    currency: account.currency,
    currencyDigits: account.currencyDigits,
  });
}
