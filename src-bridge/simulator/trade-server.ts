import { err, type Result, appError } from '../../src-core/result';
import { calculateMargin } from '../../src-core/trading/margin';
import { convert, ratesFromSymbols, withSymbolPrice, type Rates } from '../../src-core/trading/conversion';
import { isMultipleOfStep, normalizePrice, roundMoney, toDecimals } from '../../src-core/trading/numbers';
import { TRADE_RETCODE, retcodeInfo } from '../../src-core/trading/retcodes';
import {
  SYMBOL_EXPIRATION_FLAG,
  SYMBOL_FILLING_FLAG,
  SYMBOL_ORDER_FLAG,
  type FillingMode,
  type SymbolSpec,
  type TradeMode,
} from '../../src-core/trading/symbol-spec';
import { Emitter } from '../../src-core/emitter';
import { systemClock, type Clock } from '../../src-core/clock';
import {
  DEAL_ENTRY,
  DEAL_REASON,
  DEAL_TYPE,
  FILLING_VALUE,
  ORDER_STATE,
  ORDER_TYPE_VALUE,
  TXN_TYPE,
  TYPE_TIME_VALUE,
} from '../protocol/enums';
import type {
  AccountTradeMode,
  CheckResultWire,
  OrderTypeName,
  ParamsOf,
  TxnEvent,
  WireAccount,
  WireDeal,
  WireMarginMode,
  WireOrder,
  WirePosition,
} from '../protocol/messages';

/** The simulated account's fixed properties and starting balance. */
export interface SimAccountConfig {
  readonly login: string;
  readonly server: string;
  readonly currency: string;
  readonly leverage: number;
  readonly marginMode: WireMarginMode;
  readonly balance: number;
  readonly tradeMode?: AccountTradeMode;
  readonly name?: string;
  readonly company?: string;
  readonly currencyDigits?: number;
  /** Margin call level, percent (default 100). */
  readonly marginSoCall?: number;
  /** Stop-out level, percent (default 50): positions are closed, biggest loss first, below it. */
  readonly marginSoSo?: number;
  /** Maximum pending orders, 0 = none (ACCOUNT_LIMIT_ORDERS → 10033). */
  readonly limitOrders?: number;
  /** Maximum open positions, 0 = none (→ 10040). */
  readonly limitPositions?: number;
  /** Hedging accounts that must close oldest first (→ 10045). */
  readonly fifoClose?: boolean;
  /** Hedging accounts where opposite positions on one symbol are prohibited (→ 10046). */
  readonly hedgeProhibited?: boolean;
}

/** An order_send/order_check request without its envelope. */
export type TradeParams = ParamsOf<'order_send'>;

/** What the trade server answers (MqlTradeResult without the terminal's fields). */
export interface EngineResult {
  readonly retcode: number;
  readonly message: string;
  readonly order: string;
  readonly deal: string;
  readonly volume: number;
  readonly price: number;
  readonly bid: number;
  readonly ask: number;
}

/** Whether a symbol's market is open at a time (ms since 1970). */
export type MarketSchedule = (symbol: string, timeMs: number) => boolean;

/** Every market open, always (the default: deterministic tests). */
export const alwaysOpen: MarketSchedule = () => true;

/**
 * The FX week: open from Sunday 22:00 UTC to Friday 22:00 UTC, closed over the weekend. Crypto-like symbols
 * (`BTC…`, `ETH…`) trade every day.
 */
export const fxWeekSchedule: MarketSchedule = (symbol, timeMs) => {
  if (/^(BTC|ETH)/i.test(symbol)) return true;
  const date = new Date(timeMs);
  const day = date.getUTCDay();
  const hour = date.getUTCHours();
  if (day === 6) return false;
  if (day === 0) return hour >= 22;
  if (day === 5) return hour < 22;
  return true;
};

/** Options of {@link TradeServer}. */
export interface TradeServerOptions {
  readonly account: SimAccountConfig;
  readonly symbols: readonly SymbolSpec[];
  /** The server clock; default the wall clock. */
  readonly clock?: Clock;
  /** Uniform [0, 1) random source (seeded by the simulator). */
  readonly random?: () => number;
  /** Probability that an Instant/Request execution deal is requoted (10004). Default 0. */
  readonly requoteRate?: number;
  /** Market execution slips by a uniform whole number of points in ±this. Default 0. */
  readonly slippagePoints?: number;
  readonly schedule?: MarketSchedule;
}

interface SymbolState {
  spec: SymbolSpec;
  bid: number;
  ask: number;
  timeMsc: number;
  marketOverride: boolean | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Position = Mutable<WirePosition>;
type Order = Mutable<WireOrder>;

const R = TRADE_RETCODE;

/** A validation failure carrying its retcode; thrown inside validation only and always caught in `send`/`check`. */
class Reject extends Error {
  constructor(readonly retcode: number) {
    super(`retcode ${retcode}`);
  }
}

/** Rejects with a retcode from inside validation; caught in `send`/`check`. */
function reject(retcode: number): never {
  throw new Reject(retcode);
}

function isBuyType(type: number): boolean {
  return type % 2 === 0;
}

/**
 * The simulated MT5 trade server: account, symbols and quotes, positions, pending orders, deals and history,
 * and the validation a real server applies, in the order of mt5.md 2.12. Its state outlives terminal
 * connections, like a broker's.
 */
export class TradeServer {
  readonly #account: Mutable<SimAccountConfig> & { balance: number };
  readonly #symbols = new Map<string, SymbolState>();
  readonly #positions = new Map<string, Position>();
  readonly #orders = new Map<string, Order>();
  readonly #historyOrders: Order[] = [];
  readonly #deals: WireDeal[] = [];
  readonly #executions = new Map<string, number>();
  readonly #txns: Emitter<[TxnEvent]>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #schedule: MarketSchedule;
  #requoteRate: number;
  #slippagePoints: number;
  #nextOrder = 5_000_001;
  #nextDeal = 8_000_001;
  #isAutotrading = true;
  #isTradeExpert = true;
  #isAccountTradeAllowed = true;
  #ratesCache: Rates | undefined;

