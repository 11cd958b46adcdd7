import { appError, err, type Result } from '../../src-core/result';
import { convert, ratesFromSymbols, withSymbolPrice, type Rates } from '../../src-core/trading/conversion';
import { calculateMargin } from '../../src-core/trading/margin';
import { roundMoney, toDecimals } from '../../src-core/trading/numbers';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import type { WireAccount, WirePosition } from '../protocol/messages';
import type { Position, TradeParams, TradeState } from './trade-state';

/**
 * The account's money over the trade state: exchange rates from the quotes, floating profit, margin (hedged legs
 * count as the larger leg), equity, free margin and margin level, and profit booked into the balance. The
 * simulator charges no swap or commission (deals carry 0 for both).
 */

/** Exchange rates from every quoted symbol's mid, rebuilt only after a quote changed. */
export function rates(state: TradeState): Rates {
  // Account figures and margins ask for them many times per request.
  if (state.ratesCache !== undefined) return state.ratesCache;
  const entries: { spec: SymbolSpec; mid: number }[] = [];
  for (const s of state.symbols.values())
    if (s.bid > 0) entries.push({ spec: s.spec, mid: (s.bid + s.ask) / 2 });
  state.ratesCache = ratesFromSymbols(entries);
  return state.ratesCache;
}

/** Profit in the account currency of closing `volume` of a position at `closePrice`. */
export function profitAt(
  state: TradeState,
  p: Pick<WirePosition, 'symbol' | 'type' | 'priceOpen'>,
  closePrice: number,
  volume: number,
): number {
  const s = state.symbols.get(p.symbol);
  if (s === undefined || closePrice <= 0) return 0;
  const direction = p.type === 0 ? 1 : -1;
  const inProfitCurrency = (closePrice - p.priceOpen) * direction * s.spec.contractSize * volume;
  // The rates already hold this symbol's own mid (built from every quote), so no withSymbolPrice here.
  const converted = convert(inProfitCurrency, s.spec.currencyProfit, state.account.currency, rates(state));
  return converted.ok ? roundMoney(converted.value, state.digits) : 0;
}

/** A position's floating profit at the current price. */
export function profit(state: TradeState, p: Position): number {
  return profitAt(state, p, state.closePrice(p), p.volume);
}

/** Floating profit of every open position, swaps included. */
export function floatingProfit(state: TradeState): number {
  let sum = 0;
  for (const p of state.positions.values()) sum += profit(state, p) + p.swap;
  return roundMoney(sum, state.digits);
}

/** OrderCalcMargin. */
export function calcMargin(
  state: TradeState,
  symbol: string,
  orderType: 'BUY' | 'SELL',
  volume: number,
  price: number,
): Result<number> {
  const s = state.symbols.get(symbol);
  if (s === undefined) return err(appError('UNKNOWN_SYMBOL', `unknown symbol ${symbol}`));
  return calculateMargin({
    spec: s.spec,
    side: orderType === 'BUY' ? 'buy' : 'sell',
    volume,
    price,
    leverage: state.account.leverage,
    accountCurrency: state.account.currency,
    rates: rates(state),
    currencyDigits: state.digits,
  });
}

type MarginLeg = Pick<Position, 'symbol' | 'type' | 'volume' | 'priceOpen'>;

/** Margin of a set of positions: per symbol, hedged legs count as the larger leg. */
export function totalMargin(state: TradeState, positions: Iterable<MarginLeg>): number {
  const bySymbol = new Map<string, { buy: number; sell: number }>();
  for (const p of positions) {
    const margin = calcMargin(state, p.symbol, p.type === 0 ? 'BUY' : 'SELL', p.volume, p.priceOpen);
    const value = margin.ok ? margin.value : 0;
    const entry = bySymbol.get(p.symbol) ?? { buy: 0, sell: 0 };
    if (p.type === 0) entry.buy += value;
    else entry.sell += value;
    bySymbol.set(p.symbol, entry);
  }
  let total = 0;
  for (const { buy, sell } of bySymbol.values()) total += Math.max(buy, sell);
  return roundMoney(total, state.digits);
}

/**
 * A position's margin leg at another volume. Built from its four fields, not spread from the position:
 * `{ ...p, volume }` takes V8's slow path for a spread followed by more properties, and this runs on every order
 * (docs/benchmarks.md).
 */
function leg(p: Position, volume: number): MarginLeg {
  return { symbol: p.symbol, type: p.type, volume, priceOpen: p.priceOpen };
}

