import type { Position } from '../../../src-core/contracts/ipc';
import type { TradeRuleView } from '../../../src-core/contracts/ipc-trade-rules';
import type { ExecutionResult, ModifyPosition } from '../../../src-core/contracts/orders';
import type { Clock } from '../../../src-core/clock';
import type { Logger } from '../../../src-core/logger';
import { appError, err, ok, type Result } from '../../../src-core/result';
import { decideStop, type StopRule } from '../../../src-core/trading/stop-rules';
import type { Quote, SymbolSpec } from '../../../src-core/trading/symbol-spec';
import type { RuleStore } from './rule-store';

/** Refusals in a row after which a rule pauses until the trader saves it again (no refusal loop). */
export const MAX_REFUSALS_IN_A_ROW = 3;

/** Failures that say nothing about the level asked for: nothing is remembered, the next tick may try again. */
const TRANSIENT_CODES = new Set(['NOT_CONNECTED', 'TERMINAL_TIMEOUT', 'NO_QUOTE', 'MARKET_CLOSED']);

/** What the manager needs from the market port (src-main/app/bridge-market.ts) of the active terminal. */
export interface TradeRulesMarket {
  activeKey(): string | undefined;
  positions(): Promise<Result<readonly Position[]>>;
  spec(symbol: string): Promise<Result<SymbolSpec>>;
  quotes(symbols: readonly string[]): Promise<Result<readonly Quote[]>>;
  /** Keeps the terminal sending ticks of these symbols. */
  subscribe(symbols: readonly string[]): Promise<Result<readonly string[]>>;
}

/** Options of {@link TradeManager}. */
export interface TradeManagerDeps {
  readonly store: RuleStore;
  readonly market: TradeRulesMarket;
  /** The executor's `modifyPosition`: every stop change is a normal journalled SLTP modify. */
  readonly modify: (input: ModifyPosition) => Promise<ExecutionResult>;
  readonly clock: Clock;
  readonly logger: Logger;
}

const keyOf = (account: string, ticket: string): string => `${account}\n${ticket}`;

/**
 * Runs trailing stop and break-even rules in the app (docs/trade-management.md): on every tick of a symbol with
 * rules it asks the pure {@link decideStop} where the stop should be and, when it should move, sends one SL
 * modify through the executor (journalled, its own client order id, a request key per level so a repeat is
 * answered from the journal). One modify in flight per position; a refused level is remembered and never asked
 * again; {@link MAX_REFUSALS_IN_A_ROW} refusals pause the rule. Rules are kept in SQLite and re-armed on start;
 * a rule whose position is no longer open on its account is dropped.
 */
export class TradeManager {
  readonly #d: TradeManagerDeps;
  readonly #rules = new Map<string, TradeRuleView>();
  readonly #listeners = new Set<(rules: readonly TradeRuleView[]) => void>();
  readonly #quotes = new Map<string, Quote>();
  readonly #specs = new Map<string, SymbolSpec>();
  readonly #inFlight = new Set<string>();
  readonly #tasks = new Set<Promise<void>>();
  #positions = new Map<string, Position>();
  #positionsAccount: string | undefined;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #isClosed = false;

  constructor(deps: TradeManagerDeps) {
    this.#d = deps;
    for (const r of deps.store.load()) this.#rules.set(keyOf(r.account, r.ticket), r);
  }

