import type {
  LookupResult,
  TradeResult,
  WireAccount,
  WireDeal,
  WireOrder,
  WirePosition,
  WireSymbolSpec,
} from '../../../src-bridge/protocol/messages';
import type { Result } from '../../../src-core/result';
import { err, ok } from '../../../src-core/result';
import { retcodeInfo } from '../../../src-core/trading/retcodes';
import { findCatalogSymbol, CATALOG_MID_PRICES } from '../../../src-core/trading/catalog';
import {
  CALC_MODE_VALUE,
  EXECUTION_MODE_VALUE,
  TRADE_MODE_VALUE,
  type SymbolSpec,
} from '../../../src-core/trading/symbol-spec';
import { Emitter } from '../../../src-core/emitter';
import type { BridgeFailure, LookupOptions, OrderSendParams, TradingBridge } from '../trading-bridge';

/** What the fake does with the next order_send. */
export type SendScript =
  | { readonly kind: 'execute' }
  | { readonly kind: 'retcode'; readonly retcode: number }
  | { readonly kind: 'fail'; readonly failure: BridgeFailure; readonly execute: boolean };

/** A wire spec from a catalog spec, as a terminal would report it. */
export function wireSpecOf(spec: SymbolSpec, sessionOpen = true): WireSymbolSpec {
  return {
    name: spec.name,
    description: spec.description,
    digits: spec.digits,
    point: spec.point,
    tickSize: spec.tickSize,
    tickValue: spec.tickValue ?? 1,
    contractSize: spec.contractSize,
    volumeMin: spec.volumeMin,
    volumeMax: spec.volumeMax,
    volumeStep: spec.volumeStep,
    volumeLimit: 0,
    currencyBase: spec.currencyBase,
    currencyProfit: spec.currencyProfit,
    currencyMargin: spec.currencyMargin,
    calcMode: CALC_MODE_VALUE[spec.calcMode],
    marginInitial: 0,
    marginRate: spec.marginRate,
    tradeMode: TRADE_MODE_VALUE[spec.tradeMode],
    executionMode: EXECUTION_MODE_VALUE[spec.executionMode],
    fillingFlags: spec.fillingFlags,
    expirationFlags: spec.expirationFlags,
    orderFlags: spec.orderFlags,
    stopsLevel: spec.stopsLevel,
    freezeLevel: spec.freezeLevel,
    spread: spec.spreadPoints ?? 0,
    bid: 0,
    ask: 0,
    sessionOpen,
  };
}

/**
 * An in-memory stand-in for the terminal, for unit tests of the executor's logic: a tiny trade server (open, close,
 * pending, modify, remove), a dedup table, scripted faults, and call counters. Integration tests use the real
 * simulator over a socket instead.
 */