/**
 * The account margin if `params` (a deal) were executed now. Only the leg the deal touches changes: the others are
 * used as they are (no copy of the book per request), in the book's order so the sums are the same.
 */
export function marginAfter(state: TradeState, params: TradeParams): number {
  if (params.action !== 'DEAL') return totalMargin(state, state.positions.values());
  const isBuy = params.orderType === 'BUY';
  const type: 0 | 1 = isBuy ? 0 : 1;
  let touched: Position | undefined;
  let changed: MarginLeg | undefined;
  if (params.position !== undefined) {
    touched = state.positions.get(params.position);
    if (touched !== undefined) changed = leg(touched, Math.max(0, touched.volume - params.volume));
  } else if (state.account.marginMode === 'netting') {
    touched = state.positionOfSymbol(params.symbol);
    if (touched !== undefined) {
      if (touched.type === type) changed = leg(touched, touched.volume + params.volume);
      else if (touched.volume >= params.volume) changed = leg(touched, touched.volume - params.volume);
      else {
        const price = state.openPrice(params.symbol, isBuy);
        changed = { symbol: touched.symbol, type, volume: params.volume - touched.volume, priceOpen: price };
      }
    }
  }
  // A close by ticket drops a leg closed to 0; a netting deal also drops float dust left by the subtraction.
  const minVolume = params.position !== undefined ? 0 : 1e-12;
  const legs: MarginLeg[] = [];
  for (const p of state.positions.values()) {
    if (p !== touched) legs.push(p);
    else if (changed !== undefined && changed.volume > minVolume) legs.push(changed);
  }
  if (touched === undefined && params.position === undefined) {
    const price = state.openPrice(params.symbol, isBuy);
    legs.push({ symbol: params.symbol, type, volume: params.volume, priceOpen: price });
  }
  return totalMargin(state, legs);
}

/** Equity now: the balance plus floating profit. */
export function equity(state: TradeState): number {
  return roundMoney(state.account.balance + floatingProfit(state), state.digits);
}

/** ACCOUNT_* figures now. */
export function accountFigures(state: TradeState): WireAccount {
  const a = state.account;
  const floating = floatingProfit(state);
  const equity = roundMoney(a.balance + floating, state.digits);
  const margin = totalMargin(state, state.positions.values());
  return {
    login: a.login,
    server: a.server,
    currency: a.currency,
    currencyDigits: state.digits,
    leverage: a.leverage,
    marginMode: a.marginMode,
    tradeMode: a.tradeMode ?? 'demo',
    ...(a.name === undefined ? {} : { name: a.name }),
    company: a.company ?? 'Pipdesk Simulator',
    balance: a.balance,
    credit: 0,
    profit: floating,
    equity,
    margin,
    marginFree: roundMoney(equity - margin, state.digits),
    marginLevel: margin > 0 ? toDecimals((equity / margin) * 100, 2) : 0,
    marginSoMode: 'percent',
    marginSoCall: a.marginSoCall ?? 100,
    marginSoSo: a.marginSoSo ?? 50,
    tradeAllowed: state.isAccountTradeAllowed,
    tradeExpert: state.isTradeExpert,
    limitOrders: a.limitOrders ?? 0,
    fifoClose: a.fifoClose ?? false,
  };
}

/** SYMBOL_TRADE_TICK_VALUE: one tick's value for one lot in the account currency (0 without a rate). */
export function tickValue(state: TradeState, symbol: string): number {
  const s = state.symbols.get(symbol);
  if (s === undefined) return 0;
  const inProfitCurrency = s.spec.tickSize * s.spec.contractSize;
  const mid = s.bid > 0 ? (s.bid + s.ask) / 2 : 0;
  const withOwn = withSymbolPrice(rates(state), s.spec, mid);
  const converted = convert(inProfitCurrency, s.spec.currencyProfit, state.account.currency, withOwn);
  return converted.ok ? Number(converted.value.toPrecision(10)) : 0;
}

/**
 * DEAL_COMMISSION of a trade deal of `volume` lots: the account's per-lot, per-side rate times the volume, negative
 * (a charge), rounded to the account currency. Each side is charged on its own deal, so a round trip costs twice.
 */
export function dealCommission(state: TradeState, volume: number): number {
  if (state.commissionPerLotPerSide === 0) return 0;
  return roundMoney(-state.commissionPerLotPerSide * volume, state.digits);
}

/** Books realised profit (or a deposit) into the balance, rounded to the account currency. */
export function bookToBalance(state: TradeState, amount: number): void {
  state.account.balance = roundMoney(state.account.balance + amount, state.digits);
}
