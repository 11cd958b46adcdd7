import { systemClock, type Clock } from '../../src-core/clock';
import { Emitter } from '../../src-core/emitter';
import type { Rates } from '../../src-core/trading/conversion';
import { normalizePrice } from '../../src-core/trading/numbers';
import { TRADE_RETCODE } from '../../src-core/trading/retcodes';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import { DEAL_ENTRY, DEAL_REASON, DEAL_TYPE, TXN_TYPE } from '../protocol/enums';
import type {
  AccountTradeMode,
  ParamsOf,
  TxnEvent,
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

/** Options of the trade server. */
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
  /**
   * Every fill at market slips by this many points against the trader (a buy deal higher, a sell deal lower):
   * market orders and closes on Market/Exchange execution, stop orders and stop losses when they trigger, stop-outs.
   * Never limit orders or take-profits, which fill at their price. Default 0 (the paper account's slippage model).
   */
  readonly adverseSlippagePoints?: number;
  readonly schedule?: MarketSchedule;
  /** Book and history to start from instead of a fresh account with its initial deposit (a saved paper account). */
  readonly restore?: TradeSnapshot;
  /**
   * Commission per lot per side in the account currency (a Raw Spread or ECN account; 0 by default). Charged on
   * every trade deal, entry and exit alike, as a negative DEAL_COMMISSION booked into the balance at once.
   */
  readonly commissionPerLotPerSide?: number;
}

/**
 * What a trade server must keep to carry on after a restart: the balance, the book (positions, working orders),
 * history (orders, deals) and the next tickets, so restored tickets never repeat. Quotes and switches are not kept:
 * they come from the live feed and the defaults.
 */
export interface TradeSnapshot {
  readonly balance: number;
  readonly positions: readonly WirePosition[];
  readonly orders: readonly WireOrder[];
  readonly historyOrders: readonly WireOrder[];
  readonly deals: readonly WireDeal[];
  readonly nextOrderTicket: number;
  readonly nextDealTicket: number;
}

/** One symbol's specification and its last quote. */
export interface SymbolState {
  spec: SymbolSpec;
  bid: number;
  ask: number;
  timeMsc: number;
  marketOverride: boolean | undefined;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** An open position as the server holds it (the wire shape, mutable). */
export type Position = Mutable<WirePosition>;
/** A working or historical order as the server holds it (the wire shape, mutable). */
export type Order = Mutable<WireOrder>;

/** A validation failure carrying its retcode; thrown by validation only and always caught by the server. */
export class Reject extends Error {
  constructor(readonly retcode: number) {
    super(`retcode ${retcode}`);
  }
}

/** Rejects with a retcode from inside validation; caught in `send`/`check`. */
export function reject(retcode: number): never {
  throw new Reject(retcode);
}

/**
 * Everything the simulated trade server holds: the account, symbols and quotes, the book (positions, working
 * orders), history (orders, deals) and the switches tests flip. Validation reads it; execution, triggers and
 * accounting change it. Its life is the server's, which outlives terminal connections, like a broker's.
 */
export class TradeState {
  readonly account: Mutable<SimAccountConfig> & { balance: number };
  readonly symbols = new Map<string, SymbolState>();
  readonly positions = new Map<string, Position>();
  readonly orders = new Map<string, Order>();
  readonly historyOrders: Order[] = [];
  readonly deals: WireDeal[] = [];
  /** How many times a request carrying each clOrdId executed (a duplicate is > 1). */
  readonly executions = new Map<string, number>();
  readonly txns = new Emitter<[TxnEvent]>(() => undefined);
  readonly clock: Clock;
  readonly random: () => number;
  readonly schedule: MarketSchedule;
  requoteRate: number;
  slippagePoints: number;
  adverseSlippagePoints: number;
  commissionPerLotPerSide: number;
  isAutotrading = true;
  isTradeExpert = true;
  isAccountTradeAllowed = true;
  /** Exchange rates from the current quotes; dropped whenever a quote changes (see accounting's `rates`). */
  ratesCache: Rates | undefined;
  #nextOrder = 5_000_001;
  #nextDeal = 8_000_001;

  constructor(options: TradeServerOptions) {
    this.account = { ...options.account };
    for (const spec of options.symbols) {
      this.symbols.set(spec.name, { spec, bid: 0, ask: 0, timeMsc: 0, marketOverride: undefined });
    }
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.schedule = options.schedule ?? alwaysOpen;
    this.requoteRate = options.requoteRate ?? 0;
    this.slippagePoints = options.slippagePoints ?? 0;
    this.adverseSlippagePoints = options.adverseSlippagePoints ?? 0;
    this.commissionPerLotPerSide = options.commissionPerLotPerSide ?? 0;
  }

