import type { WireAccount, WireOrder, WirePosition } from '../../../src-bridge/protocol/messages';
import { toSymbolSpec } from '../../../src-bridge/protocol/enums';
import type { Result } from '../../../src-core/result';
import { err, ok } from '../../../src-core/result';
import type { Quote, Side, SymbolSpec } from '../../../src-core/trading/symbol-spec';
import type { Clock } from '../../../src-core/clock';
import type { TradingBridge } from '../trading-bridge';
import type { Refusal } from './context';
import { fromBridgeFailure, notConnected, refusal } from './refusals';

/** A symbol specification with whether its session is open now. */
export type LiveSpec = SymbolSpec & { sessionOpen: boolean };

/** The terminal's state a new order is planned from (see {@link MarketData.openingContext}). */
export interface OpeningContext {
  readonly spec: LiveSpec;
  readonly quote: Quote;
  readonly account: WireAccount;
  readonly positions: readonly WirePosition[];
}

export const sideOfPosition = (p: WirePosition): Side => (p.type === 0 ? 'buy' : 'sell');

/** 0 (MT5's "none") as null, for the journal. */
export const nz = (v: number): number | null => (v === 0 ? null : v);

/** The live data planners read from the active terminal, with a short-lived cache of symbol specifications. */
export class MarketData {
  readonly #bridge: TradingBridge;
  readonly #clock: Clock;
  readonly #specTtlMs: number;
  readonly #specs = new Map<string, { spec: LiveSpec; at: number }>();

  constructor(bridge: TradingBridge, clock: Clock, specTtlMs: number) {
    this.#bridge = bridge;
    this.#clock = clock;
    this.#specTtlMs = specTtlMs;
  }

  /** Forgets cached specifications (a new session may be a restarted terminal with other settings). */
  clear(): void {
    this.#specs.clear();
  }

  /** The last specification read for a symbol, however old (for wording only). */
  cachedSpec(symbol: string): SymbolSpec | undefined {
    return this.#specs.get(symbol)?.spec;
  }

  async spec(symbol: string): Promise<Result<LiveSpec, Refusal>> {
    const cached = this.#specs.get(symbol);
    const now = this.#clock.now();
    if (cached !== undefined && now - cached.at < this.#specTtlMs) return ok(cached.spec);
    const r = await this.#bridge.symbolSpec(symbol);
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the symbol'));
    const spec = toSymbolSpec(r.value);
    if (!spec.ok)
      return err(
        refusal('SYMBOL_NOT_FOUND', `${symbol} cannot be traded from Pipdesk: ${spec.error.message}.`),
      );
    const full = { ...spec.value, sessionOpen: r.value.sessionOpen };
    this.#specs.set(symbol, { spec: full, at: now });
    return ok(full);
  }

  async quote(symbol: string): Promise<Result<Quote, Refusal>> {
    const r = await this.#bridge.quote(symbol);
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the price'));
    const q = r.value;
    if (!(q.bid > 0) || !(q.ask > 0))
      return err(refusal('NO_QUOTE', `There is no price for ${symbol} right now; nothing was sent.`));
    return ok({ symbol: q.symbol, bid: q.bid, ask: q.ask, timeMs: q.timeMsc });
  }

  /** A symbol's specification and quote, read at once. */
  async specAndQuote(symbol: string): Promise<Result<{ spec: LiveSpec; quote: Quote }, Refusal>> {
    const [specR, quoteR] = await Promise.all([this.spec(symbol), this.quote(symbol)]);
    if (!specR.ok) return specR;
    if (!quoteR.ok) return quoteR;
    return ok({ spec: specR.value, quote: quoteR.value });
  }

  /**
   * What every new order (market or pending) is planned from, read from the terminal at once and refused in
   * MT5's order: the link, the symbol, the account, the positions, trading permissions, then the quote.
   */
  async openingContext(symbol: string): Promise<Result<OpeningContext, Refusal>> {
    if (!this.#bridge.isConnected()) return err(notConnected());
    const [specR, quoteR, accountR, positionsR] = await Promise.all([
      this.spec(symbol),
      this.quote(symbol),
      this.#bridge.account(),
      this.#bridge.positions(),
    ]);
    if (!specR.ok) return specR;
    if (!accountR.ok) return err(fromBridgeFailure(accountR.error, 'reading the account'));
    if (!positionsR.ok) return err(fromBridgeFailure(positionsR.error, 'reading the positions'));
    const gate = tradeGate(specR.value, accountR.value);
    if (!gate.ok) return gate;
    if (!quoteR.ok) return quoteR;
    return ok({
      spec: specR.value,
      quote: quoteR.value,
      account: accountR.value,
      positions: positionsR.value,
    });
  }

  async findPosition(ticket: string): Promise<Result<WirePosition, Refusal>> {
    if (!this.#bridge.isConnected()) return err(notConnected());
    const r = await this.#bridge.positions();
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the positions'));
    const p = r.value.find((x) => x.ticket === ticket);
    return p === undefined
      ? err(refusal('TICKET_NOT_FOUND', `Position #${ticket} is not open (any more).`))
      : ok(p);
  }

  async findOrder(ticket: string): Promise<Result<WireOrder, Refusal>> {
    if (!this.#bridge.isConnected()) return err(notConnected());
    const r = await this.#bridge.orders();
    if (!r.ok) return err(fromBridgeFailure(r.error, 'reading the pending orders'));
    const o = r.value.find((x) => x.ticket === ticket);
    return o === undefined
      ? err(refusal('TICKET_NOT_FOUND', `Pending order #${ticket} does not exist (any more).`))
      : ok(o);
  }
}

/** Trading permissions and the session, checked in MT5's order (permissions, trade mode, session). */
export function tradeGate(
  spec: LiveSpec,
  account: { tradeAllowed: boolean; tradeExpert: boolean },
): Result<true, Refusal> {
  if (!account.tradeAllowed) {
    return err(
      refusal(
        'TRADE_DISABLED',
        'This account cannot trade: MetaTrader 5 is logged in read-only (investor password) or trading is disabled for it.',
      ),
    );
  }
  if (!account.tradeExpert) {
    return err(refusal('TRADE_DISABLED', 'The broker does not allow automated trading on this account.'));
  }
  if (spec.tradeMode === 'DISABLED')
    return err(refusal('TRADE_DISABLED', `Trading is disabled for ${spec.name}.`));
  if (!spec.sessionOpen)
    return err(refusal('MARKET_CLOSED', `The market for ${spec.name} is closed right now.`));
  return ok(true);
}