  constructor(options: TradeServerOptions) {
    this.#account = { ...options.account };
    for (const spec of options.symbols) {
      this.#symbols.set(spec.name, { spec, bid: 0, ask: 0, timeMsc: 0, marketOverride: undefined });
    }
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#schedule = options.schedule ?? alwaysOpen;
    this.#requoteRate = options.requoteRate ?? 0;
    this.#slippagePoints = options.slippagePoints ?? 0;
    this.#txns = new Emitter(() => undefined);
    this.#deals.push({
      ticket: this.#dealTicket(),
      order: '0',
      positionId: '0',
      symbol: '',
      type: DEAL_TYPE.BALANCE,
      entry: DEAL_ENTRY.IN,
      reason: DEAL_REASON.CLIENT,
      volume: 0,
      price: 0,
      profit: options.account.balance,
      swap: 0,
      commission: 0,
      magic: '0',
      comment: 'initial deposit',
      timeMsc: this.#clock.now(),
    });
  }

  // ---------------------------------------------------------------------------------------------- controls

  /** The server clock. */
  now(): number {
    return this.#clock.now();
  }

  /** Trade transactions, as OnTradeTransaction would see them. */
  onTransaction(listener: (txn: TxnEvent) => void): () => void {
    return this.#txns.on(listener);
  }

  /** Symbol names, in catalog order. */
  symbolNames(): string[] {
    return [...this.#symbols.keys()];
  }

  /** A symbol's specification (with any trade-mode change applied). */
  spec(symbol: string): SymbolSpec | undefined {
    return this.#symbols.get(symbol)?.spec;
  }

  /** The current quote, or undefined before the first one. */
  quote(symbol: string): { bid: number; ask: number; timeMsc: number } | undefined {
    const s = this.#symbols.get(symbol);
    if (s === undefined || s.bid <= 0) return undefined;
    return { bid: s.bid, ask: s.ask, timeMsc: s.timeMsc };
  }

  /**
   * Sets a quote (normalised to the tick size) and runs what a price change triggers: pending orders,
   * SL/TP, expirations and stop-out. Returns false for an unknown symbol.
   */
  setQuote(symbol: string, bid: number, ask: number, timeMsc: number = this.#clock.now()): boolean {
    const s = this.#symbols.get(symbol);
    if (s === undefined || !(bid > 0) || !(ask >= bid)) return false;
    s.bid = normalizePrice(bid, s.spec.tickSize);
    s.ask = normalizePrice(ask, s.spec.tickSize);
    s.timeMsc = timeMsc;
    this.#ratesCache = undefined;
    this.#onPrice(symbol);
    return true;
  }

  /** Forces a market open or closed; undefined returns it to the schedule. `*` applies to every symbol. */
  setMarketOpen(symbol: string, isOpen: boolean | undefined): void {
    for (const [name, s] of this.#symbols) if (symbol === '*' || name === symbol) s.marketOverride = isOpen;
  }

  /** Whether the symbol's market is open now. */
  isMarketOpen(symbol: string): boolean {
    const s = this.#symbols.get(symbol);
    if (s === undefined) return false;
    return s.marketOverride ?? this.#schedule(symbol, this.#clock.now());
  }

  /** Changes a symbol's SYMBOL_TRADE_MODE (e.g. DISABLED → 10017, CLOSEONLY → 10044). */
  setTradeMode(symbol: string, tradeMode: TradeMode): void {
    const s = this.#symbols.get(symbol);
    if (s !== undefined) s.spec = { ...s.spec, tradeMode };
  }

  /** The terminal's Algo Trading button (off → 10027). */
  setAutotrading(isOn: boolean): void {
    this.#isAutotrading = isOn;
  }

  /** Whether Algo Trading is on. */
  get isAutotrading(): boolean {
    return this.#isAutotrading;
  }

  /** ACCOUNT_TRADE_EXPERT (off → 10026). */
  setTradeExpert(isOn: boolean): void {
    this.#isTradeExpert = isOn;
  }

  /** ACCOUNT_TRADE_ALLOWED (off → 10017, as with the investor password). */
  setAccountTradeAllowed(isOn: boolean): void {
    this.#isAccountTradeAllowed = isOn;
  }

  /** Probability of a requote on Instant/Request execution. */
  setRequoteRate(rate: number): void {
    this.#requoteRate = rate;
  }

  /** Market-execution slippage bound in points. */
  setSlippagePoints(points: number): void {
    this.#slippagePoints = points;
  }

  /** Adds money to the balance (a BALANCE deal); negative withdraws. */
  deposit(amount: number): void {
    this.#account.balance = roundMoney(this.#account.balance + amount, this.#digits());
    this.#deals.push({
      ...this.#blankDeal(),
      type: DEAL_TYPE.BALANCE,
      profit: amount,
      comment: amount >= 0 ? 'deposit' : 'withdrawal',
    });
  }

  // ---------------------------------------------------------------------------------------------- queries

  /** ACCOUNT_* figures now. */
  account(): WireAccount {
    const a = this.#account;
    const profit = this.#floatingProfit();
    const equity = roundMoney(a.balance + profit, this.#digits());
    const margin = this.#totalMargin([...this.#positions.values()]);
    return {
      login: a.login,
      server: a.server,
      currency: a.currency,
      currencyDigits: this.#digits(),
      leverage: a.leverage,
      marginMode: a.marginMode,
      tradeMode: a.tradeMode ?? 'demo',
      ...(a.name === undefined ? {} : { name: a.name }),
      company: a.company ?? 'Pipdesk Simulator',
      balance: a.balance,
      credit: 0,
      profit,
      equity,
      margin,
      marginFree: roundMoney(equity - margin, this.#digits()),
      marginLevel: margin > 0 ? toDecimals((equity / margin) * 100, 2) : 0,
      marginSoMode: 'percent',
      marginSoCall: a.marginSoCall ?? 100,
      marginSoSo: a.marginSoSo ?? 50,
      tradeAllowed: this.#isAccountTradeAllowed,
      tradeExpert: this.#isTradeExpert,
      limitOrders: a.limitOrders ?? 0,
      fifoClose: a.fifoClose ?? false,
    };
  }

  /** Open positions with current price and profit. */
  positions(symbol?: string): WirePosition[] {
    return [...this.#positions.values()]
      .filter((p) => symbol === undefined || p.symbol === symbol)
      .map((p) => ({ ...p, priceCurrent: this.#closePrice(p), profit: this.#profit(p) }));
  }

  /** Working orders with current price. */
  orders(symbol?: string): WireOrder[] {
    return [...this.#orders.values()]
      .filter((o) => symbol === undefined || o.symbol === symbol)
      .map((o) => ({ ...o, priceCurrent: this.#openPrice(o.symbol, isBuyType(o.type)) }));
  }

  /** Orders that left the book (filled, cancelled, expired, rejected). */
  historyOrders(): WireOrder[] {
    return this.#historyOrders.map((o) => ({ ...o }));
  }

  /** Deals in [fromMs, toMs], optionally of one symbol. */
  deals(fromMs = 0, toMs = Number.MAX_SAFE_INTEGER, symbol?: string): WireDeal[] {
    return this.#deals.filter(
      (d) => d.timeMsc >= fromMs && d.timeMsc <= toMs && (symbol === undefined || d.symbol === symbol),
    );
  }

  /** How many times the server executed a request whose comment was this clOrdId (a duplicate is > 1). */
  executions(clOrdId: string): number {
    return this.#executions.get(clOrdId) ?? 0;
  }

  /** SYMBOL_TRADE_TICK_VALUE: one tick's value for one lot in the account currency (0 without a rate). */
  tickValue(symbol: string): number {
    const s = this.#symbols.get(symbol);
    if (s === undefined) return 0;
    const inProfitCurrency = s.spec.tickSize * s.spec.contractSize;
    const mid = s.bid > 0 ? (s.bid + s.ask) / 2 : 0;
    const rates = withSymbolPrice(this.#rates(), s.spec, mid);
    const converted = convert(inProfitCurrency, s.spec.currencyProfit, this.#account.currency, rates);
    return converted.ok ? Number(converted.value.toPrecision(10)) : 0;
  }

  /** OrderCalcMargin. */
  calcMargin(symbol: string, orderType: 'BUY' | 'SELL', volume: number, price: number): Result<number> {
    const s = this.#symbols.get(symbol);
    if (s === undefined) return err(appError('UNKNOWN_SYMBOL', `unknown symbol ${symbol}`));
    return calculateMargin({
      spec: s.spec,
      side: orderType === 'BUY' ? 'buy' : 'sell',
      volume,
      price,
      leverage: this.#account.leverage,
      accountCurrency: this.#account.currency,
      rates: this.#rates(),
      currencyDigits: this.#digits(),
    });
  }

  /**
   * What the terminal knows about a clOrdId, by the EA's rule (docs/bridge-protocol.md, lookup): the orders that
   * carried it (working, in history, or behind a deal that carried it); deals that carried it, deals of those
   * orders, and the closing deals of positions those orders opened (MT5 rewrites comments on SL/TP closes);
   * positions whose comment is it or that one of those orders opened. History from `sinceMs`.
   */
  lookup(
    clOrdId: string,
    sinceMs = 0,
  ): { positions: WirePosition[]; orders: WireOrder[]; deals: WireDeal[] } {
    const orders = this.orders().filter((o) => o.comment === clOrdId);
    const orderSet = new Set(orders.map((o) => o.ticket));
    for (const o of this.#historyOrders) {
      if (o.timeSetupMsc >= sinceMs && o.comment === clOrdId) orderSet.add(o.ticket);
    }
    const window = this.#deals.filter((d) => d.timeMsc >= sinceMs);
    for (const d of window) if (d.comment === clOrdId) orderSet.add(d.order);
    const deals = window.filter(
      (d) =>
        d.comment === clOrdId ||
        orderSet.has(d.order) ||
        (d.entry !== DEAL_ENTRY.IN && orderSet.has(d.positionId)),
    );
    const positions = this.positions().filter((p) => p.comment === clOrdId || orderSet.has(p.identifier));
    return { positions, orders, deals };
  }

  // ---------------------------------------------------------------------------------------------- trading

  /** OrderSend with an explicit filling mode (the terminal picks it). */
  send(params: TradeParams, filling: FillingMode | undefined): EngineResult {
    try {
      const plan = this.#validate(params, filling, true);
      return plan();
    } catch (error) {
      if (error instanceof Reject) return this.#answer(error.retcode, params);
      throw error;
    }
  }

  /** OrderCheck: the same validation, nothing executed; retcode 0 when it would pass. */
  check(params: TradeParams, filling: FillingMode | undefined): CheckResultWire {
    const before = this.account();
    let retcode = 0;
    let marginAfter = before.margin;
    try {
      this.#validate(params, filling, false);
      marginAfter = this.#marginAfter(params);
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      retcode = error.retcode;
    }
    const marginFree = roundMoney(before.equity - marginAfter, this.#digits());
    return {
      retcode,
      message: retcode === 0 ? 'Done' : retcodeInfo(retcode).message,
      balance: before.balance,
      equity: before.equity,
      profit: before.profit,
      margin: marginAfter,
      marginFree,
      marginLevel: marginAfter > 0 ? toDecimals((before.equity / marginAfter) * 100, 2) : 0,
    };
  }

  // ---------------------------------------------------------------------------------------------- internals

  #digits(): number {
    return this.#account.currencyDigits ?? 2;
  }

  #orderTicket(): string {
    return String(this.#nextOrder++);
  }

  #dealTicket(): string {
    return String(this.#nextDeal++);
  }

  #blankDeal(): WireDeal {
    return {
      ticket: this.#dealTicket(),
      order: '0',
      positionId: '0',
      symbol: '',
      type: DEAL_TYPE.BALANCE,
      entry: DEAL_ENTRY.IN,
      reason: DEAL_REASON.CLIENT,
      volume: 0,
      price: 0,
      profit: 0,
      swap: 0,
      commission: 0,
      magic: '0',
      comment: '',
      timeMsc: this.#clock.now(),
    };
  }

  #rates(): Rates {
    // Rebuilt only after a quote changes: account figures and margins ask for it many times per request.
    if (this.#ratesCache !== undefined) return this.#ratesCache;
    const entries: { spec: SymbolSpec; mid: number }[] = [];
    for (const s of this.#symbols.values())
      if (s.bid > 0) entries.push({ spec: s.spec, mid: (s.bid + s.ask) / 2 });
    this.#ratesCache = ratesFromSymbols(entries);
    return this.#ratesCache;
  }

  #state(symbol: string): SymbolState {
    const s = this.#symbols.get(symbol);
    if (s === undefined) return reject(R.INVALID);
    return s;
  }

  /** Price to open at: ask for buys, bid for sells. */
  #openPrice(symbol: string, isBuy: boolean): number {
    const s = this.#symbols.get(symbol);
    if (s === undefined) return 0;
    return isBuy ? s.ask : s.bid;
  }

  /** Price a position closes at: bid for buys, ask for sells. */
  #closePrice(p: Position | WirePosition): number {
    return this.#openPrice(p.symbol, p.type !== 0);
  }

  #profitAt(p: Position | WirePosition, closePrice: number, volume: number): number {
    const s = this.#symbols.get(p.symbol);
    if (s === undefined || closePrice <= 0) return 0;
    const direction = p.type === 0 ? 1 : -1;
    const inProfitCurrency = (closePrice - p.priceOpen) * direction * s.spec.contractSize * volume;
    // The rates already hold this symbol's own mid (built from every quote), so no withSymbolPrice here.
    const converted = convert(inProfitCurrency, s.spec.currencyProfit, this.#account.currency, this.#rates());
    return converted.ok ? roundMoney(converted.value, this.#digits()) : 0;
  }

  #profit(p: Position): number {
    return this.#profitAt(p, this.#closePrice(p), p.volume);
  }

  #floatingProfit(): number {
    let sum = 0;
    for (const p of this.#positions.values()) sum += this.#profit(p) + p.swap;
    return roundMoney(sum, this.#digits());
  }

  /** Margin of a set of positions: per symbol, hedged legs count as the larger leg. */
  #totalMargin(positions: readonly Pick<Position, 'symbol' | 'type' | 'volume' | 'priceOpen'>[]): number {
    const bySymbol = new Map<string, { buy: number; sell: number }>();
    for (const p of positions) {
      const margin = this.calcMargin(p.symbol, p.type === 0 ? 'BUY' : 'SELL', p.volume, p.priceOpen);
      const value = margin.ok ? margin.value : 0;
      const entry = bySymbol.get(p.symbol) ?? { buy: 0, sell: 0 };
      if (p.type === 0) entry.buy += value;
      else entry.sell += value;
      bySymbol.set(p.symbol, entry);
    }
    let total = 0;
    for (const { buy, sell } of bySymbol.values()) total += Math.max(buy, sell);
    return roundMoney(total, this.#digits());
  }

  /** The account margin if `params` (a deal) were executed now. */
  #marginAfter(params: TradeParams): number {
    const current = [...this.#positions.values()].map((p) => ({ ...p }));
    if (params.action !== 'DEAL') return this.#totalMargin(current);
    const isBuy = params.orderType === 'BUY';
    const price = this.#openPrice(params.symbol, isBuy);
    const type: 0 | 1 = isBuy ? 0 : 1;
    if (params.position !== undefined) {
      const p = current.find((x) => x.ticket === params.position);
      if (p !== undefined) p.volume = Math.max(0, p.volume - params.volume);
      return this.#totalMargin(current.filter((x) => x.volume > 0));
    }
    if (this.#account.marginMode === 'netting') {
      const p = current.find((x) => x.symbol === params.symbol);
      if (p !== undefined) {
        if (p.type === type) p.volume += params.volume;
        else if (p.volume >= params.volume) p.volume -= params.volume;
        else {
          p.volume = params.volume - p.volume;
          p.type = type;
          p.priceOpen = price;
        }
        return this.#totalMargin(current.filter((x) => x.volume > 1e-12));
      }
    }
    current.push({ ...this.#blankPosition(params.symbol), type, volume: params.volume, priceOpen: price });
    return this.#totalMargin(current);
  }

  #blankPosition(symbol: string): Position {
    return {
      ticket: '0',
      identifier: '0',
      symbol,
      type: 0,
      volume: 0,
      priceOpen: 0,
      priceCurrent: 0,
      sl: 0,
      tp: 0,
      profit: 0,
      swap: 0,
      magic: '0',
      comment: '',
      timeMsc: 0,
      timeUpdateMsc: 0,
    };
  }

  #answer(retcode: number, params: TradeParams, extra: Partial<EngineResult> = {}): EngineResult {
    const symbol = 'symbol' in params ? params.symbol : this.#targetSymbol(params);
    const q = symbol === undefined ? undefined : this.quote(symbol);
    return {
      retcode,
      message: retcodeInfo(retcode).message,
      order: '0',
      deal: '0',
      volume: 0,
      price: 0,
      bid: q?.bid ?? 0,
      ask: q?.ask ?? 0,
      ...extra,
    };
  }

  #targetSymbol(params: TradeParams): string | undefined {
    switch (params.action) {
      case 'MODIFY':
      case 'REMOVE':
        return this.#orders.get(params.order)?.symbol;
      case 'CLOSE_BY':
      case 'SLTP':
        return this.#positions.get(params.position)?.symbol;
      default:
        return params.symbol;
    }
  }

  /**
   * Validates in the order of mt5.md 2.12 and returns the function that executes. Throws {@link Reject}.
   * `isLive` is false for OrderCheck (no requotes, no randomness).
   */
  #validate(params: TradeParams, filling: FillingMode | undefined, isLive: boolean): () => EngineResult {
    // 1. Permissions.
    if (!this.#isAutotrading) reject(R.CLIENT_DISABLES_AT);
    if (!this.#isTradeExpert) reject(R.SERVER_DISABLES_AT);
    if (!this.#isAccountTradeAllowed) reject(R.TRADE_DISABLED);

    switch (params.action) {
      case 'DEAL':
        return this.#validateDeal(params, filling, isLive);
      case 'PENDING':
        return this.#validatePending(params, filling);
      case 'SLTP':
        return this.#validateSltp(params);
      case 'MODIFY':
        return this.#validateModify(params);
      case 'REMOVE':
        return this.#validateRemove(params);
      case 'CLOSE_BY':
        return this.#validateCloseBy(params);
    }
  }

  #commonSymbolChecks(s: SymbolState, isOpening: boolean, isBuy: boolean): void {
    if (s.spec.tradeMode === 'DISABLED') reject(R.TRADE_DISABLED);
    if (isOpening) {
      if (s.spec.tradeMode === 'LONGONLY' && !isBuy) reject(R.LONG_ONLY);
      if (s.spec.tradeMode === 'SHORTONLY' && isBuy) reject(R.SHORT_ONLY);
      if (s.spec.tradeMode === 'CLOSEONLY') reject(R.CLOSE_ONLY);
    }
    if (!this.isMarketOpen(s.spec.name)) reject(R.MARKET_CLOSED);
    if (s.bid <= 0) reject(R.PRICE_OFF);
  }

  #checkVolume(spec: SymbolSpec, volume: number): void {
    if (volume < spec.volumeMin - 1e-12 || volume > spec.volumeMax + 1e-12) reject(R.INVALID_VOLUME);
    if (!isMultipleOfStep(volume, spec.volumeStep)) reject(R.INVALID_VOLUME);
  }

  #checkStops(
    spec: SymbolSpec,
    isBuy: boolean,
    reference: number,
    sl: number | undefined,
    tp: number | undefined,
  ): void {
    const level = spec.stopsLevel * spec.point;
    const eps = spec.point / 10;
    if (sl !== undefined && sl > 0) {
      if ((spec.orderFlags & SYMBOL_ORDER_FLAG.SL) === 0) reject(R.INVALID_STOPS);
      const distance = isBuy ? reference - sl : sl - reference;
      if (distance <= 0 || distance < level - eps) reject(R.INVALID_STOPS);
    }
    if (tp !== undefined && tp > 0) {
      if ((spec.orderFlags & SYMBOL_ORDER_FLAG.TP) === 0) reject(R.INVALID_STOPS);
      const distance = isBuy ? tp - reference : reference - tp;
      if (distance <= 0 || distance < level - eps) reject(R.INVALID_STOPS);
    }
  }

  /** Freeze level: a position's stops or an order's price within this distance of the market cannot change. */
  #isFrozen(spec: SymbolSpec, distances: readonly number[]): boolean {
    if (spec.freezeLevel <= 0) return false;
    const level = spec.freezeLevel * spec.point;
    return distances.some((d) => d > 0 && d <= level + spec.point / 10);
  }

  #checkFilling(
    spec: SymbolSpec,
    filling: FillingMode | undefined,
    isPending: boolean,
    isLimit: boolean,
  ): number {
    const mode = filling ?? (isPending ? 'RETURN' : 'FOK');
    const flags = spec.fillingFlags;
    const hasFok = (flags & SYMBOL_FILLING_FLAG.FOK) !== 0;
    const hasIoc = (flags & SYMBOL_FILLING_FLAG.IOC) !== 0;
    const hasBoc = (flags & SYMBOL_FILLING_FLAG.BOC) !== 0;
    let isAllowed: boolean;
    if (isPending) {
      isAllowed =
        mode === 'RETURN' ||
        (mode === 'FOK' && hasFok) ||
        (mode === 'IOC' && hasIoc) ||
        (mode === 'BOC' && hasBoc && isLimit);
    } else {
      switch (spec.executionMode) {
        case 'REQUEST':
        case 'INSTANT':
          isAllowed = mode === 'FOK' || (mode === 'IOC' && hasIoc);
          break;
        case 'MARKET':
          // RETURN on market orders is what trips hard-coded fillings at real brokers (mt5.md 2.3); a broker
          // reporting no flags at all takes it.
          isAllowed =
            (mode === 'FOK' && hasFok) ||
            (mode === 'IOC' && hasIoc) ||
            (mode === 'RETURN' && !hasFok && !hasIoc);
          break;
        case 'EXCHANGE':
          isAllowed = (mode === 'FOK' && hasFok) || (mode === 'IOC' && hasIoc) || mode === 'RETURN';
          break;
      }
    }
    if (!isAllowed) reject(R.INVALID_FILL);
    return FILLING_VALUE[mode];
  }

  #validateDeal(
    params: Extract<TradeParams, { action: 'DEAL' }>,
    filling: FillingMode | undefined,
    isLive: boolean,
  ): () => EngineResult {
    const s = this.#state(params.symbol);
    const spec = s.spec;
    const isBuy = params.orderType === 'BUY';
    const type: 0 | 1 = isBuy ? 0 : 1;
    const hedging = this.#account.marginMode === 'hedging';
    let target: Position | undefined;
    if (params.position !== undefined) {
      target = this.#positions.get(params.position);
    } else if (!hedging) {
      target = [...this.#positions.values()].find((p) => p.symbol === params.symbol);
    }
    const isClosing = target !== undefined && target.type !== type;
    const isOpening = !isClosing || (target !== undefined && params.volume > target.volume + 1e-12);
    this.#commonSymbolChecks(s, isOpening && !(params.position !== undefined), isBuy);
    // 4. Order type, filling.
    if ((spec.orderFlags & SYMBOL_ORDER_FLAG.MARKET) === 0) reject(R.INVALID_ORDER);
    const typeFilling = this.#checkFilling(spec, filling, false, false);
    // 5. Volume and limits.
    this.#checkVolume(spec, params.volume);
    const limitPositions = this.#account.limitPositions ?? 0;
    if (!isClosing && hedging && limitPositions > 0 && this.#positions.size >= limitPositions)
      reject(R.LIMIT_POSITIONS);
    // 6. Price: Instant/Request execution confirm the requested price within the deviation.
    let price = this.#openPrice(params.symbol, isBuy);
    const requested = params.price ?? 0;
    if (spec.executionMode === 'INSTANT' || spec.executionMode === 'REQUEST') {
      if (!(requested > 0)) reject(R.INVALID_PRICE);
      if (!isMultipleOfStep(requested, spec.tickSize)) reject(R.INVALID_PRICE);
      const deviation = (params.deviation ?? 0) * spec.point;
      if (Math.abs(price - requested) > deviation + spec.point / 10) reject(R.REQUOTE);
      if (isLive && this.#requoteRate > 0 && this.#random() < this.#requoteRate) reject(R.REQUOTE);
    } else if (isLive && this.#slippagePoints > 0) {
      const points = Math.round((this.#random() * 2 - 1) * this.#slippagePoints);
      price = normalizePrice(price + points * spec.point, spec.tickSize);
    }
    // 7. Stops against the price the position will close at.
    const closeSide = isBuy ? s.bid : s.ask;
    if (!isClosing) this.#checkStops(spec, isBuy, closeSide, params.sl, params.tp);
    // 8. Position rules.
    if (params.position !== undefined) {
      if (target === undefined) reject(R.POSITION_CLOSED);
      if (target.symbol !== params.symbol) reject(R.INVALID);
      if (target.type === type) reject(R.INVALID);
      if (params.volume > target.volume + 1e-12) reject(R.INVALID_CLOSE_VOLUME);
      if (this.#isFrozen(spec, this.#stopDistances(target))) reject(R.FROZEN);
      if (hedging && (this.#account.fifoClose ?? false)) {
        const oldest = [...this.#positions.values()]
          .filter((p) => p.symbol === target.symbol)
          .sort((a, b) => a.timeMsc - b.timeMsc || Number(a.ticket) - Number(b.ticket))[0];
        if (oldest !== undefined && oldest.ticket !== target.ticket) reject(R.FIFO_CLOSE);
      }
    } else if (hedging && (this.#account.hedgeProhibited ?? false)) {
      const opposite = [...this.#positions.values()].some(
        (p) => p.symbol === params.symbol && p.type !== type,
      );
      if (opposite) reject(R.HEDGE_PROHIBITED);
    }
    // 9. Margin.
    const current = this.account();
    const after = this.#marginAfter(params);
    if (after > current.margin && current.equity - after < 0) reject(R.NO_MONEY);
    return () => {
      const result = this.#executeDeal({
        symbol: params.symbol,
        type,
        volume: params.volume,
        price,
        sl: params.sl ?? 0,
        tp: params.tp ?? 0,
        magic: params.magic,
        comment: params.clOrdId,
        target,
        typeFilling,
        reason: DEAL_REASON.EXPERT,
      });
      this.#countExecution(params.clOrdId);
      this.#emitRequest(params.clOrdId, R.DONE, result.order, result.deal);
      return this.#answer(R.DONE, params, { ...result, volume: params.volume, price });
    };
  }

  #stopDistances(p: Position): number[] {
    const close = this.#closePrice(p);
    const isBuy = p.type === 0;
    return [
      p.sl > 0 ? (isBuy ? close - p.sl : p.sl - close) : 0,
      p.tp > 0 ? (isBuy ? p.tp - close : close - p.tp) : 0,
    ];
  }

  #countExecution(clOrdId: string): void {
    this.#executions.set(clOrdId, (this.#executions.get(clOrdId) ?? 0) + 1);
  }

  /** Executes a market deal (also used for triggered orders, SL/TP and stop-out). */
  #executeDeal(d: {
    symbol: string;
    type: 0 | 1;
    volume: number;
    price: number;
    sl: number;
    tp: number;
    magic: string;
    comment: string;
    target: Position | undefined;
    typeFilling: number;
    reason: number;
    orderTicket?: string;
    dealComment?: string;
  }): { order: string; deal: string } {
    const now = this.#clock.now();
    const order = d.orderTicket ?? this.#orderTicket();
    const deal = this.#dealTicket();
    const spec = this.#state(d.symbol).spec;
    const volumeDecimals = 8;
    let entry: number = DEAL_ENTRY.IN;
    let profit = 0;
    let positionId = order;
    const target = d.target;
    if (target === undefined || target.type === d.type) {
      if (target === undefined) {
        const position: Position = {
          ...this.#blankPosition(d.symbol),
          ticket: order,
          identifier: order,
          type: d.type,
          volume: d.volume,
          priceOpen: d.price,
          sl: d.sl,
          tp: d.tp,
          magic: d.magic,
          comment: d.comment,
          timeMsc: now,
          timeUpdateMsc: now,
        };
        this.#positions.set(position.ticket, position);
      } else {
        // Netting: a same-direction deal adds to the position at the volume-weighted price.
        const volume = toDecimals(target.volume + d.volume, volumeDecimals);
        target.priceOpen = normalizePrice(
          (target.priceOpen * target.volume + d.price * d.volume) / volume,
          spec.tickSize,
        );
        target.volume = volume;
        if (d.sl > 0) target.sl = d.sl;
        if (d.tp > 0) target.tp = d.tp;
        target.timeUpdateMsc = now;
        positionId = target.identifier;
      }
    } else {
      positionId = target.identifier;
      const closed = Math.min(d.volume, target.volume);
      profit = this.#profitAt(target, d.price, closed);
      this.#account.balance = roundMoney(this.#account.balance + profit, this.#digits());
      const rest = toDecimals(target.volume - d.volume, volumeDecimals);
      entry = DEAL_ENTRY.OUT;
      if (rest > 1e-9) {
        target.volume = rest;
        target.timeUpdateMsc = now;
      } else if (rest < -1e-9) {
        // Netting reversal: the position flips to the remaining volume at the deal price (DEAL_ENTRY_INOUT).
        entry = DEAL_ENTRY.INOUT;
        target.type = d.type;
        target.volume = toDecimals(-rest, volumeDecimals);
        target.priceOpen = d.price;
        target.sl = d.sl;
        target.tp = d.tp;
        target.timeUpdateMsc = now;
      } else {
        this.#positions.delete(target.ticket);
      }
    }
    const historyOrder: Order = {
      ticket: order,
      symbol: d.symbol,
      type: d.type,
      state: ORDER_STATE.FILLED,
      volumeInitial: d.volume,
      volumeCurrent: 0,
      priceOpen: d.price,
      priceStopLimit: 0,
      priceCurrent: d.price,
      sl: d.sl,
      tp: d.tp,
      typeTime: TYPE_TIME_VALUE.GTC,
      expirationMs: 0,
      typeFilling: d.typeFilling,
      positionId,
      magic: d.magic,
      comment: d.comment,
      timeSetupMsc: now,
    };
    if (d.orderTicket === undefined) {
      this.#historyOrders.push(historyOrder);
      this.#emitTxn({
        txnType: TXN_TYPE.ORDER_ADD,
        order,
        symbol: d.symbol,
        orderType: d.type,
        orderState: ORDER_STATE.STARTED,
        volume: d.volume,
        price: d.price,
        position: positionId,
      });
    }
    this.#deals.push({
      ticket: deal,
      order,
      positionId,
      symbol: d.symbol,
      type: d.type === 0 ? DEAL_TYPE.BUY : DEAL_TYPE.SELL,
      entry,
      reason: d.reason,
      volume: d.volume,
      price: d.price,
      profit,
      swap: 0,
      commission: 0,
      magic: d.magic,
      comment: d.dealComment ?? d.comment,
      timeMsc: now,
    });
    this.#emitTxn({
      txnType: TXN_TYPE.DEAL_ADD,
      order,
      deal,
      position: positionId,
      symbol: d.symbol,
      orderType: d.type,
      dealType: d.type,
      price: d.price,
      volume: d.volume,
    });
    this.#emitTxn({
      txnType: TXN_TYPE.ORDER_DELETE,
      order,
      symbol: d.symbol,
      orderType: d.type,
      orderState: ORDER_STATE.FILLED,
      position: positionId,
    });
    this.#emitTxn({
      txnType: TXN_TYPE.HISTORY_ADD,
      order,
      symbol: d.symbol,
      orderType: d.type,
      orderState: ORDER_STATE.FILLED,
      position: positionId,
    });
    if (
      this.#positions.has(positionId) ||
      [...this.#positions.values()].some((p) => p.identifier === positionId)
    ) {
      this.#emitTxn({ txnType: TXN_TYPE.POSITION, position: positionId, symbol: d.symbol });
    }
    return { order, deal };
  }

  #validatePending(
    params: Extract<TradeParams, { action: 'PENDING' }>,
    filling: FillingMode | undefined,
  ): () => EngineResult {
    const s = this.#state(params.symbol);
    const spec = s.spec;
    const typeValue = ORDER_TYPE_VALUE[params.orderType];
    const isBuy = isBuyType(typeValue);
    this.#commonSymbolChecks(s, true, isBuy);
    // 4. Order type, expiration, filling.
    const isLimit = params.orderType.endsWith('_LIMIT') && !params.orderType.includes('STOP');
    const isStopLimit = params.orderType.includes('STOP_LIMIT');
    const flag = isStopLimit
      ? SYMBOL_ORDER_FLAG.STOP_LIMIT
      : isLimit
        ? SYMBOL_ORDER_FLAG.LIMIT
        : SYMBOL_ORDER_FLAG.STOP;
    if ((spec.orderFlags & flag) === 0) reject(R.INVALID_ORDER);
    const typeTime = params.typeTime ?? 'GTC';
    const expFlag = SYMBOL_EXPIRATION_FLAG[typeTime];
    if ((spec.expirationFlags & expFlag) === 0) reject(R.INVALID_EXPIRATION);
    const expiration = params.expiration ?? 0;
    if ((typeTime === 'SPECIFIED' || typeTime === 'SPECIFIED_DAY') && expiration <= this.#clock.now())
      reject(R.INVALID_EXPIRATION);
    const typeFilling = this.#checkFilling(spec, filling, true, isLimit || isStopLimit);
    // 5. Volume and order count.
    this.#checkVolume(spec, params.volume);
    const limitOrders = this.#account.limitOrders ?? 0;
    if (limitOrders > 0 && this.#orders.size >= limitOrders) reject(R.LIMIT_ORDERS);
    // 6. Price: on the tick grid, on the right side of the market, outside the stops level.
    if (!isMultipleOfStep(params.price, spec.tickSize)) reject(R.INVALID_PRICE);
    const level = spec.stopsLevel * spec.point;
    const eps = spec.point / 10;
    const distance = this.#pendingDistance(params.orderType, params.price, s);
    if (distance <= 0 || distance < level - eps) reject(R.INVALID_PRICE);
    const stopLimit = params.stopLimit ?? 0;
    if (isStopLimit) {
      if (!(stopLimit > 0) || !isMultipleOfStep(stopLimit, spec.tickSize)) reject(R.INVALID_PRICE);
      if (isBuy ? stopLimit >= params.price : stopLimit <= params.price) reject(R.INVALID_PRICE);
    }
    // 7. Stops against the price the order will fill at.
    this.#checkStops(spec, isBuy, isStopLimit ? stopLimit : params.price, params.sl, params.tp);
    return () => {
      const now = this.#clock.now();
      const ticket = this.#orderTicket();
      const order: Order = {
        ticket,
        symbol: params.symbol,
        type: typeValue,
        state: ORDER_STATE.PLACED,
        volumeInitial: params.volume,
        volumeCurrent: params.volume,
        priceOpen: params.price,
        priceStopLimit: stopLimit,
        priceCurrent: 0,
        sl: params.sl ?? 0,
        tp: params.tp ?? 0,
        typeTime: TYPE_TIME_VALUE[typeTime],
        expirationMs: expiration,
        typeFilling,
        positionId: '0',
        magic: params.magic,
        comment: params.clOrdId,
        timeSetupMsc: now,
      };
      this.#orders.set(ticket, order);
      this.#countExecution(params.clOrdId);
      this.#emitTxn({
        txnType: TXN_TYPE.ORDER_ADD,
        order: ticket,
        symbol: params.symbol,
        orderType: typeValue,
        orderState: ORDER_STATE.PLACED,
        price: params.price,
        volume: params.volume,
        sl: order.sl,
        tp: order.tp,
      });
      this.#emitRequest(params.clOrdId, R.PLACED, ticket, '0');
      return this.#answer(R.PLACED, params, { order: ticket, volume: params.volume });
    };
  }

  /** How far a pending price is from the market on the side where it is valid (negative: wrong side). */
  #pendingDistance(orderType: string, price: number, s: SymbolState): number {
    switch (orderType) {
      case 'BUY_LIMIT':
        return s.ask - price;
      case 'SELL_LIMIT':
        return price - s.bid;
      case 'BUY_STOP':
      case 'BUY_STOP_LIMIT':
        return price - s.ask;
      case 'SELL_STOP':
      case 'SELL_STOP_LIMIT':
        return s.bid - price;
      default:
        return -1;
    }
  }

  #validateSltp(params: Extract<TradeParams, { action: 'SLTP' }>): () => EngineResult {
    const p = this.#positions.get(params.position);
    if (p === undefined) return reject(R.POSITION_CLOSED);
    const s = this.#state(p.symbol);
    if (params.symbol !== p.symbol) reject(R.INVALID);
    this.#commonSymbolChecks(s, false, p.type === 0);
    const isBuy = p.type === 0;
    const spec = s.spec;
    const eps = spec.point / 10;
    if (Math.abs(params.sl - p.sl) < eps && Math.abs(params.tp - p.tp) < eps) reject(R.NO_CHANGES);
    for (const price of [params.sl, params.tp])
      if (price > 0 && !isMultipleOfStep(price, spec.tickSize)) reject(R.INVALID_PRICE);
    this.#checkStops(spec, isBuy, this.#closePrice(p), params.sl, params.tp);
    if (this.#isFrozen(spec, this.#stopDistances(p))) reject(R.FROZEN);
    return () => {
      p.sl = params.sl;
      p.tp = params.tp;
      p.timeUpdateMsc = this.#clock.now();
      this.#countExecution(params.clOrdId);
      this.#emitTxn({ txnType: TXN_TYPE.POSITION, position: p.ticket, symbol: p.symbol, sl: p.sl, tp: p.tp });
      this.#emitRequest(params.clOrdId, R.DONE, '0', '0');
      return this.#answer(R.DONE, params);
    };
  }

  #validateModify(params: Extract<TradeParams, { action: 'MODIFY' }>): () => EngineResult {
    const o = this.#orders.get(params.order);
    if (o === undefined) return reject(R.INVALID);
    const s = this.#state(o.symbol);
    const spec = s.spec;
    const isBuy = isBuyType(o.type);
    this.#commonSymbolChecks(s, false, isBuy);
    const name = this.#orderTypeName(o.type);
    if (this.#isFrozen(spec, [this.#pendingDistance(name, o.priceOpen, s)])) reject(R.FROZEN);
    const eps = spec.point / 10;
    const stopLimit = params.stopLimit ?? o.priceStopLimit;
    const expiration = params.expiration ?? o.expirationMs;
    if (
      Math.abs(params.price - o.priceOpen) < eps &&
      Math.abs(params.sl - o.sl) < eps &&
      Math.abs(params.tp - o.tp) < eps &&
      Math.abs(stopLimit - o.priceStopLimit) < eps &&
      expiration === o.expirationMs
    ) {
      reject(R.NO_CHANGES);
    }
    if (!isMultipleOfStep(params.price, spec.tickSize)) reject(R.INVALID_PRICE);
    const distance = this.#pendingDistance(name, params.price, s);
    if (distance <= 0 || distance < spec.stopsLevel * spec.point - eps) reject(R.INVALID_PRICE);
    this.#checkStops(spec, isBuy, stopLimit > 0 ? stopLimit : params.price, params.sl, params.tp);
    return () => {
      o.priceOpen = params.price;
      o.priceStopLimit = stopLimit;
      o.sl = params.sl;
      o.tp = params.tp;
      o.expirationMs = expiration;
      if (params.typeTime !== undefined) o.typeTime = TYPE_TIME_VALUE[params.typeTime];
      this.#countExecution(params.clOrdId);
      this.#emitTxn({
        txnType: TXN_TYPE.ORDER_UPDATE,
        order: o.ticket,
        symbol: o.symbol,
        orderType: o.type,
        orderState: o.state,
        price: o.priceOpen,
        volume: o.volumeCurrent,
        sl: o.sl,
        tp: o.tp,
      });
      this.#emitRequest(params.clOrdId, R.DONE, o.ticket, '0');
      return this.#answer(R.DONE, params, { order: o.ticket });
    };
  }

  #validateRemove(params: Extract<TradeParams, { action: 'REMOVE' }>): () => EngineResult {
    const o = this.#orders.get(params.order);
    if (o === undefined) return reject(R.INVALID);
    const s = this.#state(o.symbol);
    if (s.spec.tradeMode === 'DISABLED') reject(R.TRADE_DISABLED);
    if (!this.isMarketOpen(o.symbol)) reject(R.MARKET_CLOSED);
    if (this.#isFrozen(s.spec, [this.#pendingDistance(this.#orderTypeName(o.type), o.priceOpen, s)]))
      reject(R.FROZEN);
    return () => {
      this.#retireOrder(o, ORDER_STATE.CANCELED);
      this.#countExecution(params.clOrdId);
      this.#emitRequest(params.clOrdId, R.DONE, o.ticket, '0');
      return this.#answer(R.DONE, params, { order: o.ticket });
    };
  }

  #validateCloseBy(params: Extract<TradeParams, { action: 'CLOSE_BY' }>): () => EngineResult {
    if (this.#account.marginMode !== 'hedging') reject(R.INVALID);
    const a = this.#positions.get(params.position);
    const b = this.#positions.get(params.positionBy);
    if (a === undefined || b === undefined) return reject(R.POSITION_CLOSED);
    if (a.symbol !== b.symbol || a.type === b.type) reject(R.INVALID);
    const s = this.#state(a.symbol);
    this.#commonSymbolChecks(s, false, a.type === 0);
    if ((s.spec.orderFlags & SYMBOL_ORDER_FLAG.CLOSEBY) === 0) reject(R.INVALID_ORDER);
    if (this.#isFrozen(s.spec, [...this.#stopDistances(a), ...this.#stopDistances(b)])) reject(R.FROZEN);
    return () => {
      const now = this.#clock.now();
      const volume = Math.min(a.volume, b.volume);
      // Both legs close at the open price of position_by: the spread is paid once.
      const price = b.priceOpen;
      const order = this.#orderTicket();
      const profitA = this.#profitAt(a, price, volume);
      this.#account.balance = roundMoney(this.#account.balance + profitA, this.#digits());
      const legs: [Position, number][] = [
        [a, profitA],
        [b, 0],
      ];
      let firstDeal = '0';
      for (const [p, profit] of legs) {
        const deal = this.#dealTicket();
        if (firstDeal === '0') firstDeal = deal;
        this.#deals.push({
          ticket: deal,
          order,
          positionId: p.identifier,
          symbol: p.symbol,
          type: p.type === 0 ? DEAL_TYPE.SELL : DEAL_TYPE.BUY,
          entry: DEAL_ENTRY.OUT_BY,
          reason: DEAL_REASON.EXPERT,
          volume,
          price,
          profit,
          swap: 0,
          commission: 0,
          magic: p.magic,
          comment: params.clOrdId,
          timeMsc: now,
        });
        p.volume = toDecimals(p.volume - volume, 8);
        if (p.volume <= 1e-9) this.#positions.delete(p.ticket);
        this.#emitTxn({
          txnType: TXN_TYPE.DEAL_ADD,
          order,
          deal,
          position: p.identifier,
          positionBy: p === a ? b.identifier : a.identifier,
          symbol: p.symbol,
          price,
          volume,
        });
      }
      this.#historyOrders.push({
        ticket: order,
        symbol: a.symbol,
        type: ORDER_TYPE_VALUE.CLOSE_BY,
        state: ORDER_STATE.FILLED,
        volumeInitial: volume,
        volumeCurrent: 0,
        priceOpen: price,
        priceStopLimit: 0,
        priceCurrent: price,
        sl: 0,
        tp: 0,
        typeTime: 0,
        expirationMs: 0,
        typeFilling: 0,
        positionId: a.identifier,
        magic: params.magic,
        comment: params.clOrdId,
        timeSetupMsc: now,
      });
      this.#countExecution(params.clOrdId);
      this.#emitRequest(params.clOrdId, R.DONE, order, firstDeal);
      return this.#answer(R.DONE, params, { order, deal: firstDeal, volume, price });
    };
  }

  #orderTypeName(type: number): OrderTypeName {
    const names: OrderTypeName[] = [
      'BUY',
      'SELL',
      'BUY_LIMIT',
      'SELL_LIMIT',
      'BUY_STOP',
      'SELL_STOP',
      'BUY_STOP_LIMIT',
      'SELL_STOP_LIMIT',
    ];
    return names[type] ?? 'BUY';
  }

  #retireOrder(o: Order, state: number): void {
    this.#orders.delete(o.ticket);
    o.state = state;
    this.#historyOrders.push(o);
    this.#emitTxn({
      txnType: TXN_TYPE.ORDER_DELETE,
      order: o.ticket,
      symbol: o.symbol,
      orderType: o.type,
      orderState: state,
    });
    this.#emitTxn({
      txnType: TXN_TYPE.HISTORY_ADD,
      order: o.ticket,
      symbol: o.symbol,
      orderType: o.type,
      orderState: state,
    });
  }

  /** What a price change triggers, in MT5's order: pending orders, then SL/TP, then stop-out. */
  #onPrice(symbol: string): void {
    const s = this.#symbols.get(symbol);
    if (s === undefined) return;
    const now = this.#clock.now();
    for (const o of [...this.#orders.values()]) {
      if (o.symbol !== symbol) continue;
      if (o.expirationMs > 0 && now >= o.expirationMs) {
        this.#retireOrder(o, ORDER_STATE.EXPIRED);
        continue;
      }
      if (!this.isMarketOpen(symbol)) continue;
      this.#maybeTrigger(o, s);
    }
    if (this.isMarketOpen(symbol)) {
      for (const p of [...this.#positions.values()]) {
        if (p.symbol !== symbol) continue;
        const close = this.#closePrice(p);
        const isBuy = p.type === 0;
        const hitSl = p.sl > 0 && (isBuy ? close <= p.sl : close >= p.sl);
        const hitTp = p.tp > 0 && (isBuy ? close >= p.tp : close <= p.tp);
        if (!hitSl && !hitTp) continue;
        const digits = s.spec.digits;
        this.#executeDeal({
          symbol,
          type: isBuy ? 1 : 0,
          volume: p.volume,
          price: close,
          sl: 0,
          tp: 0,
          magic: p.magic,
          comment: p.comment,
          // MT5 replaces the comment of SL/TP closing deals, which is why lookup matches on the opening deal.
          dealComment: hitSl ? `[sl ${p.sl.toFixed(digits)}]` : `[tp ${p.tp.toFixed(digits)}]`,
          target: p,
          typeFilling: FILLING_VALUE.FOK,
          reason: hitSl ? DEAL_REASON.SL : DEAL_REASON.TP,
        });
      }
    }
    this.#stopOut();
  }

  #maybeTrigger(o: Order, s: SymbolState): void {
    const name = this.#orderTypeName(o.type);
    let isTriggered: boolean;
    switch (name) {
      case 'BUY_LIMIT':
        isTriggered = s.ask <= o.priceOpen;
        break;
      case 'SELL_LIMIT':
        isTriggered = s.bid >= o.priceOpen;
        break;
      case 'BUY_STOP':
      case 'BUY_STOP_LIMIT':
        isTriggered = s.ask >= o.priceOpen;
        break;
      case 'SELL_STOP':
      case 'SELL_STOP_LIMIT':
        isTriggered = s.bid <= o.priceOpen;
        break;
      default:
        isTriggered = false;
    }
    if (!isTriggered) return;
    if (name === 'BUY_STOP_LIMIT' || name === 'SELL_STOP_LIMIT') {
      // The stop turns the order into a limit order at the stop-limit price.
      o.type = name === 'BUY_STOP_LIMIT' ? ORDER_TYPE_VALUE.BUY_LIMIT : ORDER_TYPE_VALUE.SELL_LIMIT;
      o.priceOpen = o.priceStopLimit;
      o.priceStopLimit = 0;
      this.#emitTxn({
        txnType: TXN_TYPE.ORDER_UPDATE,
        order: o.ticket,
        symbol: o.symbol,
        orderType: o.type,
        orderState: o.state,
        price: o.priceOpen,
        volume: o.volumeCurrent,
      });
      this.#maybeTrigger(o, s);
      return;
    }
    const isBuy = isBuyType(o.type);
    const type: 0 | 1 = isBuy ? 0 : 1;
    const price = name.endsWith('LIMIT') ? o.priceOpen : isBuy ? s.ask : s.bid;
    const margin = this.calcMargin(o.symbol, isBuy ? 'BUY' : 'SELL', o.volumeCurrent, price);
    const account = this.account();
    if (!margin.ok || account.marginFree < margin.value) {
      this.#retireOrder(o, ORDER_STATE.REJECTED);
      return;
    }
    const target =
      this.#account.marginMode === 'netting'
        ? [...this.#positions.values()].find((p) => p.symbol === o.symbol)
        : undefined;
    this.#orders.delete(o.ticket);
    o.state = ORDER_STATE.FILLED;
    o.positionId = target?.identifier ?? o.ticket;
    o.volumeCurrent = 0;
    this.#historyOrders.push(o);
    this.#executeDeal({
      symbol: o.symbol,
      type,
      volume: o.volumeInitial,
      price,
      sl: o.sl,
      tp: o.tp,
      magic: o.magic,
      comment: o.comment,
      target,
      typeFilling: o.typeFilling,
      reason: DEAL_REASON.EXPERT,
      orderTicket: o.ticket,
    });
  }

  /** Closes positions, biggest loss first, while the margin level is at or below the stop-out level. */
  #stopOut(): void {
    const level = this.#account.marginSoSo ?? 50;
    for (let guard = 0; guard < 1000; guard += 1) {
      const a = this.account();
      if (a.margin <= 0 || a.marginLevel > level) return;
      const worst = [...this.#positions.values()].sort((x, y) => this.#profit(x) - this.#profit(y))[0];
      if (worst === undefined) return;
      this.#executeDeal({
        symbol: worst.symbol,
        type: worst.type === 0 ? 1 : 0,
        volume: worst.volume,
        price: this.#closePrice(worst),
        sl: 0,
        tp: 0,
        magic: worst.magic,
        comment: worst.comment,
        dealComment: `[so ${a.marginLevel.toFixed(2)}%]`,
        target: worst,
        typeFilling: FILLING_VALUE.FOK,
        reason: DEAL_REASON.SO,
      });
    }
  }

  #emitRequest(clOrdId: string, retcode: number, order: string, deal: string): void {
    this.#emitTxn({ txnType: TXN_TYPE.REQUEST, order, deal, retcode, comment: clOrdId });
  }

  #emitTxn(partial: Partial<Omit<TxnEvent, 'type'>> & { txnType: number }): void {
    if (this.#txns.size === 0) return;
    this.#txns.emit({
      type: 'txn',
      order: '0',
      deal: '0',
      position: '0',
      positionBy: '0',
      symbol: '',
      orderType: 0,
      orderState: 0,
      dealType: 0,
      price: 0,
      volume: 0,
      sl: 0,
      tp: 0,
      ...partial,
    });
  }
}
