import { type Result } from '../../src-core/result';
import { normalizePrice, roundMoney, toDecimals } from '../../src-core/trading/numbers';
import { retcodeInfo } from '../../src-core/trading/retcodes';
import type { FillingMode, SymbolSpec, TradeMode } from '../../src-core/trading/symbol-spec';
import { DEAL_ENTRY, DEAL_TYPE } from '../protocol/enums';
import type {
  CheckResultWire,
  TxnEvent,
  WireAccount,
  WireDeal,
  WireOrder,
  WirePosition,
} from '../protocol/messages';
import { accountFigures, bookToBalance, calcMargin, marginAfter, profit, tickValue } from './accounting';
import { answer, execute } from './execution';
import { isBuyType } from './trade-rules';
import {
  Reject,
  TradeState,
  type EngineResult,
  type TradeParams,
  type TradeServerOptions,
  type TradeSnapshot,
} from './trade-state';
import { onPrice } from './triggers';
import { validate } from './validation';

export {
  alwaysOpen,
  fxWeekSchedule,
  type EngineResult,
  type MarketSchedule,
  type SimAccountConfig,
  type TradeParams,
  type TradeServerOptions,
  type TradeSnapshot,
} from './trade-state';

/**
 * The simulated MT5 trade server: account, symbols and quotes, positions, pending orders, deals and history,
 * and the validation a real server applies, in the order docs/bridge-protocol.md §14 lists. Its state outlives
 * terminal connections, like a broker's. The work is split by responsibility over one {@link TradeState}:
 * validation.ts (request checks → retcodes, on the pure rules of trade-rules.ts), execution.ts (fills, closes,
 * pending orders, close-by), triggers.ts (pending activation, SL/TP, expiry, stop-out) and accounting.ts (balance,
 * equity, margin, free margin, margin level).
 */
export class TradeServer {
  readonly #state: TradeState;