  /** The account currency's decimals. */
  get digits(): number {
    return this.account.currencyDigits ?? 2;
  }

  get isHedging(): boolean {
    return this.account.marginMode === 'hedging';
  }

  /** The next order and deal tickets (for a snapshot). */
  get ticketCounters(): { readonly order: number; readonly deal: number } {
    return { order: this.#nextOrder, deal: this.#nextDeal };
  }

  /** Replaces the book and history with a snapshot's (the server's state after a restart). */
  restore(snapshot: TradeSnapshot): void {
    this.account.balance = snapshot.balance;
    this.positions.clear();
    for (const p of snapshot.positions) this.positions.set(p.ticket, { ...p });
    this.orders.clear();
    for (const o of snapshot.orders) this.orders.set(o.ticket, { ...o });
    this.historyOrders.splice(0, this.historyOrders.length, ...snapshot.historyOrders.map((o) => ({ ...o })));
    this.deals.splice(0, this.deals.length, ...snapshot.deals);
    this.#nextOrder = snapshot.nextOrderTicket;
    this.#nextDeal = snapshot.nextDealTicket;
  }

  nextOrderTicket(): string {
    return String(this.#nextOrder++);
  }

  nextDealTicket(): string {
    return String(this.#nextDeal++);
  }

  /** A symbol's state; an unknown symbol rejects the request (10013). */
  symbolOrReject(symbol: string): SymbolState {
    const s = this.symbols.get(symbol);
    if (s === undefined) return reject(TRADE_RETCODE.INVALID);
    return s;
  }

  /** Whether the symbol's market is open now (a forced state wins over the schedule). */
  isMarketOpen(symbol: string): boolean {
    const s = this.symbols.get(symbol);
    if (s === undefined) return false;
    return s.marketOverride ?? this.schedule(symbol, this.clock.now());
  }

  /** Price to open at: ask for buys, bid for sells. */
  openPrice(symbol: string, isBuy: boolean): number {
    const s = this.symbols.get(symbol);
    if (s === undefined) return 0;
    return isBuy ? s.ask : s.bid;
  }

  /**
   * The price a fill at market gets: `price` moved by the adverse slippage against the deal's side (a buy deal
   * higher, a sell deal lower), on the tick grid.
   */
  marketFill(symbol: string, price: number, isBuyDeal: boolean): number {
    const spec = this.symbols.get(symbol)?.spec;
    if (spec === undefined || this.adverseSlippagePoints <= 0) return price;
    const points = isBuyDeal ? this.adverseSlippagePoints : -this.adverseSlippagePoints;
    return normalizePrice(price + points * spec.point, spec.tickSize);
  }

  /** Price a position closes at: bid for buys, ask for sells. */
  closePrice(p: Pick<WirePosition, 'symbol' | 'type'>): number {
    return this.openPrice(p.symbol, p.type !== 0);
  }

  /** The netting position of a symbol (at most one), if any. */
  positionOfSymbol(symbol: string): Position | undefined {
    for (const p of this.positions.values()) if (p.symbol === symbol) return p;
    return undefined;
  }

  /** A balance-type deal stamped now, with a fresh ticket, for the caller to fill in. */
  blankDeal(): WireDeal {
    return {
      ticket: this.nextDealTicket(),
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
      timeMsc: this.clock.now(),
    };
  }

  countExecution(clOrdId: string): void {
    this.executions.set(clOrdId, (this.executions.get(clOrdId) ?? 0) + 1);
  }

  /** OnTradeTransaction's REQUEST transaction: the request's retcode and its comment (the clOrdId). */
  emitRequest(clOrdId: string, retcode: number, order: string, deal: string): void {
    this.emitTxn({ txnType: TXN_TYPE.REQUEST, order, deal, retcode, comment: clOrdId });
  }

  /** One trade transaction with the fields not given zeroed (as MqlTradeTransaction leaves them). */
  emitTxn(partial: Partial<Omit<TxnEvent, 'type'>> & { txnType: number }): void {
    if (this.txns.size === 0) return;
    this.txns.emit({
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

/** A position with nothing filled in yet. */
export function blankPosition(symbol: string): Position {
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