  /** Every rule, of every account (a rule of an account not active now waits for it). */
  list(): TradeRuleView[] {
    return [...this.#rules.values()];
  }

  /** Every change of the list (set, removed, moved, refused, dropped). Returns unsubscribe. */
  onChanged(listener: (rules: readonly TradeRuleView[]) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Sets or replaces (and re-arms) the rule of an open position of the active account. */
  async set(ticket: string, rule: StopRule): Promise<Result<TradeRuleView>> {
    const account = this.#d.market.activeKey();
    if (account === undefined) {
      return err(appError('NOT_CONNECTED', 'No MetaTrader 5 terminal is connected.'));
    }
    const listed = await this.#d.market.positions();
    if (!listed.ok) return listed;
    const p = listed.value.find((x) => x.ticket === ticket);
    if (p === undefined) return err(appError('TICKET_NOT_FOUND', `Position #${ticket} is not open.`));
    const spec = await this.#spec(p.symbol);
    if (!spec.ok) return spec;
    if (this.#d.market.activeKey() !== account) {
      return err(appError('NOT_CONNECTED', 'The terminal changed while the rule was being set; try again.'));
    }
    this.#takePositions(account, listed.value);
    const key = keyOf(account, ticket);
    const view: TradeRuleView = {
      ticket,
      account,
      symbol: p.symbol,
      side: p.side,
      rule,
      status: 'armed',
      note: null,
      lastTriedSl: null,
      moves: this.#rules.get(key)?.moves ?? 0,
      refusals: 0,
      updatedAtMs: this.#d.clock.now(),
    };
    this.#put(view);
    this.#d.logger.info('trade rules: set', { account, ticket, symbol: p.symbol, rule });
    await this.#watch([p.symbol]);
    this.#evaluate(key);
    return ok(this.#rules.get(key) ?? view);
  }

  /** Removes the rule of a position of the active account; the stop stays where it is. */
  remove(ticket: string): Result<TradeRuleView[]> {
    const account = this.#d.market.activeKey();
    if (account === undefined) {
      return err(appError('NOT_CONNECTED', 'No MetaTrader 5 terminal is connected.'));
    }
    if (this.#rules.has(keyOf(account, ticket))) {
      this.#drop(account, ticket, 'removed by the trader');
    }
    return ok(this.list());
  }

  /** A tick from a terminal: rules of that symbol on that account are checked. */
  onQuote(quote: Quote, account: string): void {
    if (this.#isClosed || account !== this.#d.market.activeKey()) return;
    this.#quotes.set(quote.symbol, quote);
    // Another account became the active one (the trader switched terminals): read its positions first.
    if (account !== this.#positionsAccount) {
      if (this.list().some((r) => r.account === account)) void this.refresh();
      return;
    }
    for (const [key, r] of this.#rules) {
      if (r.account === account && r.symbol === quote.symbol) this.#evaluate(key);
    }
  }

  /**
   * Re-reads the active account's positions (a terminal connected, a trade happened): drops rules whose position
   * is gone, subscribes the rules' symbols, checks every rule. Coalesced: one read at a time, one more queued.
   */
  refresh(): Promise<void> {
    if (this.#refreshing !== null) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        // A refresh asked for while one runs (a second transaction) is served by one more pass.
        do {
          this.#refreshAgain = false;
          await this.#refreshOnce();
        } while (this.#isRefreshWanted());
      } catch (error) {
        this.#d.logger.error('trade rules: refresh failed', { error });
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  /** Resolves once no refresh and no stop change is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#refreshing !== null || this.#tasks.size > 0) {
      await Promise.all([this.#refreshing, ...this.#tasks]);
    }
  }

  /** Stops reacting to ticks; changes in flight finish (they are journalled by the executor). */
  close(): void {
    this.#isClosed = true;
    this.#listeners.clear();
  }

  #isRefreshWanted(): boolean {
    return this.#refreshAgain && !this.#isClosed;
  }

  async #refreshOnce(): Promise<void> {
    const account = this.#d.market.activeKey();
    if (account === undefined || this.#isClosed) return;
    const listed = await this.#d.market.positions();
    if (!listed.ok || this.#d.market.activeKey() !== account) return;
    this.#takePositions(account, listed.value);
    const symbols = new Set<string>();
    for (const r of this.list()) {
      if (r.account !== account) continue;
      const p = this.#positions.get(r.ticket);
      if (p === undefined || p.side !== r.side || p.symbol !== r.symbol) {
        this.#drop(account, r.ticket, 'the position is no longer open');
      } else {
        symbols.add(r.symbol);
      }
    }
    if (symbols.size === 0) return;
    await this.#watch([...symbols]);
    for (const [key, r] of this.#rules) if (r.account === account) this.#evaluate(key);
  }

  #takePositions(account: string, positions: readonly Position[]): void {
    this.#positions = new Map(positions.map((p) => [p.ticket, p]));
    this.#positionsAccount = account;
  }

  /** Subscribes the symbols and loads their specs and a first quote, so the rules can act before the next tick. */
  async #watch(symbols: readonly string[]): Promise<void> {
    const sub = await this.#d.market.subscribe(symbols);
    if (!sub.ok) this.#d.logger.warn('trade rules: subscribe failed', { symbols, code: sub.error.code });
    for (const s of symbols) await this.#spec(s);
    const missing = symbols.filter((s) => !this.#quotes.has(s));
    if (missing.length === 0) return;
    const q = await this.#d.market.quotes(missing);
    if (q.ok) for (const quote of q.value) this.#quotes.set(quote.symbol, quote);
  }

  async #spec(symbol: string): Promise<Result<SymbolSpec>> {
    const known = this.#specs.get(symbol);
    if (known !== undefined) return ok(known);
    const r = await this.#d.market.spec(symbol);
    if (r.ok) this.#specs.set(symbol, r.value);
    return r;
  }

  #evaluate(key: string): void {
    const r = this.#rules.get(key);
    if (r === undefined || r.status !== 'armed' || this.#inFlight.has(key) || this.#isClosed) return;
    if (r.account !== this.#positionsAccount || r.account !== this.#d.market.activeKey()) return;
    const p = this.#positions.get(r.ticket);
    const spec = this.#specs.get(r.symbol);
    const q = this.#quotes.get(r.symbol);
    if (p === undefined || spec === undefined || q === undefined) return;
    const decision = decideStop({
      side: p.side,
      priceOpen: p.priceOpen,
      sl: p.sl,
      tp: p.tp,
      bid: q.bid,
      ask: q.ask,
      spec,
      rule: r.rule,
      lastTriedSl: r.lastTriedSl,
    });
    if (decision.kind === 'hold') return;
    this.#inFlight.add(key);
    const task = this.#send(key, r, spec, decision.sl, decision.reason)
      .catch((error: unknown) => {
        this.#d.logger.error('trade rules: stop change failed', { error, ticket: r.ticket });
      })
      .finally(() => {
        this.#inFlight.delete(key);
        this.#tasks.delete(task);
        // The market may have moved on while the modify ran.
        this.#evaluate(key);
      });
    this.#tasks.add(task);
  }

  async #send(
    key: string,
    r: TradeRuleView,
    spec: SymbolSpec,
    sl: number,
    reason: 'trailing' | 'break_even',
  ): Promise<void> {
    const level = sl.toFixed(spec.digits);
    this.#d.logger.info('trade rules: moving the stop', { ticket: r.ticket, sl, reason });
    // One request key per position and level: asking for the same level again (a restart before the answer was
    // recorded) is answered from the journal instead of being sent twice.
    const result = await this.#d.modify({
      ticket: r.ticket,
      sl: { price: sl },
      requestKey: `rule:${r.ticket}:${level}`,
    });
    const current = this.#rules.get(key);
    if (current === undefined) return;
    const now = this.#d.clock.now();
    if (result.ok) {
      const p = this.#positions.get(r.ticket);
      if (p !== undefined && this.#positionsAccount === r.account)
        this.#positions.set(r.ticket, { ...p, sl });
      const what = reason === 'trailing' ? 'Trailed the SL' : 'Break-even: moved the SL';
      this.#put({
        ...current,
        note: `${what} to ${level}.`,
        lastTriedSl: null,
        refusals: 0,
        moves: current.moves + 1,
        updatedAtMs: now,
      });
      return;
    }
    if (result.code === 'TICKET_NOT_FOUND') {
      this.#drop(r.account, r.ticket, 'the position is no longer open');
      return;
    }
    if (TRANSIENT_CODES.has(result.code)) {
      this.#put({
        ...current,
        note: `Could not move the SL to ${level} now: ${result.message}`,
        updatedAtMs: now,
      });
      return;
    }
    if (result.code === 'OUTCOME_UNKNOWN') {
      this.#put({
        ...current,
        lastTriedSl: sl,
        note: `Moving the SL to ${level} is not confirmed yet; Pipdesk is checking with the terminal.`,
        updatedAtMs: now,
      });
      return;
    }
    const refusals = current.refusals + 1;
    const isPaused = refusals >= MAX_REFUSALS_IN_A_ROW;
    const words =
      result.retcode === undefined ? result.message : `${result.message} (retcode ${result.retcode})`;
    this.#d.logger.warn('trade rules: stop change refused', {
      ticket: r.ticket,
      sl,
      code: result.code,
      refusals,
    });
    this.#put({
      ...current,
      status: isPaused ? 'paused' : 'armed',
      lastTriedSl: sl,
      refusals,
      note: isPaused
        ? `Paused after ${refusals} refusals in a row; the last: ${words} Save the rule again to re-arm it.`
        : `Moving the SL to ${level} was refused: ${words}`,
      updatedAtMs: now,
    });
  }

  #put(view: TradeRuleView): void {
    this.#d.store.save(view);
    this.#rules.set(keyOf(view.account, view.ticket), view);
    this.#announce();
  }

  #drop(account: string, ticket: string, why: string): void {
    this.#d.store.remove(account, ticket);
    this.#rules.delete(keyOf(account, ticket));
    this.#d.logger.info('trade rules: rule dropped', { account, ticket, why });
    this.#announce();
  }

  #announce(): void {
    const rules = this.list();
    for (const listener of this.#listeners) {
      try {
        listener(rules);
      } catch (error) {
        this.#d.logger.error('trade rules: listener failed', { error });
      }
    }
  }
}