  constructor(options: TradeServerOptions) {
    this.#state = new TradeState(options);
    if (options.restore !== undefined) {
      this.#state.restore(options.restore);
      return;
    }
    this.#state.deals.push({
      ...this.#state.blankDeal(),
      profit: options.account.balance,
      comment: 'initial deposit',
    });
  }

  // ---------------------------------------------------------------------------------------------- controls

  /** The server clock. */
  now(): number {
    return this.#state.clock.now();
  }

  /** Trade transactions, as OnTradeTransaction would see them. */
  onTransaction(listener: (txn: TxnEvent) => void): () => void {
    return this.#state.txns.on(listener);
  }

  /**
   * Adds a symbol the server did not offer yet (a paper account learning the live terminal's symbols); false when
   * it is already there (its spec is kept).
   */
  addSymbol(spec: SymbolSpec): boolean {
    if (this.#state.symbols.has(spec.name)) return false;
    this.#state.symbols.set(spec.name, { spec, bid: 0, ask: 0, timeMsc: 0, marketOverride: undefined });
    this.#state.ratesCache = undefined;
    return true;
  }

  /** Everything needed to restore this server's account, book and history later ({@link TradeServerOptions.restore}). */
  snapshot(): TradeSnapshot {
    const state = this.#state;
    const counters = state.ticketCounters;
    return {
      balance: state.account.balance,
      positions: [...state.positions.values()].map((p) => ({ ...p })),
      orders: [...state.orders.values()].map((o) => ({ ...o })),
      historyOrders: state.historyOrders.map((o) => ({ ...o })),
      deals: [...state.deals],
      nextOrderTicket: counters.order,
      nextDealTicket: counters.deal,
    };
  }

  /** Symbol names, in catalog order. */
  symbolNames(): string[] {
    return [...this.#state.symbols.keys()];
  }

  /** A symbol's specification (with any trade-mode change applied). */
  spec(symbol: string): SymbolSpec | undefined {
    return this.#state.symbols.get(symbol)?.spec;
  }

  /** The current quote, or undefined before the first one. */
  quote(symbol: string): { bid: number; ask: number; timeMsc: number } | undefined {
    const s = this.#state.symbols.get(symbol);
    if (s === undefined || s.bid <= 0) return undefined;
    return { bid: s.bid, ask: s.ask, timeMsc: s.timeMsc };
  }

  /**
   * Sets a quote (normalised to the tick size) and runs what a price change triggers: pending orders,
   * SL/TP, expirations and stop-out. Returns false for an unknown symbol.
   */
  setQuote(symbol: string, bid: number, ask: number, timeMsc: number = this.#state.clock.now()): boolean {
    const s = this.#state.symbols.get(symbol);
    if (s === undefined || !(bid > 0) || !(ask >= bid)) return false;
    s.bid = normalizePrice(bid, s.spec.tickSize);
    s.ask = normalizePrice(ask, s.spec.tickSize);
    s.timeMsc = timeMsc;
    this.#state.ratesCache = undefined;
    onPrice(this.#state, symbol);
    return true;
  }

  /** Forces a market open or closed; undefined returns it to the schedule. `*` applies to every symbol. */
  setMarketOpen(symbol: string, isOpen: boolean | undefined): void {
    for (const [name, s] of this.#state.symbols)
      if (symbol === '*' || name === symbol) s.marketOverride = isOpen;
  }

  /** Whether the symbol's market is open now. */
  isMarketOpen(symbol: string): boolean {
    return this.#state.isMarketOpen(symbol);
  }

  /** Changes a symbol's SYMBOL_TRADE_MODE (e.g. DISABLED → 10017, CLOSEONLY → 10044). */
  setTradeMode(symbol: string, tradeMode: TradeMode): void {
    const s = this.#state.symbols.get(symbol);
    if (s !== undefined) s.spec = { ...s.spec, tradeMode };
  }

  /** The terminal's Algo Trading button (off → 10027). */
  setAutotrading(isOn: boolean): void {
    this.#state.isAutotrading = isOn;
  }

  /** Whether Algo Trading is on. */
  get isAutotrading(): boolean {
    return this.#state.isAutotrading;
  }

  /** ACCOUNT_TRADE_EXPERT (off → 10026). */
  setTradeExpert(isOn: boolean): void {
    this.#state.isTradeExpert = isOn;
  }

  /** ACCOUNT_TRADE_ALLOWED (off → 10017, as with the investor password). */
  setAccountTradeAllowed(isOn: boolean): void {
    this.#state.isAccountTradeAllowed = isOn;
  }

  /** Probability of a requote on Instant/Request execution. */
  setRequoteRate(rate: number): void {
    this.#state.requoteRate = rate;
  }

  /** Market-execution slippage bound in points. */
  setSlippagePoints(points: number): void {
    this.#state.slippagePoints = points;
  }

  /** Points every fill at market slips against the trader (see `adverseSlippagePoints` in trade-state.ts). */
  setAdverseSlippagePoints(points: number): void {
    this.#state.adverseSlippagePoints = points;
  }

  /** Commission per lot per side charged on the deals from now on. */
  setCommissionPerLotPerSide(amount: number): void {
    this.#state.commissionPerLotPerSide = amount;
  }

  /** Adds money to the balance (a BALANCE deal); negative withdraws. */
  deposit(amount: number): void {
    bookToBalance(this.#state, amount);
    this.#state.deals.push({
      ...this.#state.blankDeal(),
      type: DEAL_TYPE.BALANCE,
      profit: amount,
      comment: amount >= 0 ? 'deposit' : 'withdrawal',
    });
  }

  // ---------------------------------------------------------------------------------------------- queries

  /** ACCOUNT_* figures now. */
  account(): WireAccount {
    return accountFigures(this.#state);
  }

  /** Open positions with current price and profit. */
  positions(symbol?: string): WirePosition[] {
    const state = this.#state;
    return [...state.positions.values()]
      .filter((p) => symbol === undefined || p.symbol === symbol)
      .map((p) => ({ ...p, priceCurrent: state.closePrice(p), profit: profit(state, p) }));
  }

  /** Working orders with current price. */
  orders(symbol?: string): WireOrder[] {
    const state = this.#state;
    return [...state.orders.values()]
      .filter((o) => symbol === undefined || o.symbol === symbol)
      .map((o) => ({ ...o, priceCurrent: state.openPrice(o.symbol, isBuyType(o.type)) }));
  }

  /** Orders that left the book (filled, cancelled, expired, rejected). */
  historyOrders(): WireOrder[] {
    return this.#state.historyOrders.map((o) => ({ ...o }));
  }

  /** Deals in [fromMs, toMs], optionally of one symbol. */
  deals(fromMs = 0, toMs = Number.MAX_SAFE_INTEGER, symbol?: string): WireDeal[] {
    return this.#state.deals.filter(
      (d) => d.timeMsc >= fromMs && d.timeMsc <= toMs && (symbol === undefined || d.symbol === symbol),
    );
  }

  /** How many times the server executed a request whose comment was this clOrdId (a duplicate is > 1). */
  executions(clOrdId: string): number {
    return this.#state.executions.get(clOrdId) ?? 0;
  }

  /** SYMBOL_TRADE_TICK_VALUE: one tick's value for one lot in the account currency (0 without a rate). */
  tickValue(symbol: string): number {
    return tickValue(this.#state, symbol);
  }

  /** OrderCalcMargin. */
  calcMargin(symbol: string, orderType: 'BUY' | 'SELL', volume: number, price: number): Result<number> {
    return calcMargin(this.#state, symbol, orderType, volume, price);
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
    for (const o of this.#state.historyOrders) {
      if (o.timeSetupMsc >= sinceMs && o.comment === clOrdId) orderSet.add(o.ticket);
    }
    const window = this.#state.deals.filter((d) => d.timeMsc >= sinceMs);
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
      return execute(this.#state, validate(this.#state, params, filling, true));
    } catch (error) {
      if (error instanceof Reject) return answer(this.#state, error.retcode, params);
      throw error;
    }
  }

  /** An answer the terminal gives itself, nothing sent to the trade server (e.g. no filling mode to send with). */
  refuseLocally(params: TradeParams, retcode: number, message: string): EngineResult {
    return answer(this.#state, retcode, params, { message });
  }

  /** OrderCheck: the same validation, nothing executed; retcode 0 when it would pass. */
  check(params: TradeParams, filling: FillingMode | undefined): CheckResultWire {
    const state = this.#state;
    const before = accountFigures(state);
    let retcode = 0;
    let marginNext = before.margin;
    try {
      validate(state, params, filling, false);
      marginNext = marginAfter(state, params);
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      retcode = error.retcode;
    }
    const marginFree = roundMoney(before.equity - marginNext, state.digits);
    return {
      retcode,
      message: retcode === 0 ? 'Done' : retcodeInfo(retcode).message,
      balance: before.balance,
      equity: before.equity,
      profit: before.profit,
      margin: marginNext,
      marginFree,
      marginLevel: marginNext > 0 ? toDecimals((before.equity / marginNext) * 100, 2) : 0,
    };
  }
}