export class FakeTradingBridge implements TradingBridge {
  /** Whether the active session is open. */
  connected = true;
  /** login@server of the active session. */
  activeAccountKey = '1001@Fake';
  /** Other open sessions (login@server); they hold no positions, orders or history. */
  readonly otherSessions = new Set<string>();
  /** The account whose trade server this fake models; any other account's answers are empty. */
  stateOwner = '1001@Fake';
  /** Every lookup asked, with the account it was addressed to (undefined: the active one). */
  readonly lookupCalls: { clOrdId: string; account: string | undefined; sinceMs: number | undefined }[] = [];
  /** Account of every order_send (undefined: the active one). */
  readonly sentTo: (string | undefined)[] = [];
  readonly accountInfo: WireAccount = {
    login: '1001',
    server: 'Fake',
    currency: 'USD',
    currencyDigits: 2,
    leverage: 100,
    marginMode: 'hedging',
    tradeMode: 'demo',
    balance: 10_000,
    credit: 0,
    profit: 0,
    equity: 10_000,
    margin: 0,
    marginFree: 10_000,
    marginLevel: 0,
    marginSoMode: 'percent',
    marginSoCall: 50,
    marginSoSo: 30,
    tradeAllowed: true,
    tradeExpert: true,
    limitOrders: 0,
    fifoClose: false,
  };
  readonly specs = new Map<string, WireSymbolSpec>();
  readonly quotes = new Map<string, { bid: number; ask: number }>();
  positionList: WirePosition[] = [];
  orderList: WireOrder[] = [];
  readonly deals: WireDeal[] = [];
  readonly sent: OrderSendParams[] = [];
  readonly script: SendScript[] = [];
  readonly dedup = new Map<string, TradeResult>();
  lookups = 0;
  lookupFailure: BridgeFailure | null = null;
  /** When set, order_send waits for it before executing (an OrderSend still in progress). */
  sendGate: Promise<void> | null = null;
  /** Called inside orderSend before anything happens (to observe the journal at that moment). */
  onSend: ((params: OrderSendParams) => void) | null = null;
  marginPerLot = 1_000;
  #ticket = 5_000_000;
  readonly #ready = new Emitter<[string]>((error) => {
    // A test's listener threw: surface it as an uncaught error so the test fails instead of hiding it.
    queueMicrotask(() => {
      throw error;
    });
  });

  constructor(symbols: readonly string[] = ['EURUSD', 'XAUUSD', 'USDJPY']) {
    for (const name of symbols) {
      const spec = findCatalogSymbol(name);
      if (spec === undefined) throw new Error(`no catalog symbol ${name}`);
      this.specs.set(name, wireSpecOf(spec));
      const mid = CATALOG_MID_PRICES[name] ?? 1;
      const half = ((spec.spreadPoints ?? 10) * spec.point) / 2;
      this.quotes.set(name, {
        bid: Number((mid - half).toFixed(spec.digits)),
        ask: Number((mid + half).toFixed(spec.digits)),
      });
    }
  }

  fireSessionReady(account: string = this.activeAccountKey): void {
    this.#ready.emit(account);
  }

  #guard(account?: string): BridgeFailure | null {
    return this.isConnected(account) ? null : { kind: 'not_connected', message: 'no session' };
  }

  /** Whether `account` (default the active one) is the account this fake's trade state belongs to. */
  #owns(account?: string): boolean {
    return (account ?? this.activeAccountKey) === this.stateOwner;
  }

  /** Connection generation per account: a dropped link and its reconnect is a new session. */
  readonly #generation = new Map<string, number>();

  /** The link of `account` (default the active one) dropped and came back: a new session id. */
  reconnect(account: string = this.activeAccountKey): void {
    this.#generation.set(account, (this.#generation.get(account) ?? 0) + 1);
  }

  sessionId(account?: string): string | undefined {
    const key = account ?? this.activeAccountKey;
    return this.isConnected(account) ? `${key}#${this.#generation.get(key) ?? 0}` : undefined;
  }

  isConnected(account?: string): boolean {
    if (account === undefined || account === this.activeAccountKey) return this.connected;
    return this.otherSessions.has(account);
  }

  activeAccount(): string | undefined {
    return this.connected ? this.activeAccountKey : undefined;
  }

  account(): Promise<Result<WireAccount, BridgeFailure>> {
    const g = this.#guard();
    return Promise.resolve(g === null ? ok({ ...this.accountInfo }) : err(g));
  }

  symbolSpec(symbol: string): Promise<Result<WireSymbolSpec, BridgeFailure>> {
    const g = this.#guard();
    if (g !== null) return Promise.resolve(err(g));
    const s = this.specs.get(symbol);
    return Promise.resolve(
      s === undefined ? err({ kind: 'ea_error', message: symbol, eaCode: 'UNKNOWN_SYMBOL' }) : ok({ ...s }),
    );
  }

  quote(
    symbol: string,
  ): Promise<Result<{ symbol: string; bid: number; ask: number; timeMsc: number }, BridgeFailure>> {
    const g = this.#guard();
    if (g !== null) return Promise.resolve(err(g));
    const q = this.quotes.get(symbol);
    return Promise.resolve(
      q === undefined
        ? err({ kind: 'ea_error', message: symbol, eaCode: 'UNKNOWN_SYMBOL' })
        : ok({ symbol, bid: q.bid, ask: q.ask, timeMsc: Date.now() }),
    );
  }

  positions(symbol?: string, account?: string): Promise<Result<readonly WirePosition[], BridgeFailure>> {
    const g = this.#guard(account);
    if (g !== null) return Promise.resolve(err(g));
    if (!this.#owns(account)) return Promise.resolve(ok([]));
    return Promise.resolve(ok(this.positionList.filter((p) => symbol === undefined || p.symbol === symbol)));
  }

  orders(symbol?: string, account?: string): Promise<Result<readonly WireOrder[], BridgeFailure>> {
    const g = this.#guard(account);
    if (g !== null) return Promise.resolve(err(g));
    if (!this.#owns(account)) return Promise.resolve(ok([]));
    return Promise.resolve(ok(this.orderList.filter((o) => symbol === undefined || o.symbol === symbol)));
  }

  calcMargin(params: { volume: number }): Promise<Result<number, BridgeFailure>> {
    const g = this.#guard();
    return Promise.resolve(g === null ? ok(params.volume * this.marginPerLot) : err(g));
  }

  async orderSend(
    params: OrderSendParams,
    _deadlineMs?: number,
    account?: string,
  ): Promise<Result<TradeResult, BridgeFailure>> {
    const g = this.#guard(account);
    if (g !== null) return err(g);
    this.sentTo.push(account);
    this.onSend?.(params);
    if (this.sendGate !== null) await this.sendGate;
    this.sent.push(params);
    await Promise.resolve();
    const known = this.dedup.get(params.clOrdId);
    if (known !== undefined) return ok({ ...known, duplicate: true });
    const step = this.script.shift() ?? { kind: 'execute' };
    if (step.kind === 'fail') {
      if (step.execute) this.dedup.set(params.clOrdId, this.#execute(params));
      // A link that dropped comes back as a new session (a timeout leaves the same one).
      if (step.failure.kind === 'disconnected') this.reconnect(account);
      return err(step.failure);
    }
    const result = step.kind === 'retcode' ? this.#result(step.retcode) : this.#execute(params);
    this.dedup.set(params.clOrdId, result);
    return ok(result);
  }

  lookup(
    clOrdId: string,
    _deadlineMs?: number,
    options?: LookupOptions,
  ): Promise<Result<LookupResult, BridgeFailure>> {
    this.lookups += 1;
    this.lookupCalls.push({ clOrdId, account: options?.account, sinceMs: options?.sinceMs });
    const g = this.#guard(options?.account);
    if (g !== null) return Promise.resolve(err(g));
    if (this.lookupFailure !== null) return Promise.resolve(err(this.lookupFailure));
    if (!this.#owns(options?.account)) {
      return Promise.resolve(ok({ clOrdId, found: false, positions: [], orders: [], deals: [] }));
    }
    const positions = this.positionList.filter((p) => p.comment === clOrdId);
    const orders = this.orderList.filter((o) => o.comment === clOrdId);
    // As the EA: the id's own deals, plus every deal of a position the id touched.
    const touched = new Set(this.deals.filter((d) => d.comment === clOrdId).map((d) => d.positionId));
    for (const p of positions) touched.add(p.identifier);
    const deals = this.deals.filter((d) => d.comment === clOrdId || touched.has(d.positionId));
    const last = this.dedup.get(clOrdId);
    const found = positions.length + orders.length + deals.length > 0 || last !== undefined;
    return Promise.resolve(
      ok({ clOrdId, found, positions, orders, deals, ...(last === undefined ? {} : { lastResult: last }) }),
    );
  }

  onSessionReady(listener: (account: string) => void): () => void {
    return this.#ready.on((account) => {
      listener(account);
    });
  }

  /** Forgets the dedup table, as an EA restart does. */
  restartEa(): void {
    this.dedup.clear();
  }

  #result(retcode: number, extra: Partial<TradeResult> = {}): TradeResult {
    return {
      retcode,
      message: retcodeInfo(retcode).message,
      order: '0',
      deal: '0',
      volume: 0,
      price: 0,
      bid: 0,
      ask: 0,
      requestId: 1,
      retcodeExternal: 0,
      duplicate: false,
      outcome: retcodeInfo(retcode).outcome,
      ...extra,
    };
  }

  #next(): string {
    this.#ticket += 1;
    return String(this.#ticket);
  }

  #execute(p: OrderSendParams): TradeResult {
    switch (p.action) {
      case 'DEAL': {
        const q = this.quotes.get(p.symbol) ?? { bid: 1, ask: 1 };
        const price = p.orderType === 'BUY' ? q.ask : q.bid;
        const order = this.#next();
        const deal = this.#next();
        if (p.position !== undefined) {
          const pos = this.positionList.find((x) => x.ticket === p.position);
          if (pos === undefined) return this.#result(10036);
          pos.volume = Number((pos.volume - p.volume).toFixed(8));
          if (pos.volume <= 1e-9) this.positionList = this.positionList.filter((x) => x !== pos);
          this.deals.push(
            this.#deal(deal, order, pos.ticket, p.symbol, p.orderType, 1, p.volume, price, p.clOrdId),
          );
        } else {
          this.positionList.push({
            ticket: order,
            identifier: order,
            symbol: p.symbol,
            type: p.orderType === 'BUY' ? 0 : 1,
            volume: p.volume,
            priceOpen: price,
            priceCurrent: price,
            sl: p.sl ?? 0,
            tp: p.tp ?? 0,
            profit: 0,
            swap: 0,
            magic: p.magic,
            comment: p.clOrdId,
            timeMsc: Date.now(),
            timeUpdateMsc: Date.now(),
          });
          this.deals.push(
            this.#deal(deal, order, order, p.symbol, p.orderType, 0, p.volume, price, p.clOrdId),
          );
        }
        return this.#result(10009, { order, deal, volume: p.volume, price, bid: q.bid, ask: q.ask });
      }
      case 'PENDING': {
        const order = this.#next();
        const types: Record<string, number> = { BUY_LIMIT: 2, SELL_LIMIT: 3, BUY_STOP: 4, SELL_STOP: 5 };
        this.orderList.push({
          ticket: order,
          symbol: p.symbol,
          type: types[p.orderType] ?? 2,
          state: 1,
          volumeInitial: p.volume,
          volumeCurrent: p.volume,
          priceOpen: p.price,
          priceStopLimit: 0,
          priceCurrent: p.price,
          sl: p.sl ?? 0,
          tp: p.tp ?? 0,
          typeTime: 0,
          expirationMs: p.expiration ?? 0,
          typeFilling: 2,
          positionId: '0',
          magic: p.magic,
          comment: p.clOrdId,
          timeSetupMsc: Date.now(),
        });
        return this.#result(10008, { order, volume: p.volume, price: p.price });
      }
      case 'SLTP': {
        const pos = this.positionList.find((x) => x.ticket === p.position);
        if (pos === undefined) return this.#result(10036);
        pos.sl = p.sl;
        pos.tp = p.tp;
        return this.#result(10009);
      }
      case 'MODIFY': {
        const o = this.orderList.find((x) => x.ticket === p.order);
        if (o === undefined) return this.#result(10013);
        o.priceOpen = p.price;
        o.sl = p.sl;
        o.tp = p.tp;
        return this.#result(10009, { order: o.ticket });
      }
      case 'REMOVE': {
        const before = this.orderList.length;
        this.orderList = this.orderList.filter((x) => x.ticket !== p.order);
        return this.#result(before === this.orderList.length ? 10013 : 10009, { order: p.order });
      }
      case 'CLOSE_BY':
        return this.#result(10013);
    }
  }

  #deal(
    ticket: string,
    order: string,
    positionId: string,
    symbol: string,
    side: 'BUY' | 'SELL',
    entry: number,
    volume: number,
    price: number,
    comment: string,
  ): WireDeal {
    return {
      ticket,
      order,
      positionId,
      symbol,
      type: side === 'BUY' ? 0 : 1,
      entry,
      reason: 3,
      volume,
      price,
      profit: 0,
      swap: 0,
      commission: 0,
      magic: '0',
      comment,
      timeMsc: Date.now(),
    };
  }
}
