import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Position } from '../../../src-core/contracts/ipc';
import type { ExecutionResult, ModifyPosition } from '../../../src-core/contracts/orders';
import { createMemoryLogger } from '../../../src-core/logger';
import { ok } from '../../../src-core/result';
import { findCatalogSymbol } from '../../../src-core/trading/catalog';
import type { StopRule } from '../../../src-core/trading/stop-rules';
import type { Quote, SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { openDatabase, type Db } from '../database';
import { RuleStore } from './rule-store';
import { MAX_REFUSALS_IN_A_ROW, TradeManager, type TradeRulesMarket } from './trade-manager';

const ACCOUNT = '5001@Pipdesk-Sim';
const EURUSD = findCatalogSymbol('EURUSD') as SymbolSpec;
const TRAIL: StopRule = { unit: 'pips', trailing: { distance: 20, step: 5 }, breakEven: null };

const position = (over: Partial<Position> = {}): Position => ({
  ticket: '101',
  symbol: 'EURUSD',
  side: 'buy',
  volume: 0.1,
  priceOpen: 1.1,
  priceCurrent: 1.1,
  sl: null,
  tp: null,
  profit: 0,
  swap: 0,
  commission: 0,
  openTimeMs: 1,
  magic: '0',
  comment: '',
  clientOrderId: null,
  ...over,
});

const quote = (bid: number): Quote => ({ symbol: 'EURUSD', bid, ask: bid + 0.0001, timeMs: 1 });

/** A terminal's positions as the market port would read them, and what the executor answers to each modify. */
class Broker implements TradeRulesMarket {
  positionsNow: Position[] = [position()];
  active: string | undefined = ACCOUNT;
  readonly sent: ModifyPosition[] = [];
  answer: (input: ModifyPosition) => ExecutionResult = (input) => {
    const sl = input.sl?.valueOf() as { price: number };
    this.positionsNow = this.positionsNow.map((p) =>
      p.ticket === input.ticket ? { ...p, sl: sl.price } : p,
    );
    return {
      ok: true,
      clientOrderId: `P${this.sent.length}`,
      entryId: `e${this.sent.length}`,
      operation: 'modify_position',
      message: 'done',
      sl: sl.price,
    };
  };
  activeKey = (): string | undefined => this.active;
  positions = () => Promise.resolve(ok(this.positionsNow));
  spec = () => Promise.resolve(ok(EURUSD));
  quotes = () => Promise.resolve(ok([quote(1.1)]));
  subscribe = (symbols: readonly string[]) => Promise.resolve(ok(symbols));
  modify = (input: ModifyPosition): Promise<ExecutionResult> => {
    this.sent.push(input);
    return Promise.resolve(this.answer(input));
  };
}

const refusal10016: ExecutionResult = {
  ok: false,
  code: 'TRADE_REJECTED',
  message: 'Invalid stops.',
  retcode: 10016,
  operation: 'modify_position',
};

describe('TradeManager (rules in the app, stops through the executor)', () => {
  let dir: string;
  let db: Db;
  let broker: Broker;
  let now = 1_000;
  const start = (): TradeManager =>
    new TradeManager({
      store: new RuleStore(db, createMemoryLogger()),
      market: broker,
      modify: broker.modify,
      clock: { now: () => now },
      logger: createMemoryLogger(),
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipdesk-rules-'));
    db = openDatabase(join(dir, 'pipdesk.db'));
    broker = new Broker();
    now = 1_000;
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trails a buy as the bid rises, in steps, each one modify with its own request key', async () => {
    const m = start();
    expect((await m.set('101', TRAIL)).ok).toBe(true);
    for (const bid of [1.101, 1.102, 1.1022, 1.1026, 1.1031, 1.1012]) {
      m.onQuote(quote(bid), ACCOUNT);
      await m.idle();
    }
    expect(broker.sent.map((s) => s.sl)).toEqual([{ price: 1.1 }, { price: 1.1006 }, { price: 1.1011 }]);
    expect(broker.sent.map((s) => s.requestKey)).toEqual([
      'rule:101:1.10000',
      'rule:101:1.10060',
      'rule:101:1.10110',
    ]);
    expect(m.list()[0]).toMatchObject({ moves: 3, status: 'armed', note: 'Trailed the SL to 1.10110.' });
  });

  it('sends one modify at a time per position, then re-checks with the latest quote', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const modify = broker.modify;
    broker.modify = async (input) => {
      broker.sent.push(input);
      await gate;
      broker.sent.pop();
      return modify(input);
    };
    const m = start();
    await m.set('101', TRAIL);
    m.onQuote(quote(1.102), ACCOUNT);
    m.onQuote(quote(1.103), ACCOUNT);
    m.onQuote(quote(1.104), ACCOUNT);
    expect(broker.sent).toHaveLength(1);
    release();
    await m.idle();
    // The first modify (1.1000) and one more for the latest quote (1.1020), nothing for the ticks in between.
    expect(broker.sent.map((s) => s.sl)).toEqual([{ price: 1.1 }, { price: 1.102 }]);
  });

  it('does not ask for a refused level again, and pauses after repeated refusals (no loop)', async () => {
    const m = start();
    await m.set('101', TRAIL);
    broker.answer = () => refusal10016;
    m.onQuote(quote(1.102), ACCOUNT);
    await m.idle();
    for (let i = 0; i < 10; i += 1) {
      m.onQuote(quote(1.102), ACCOUNT);
      m.onQuote(quote(1.1024), ACCOUNT);
      await m.idle();
    }
    expect(broker.sent).toHaveLength(1);
    expect(m.list()[0]).toMatchObject({ lastTriedSl: 1.1, refusals: 1, status: 'armed' });
    expect(m.list()[0]?.note).toMatch(/refused: Invalid stops\. \(retcode 10016\)/);
    // Each further step beyond the refused level is one more attempt, until the rule pauses.
    for (const bid of [1.1025, 1.103, 1.1035, 1.104, 1.105]) {
      m.onQuote(quote(bid), ACCOUNT);
      await m.idle();
    }
    expect(broker.sent).toHaveLength(MAX_REFUSALS_IN_A_ROW);
    expect(m.list()[0]).toMatchObject({ status: 'paused', refusals: MAX_REFUSALS_IN_A_ROW });
    expect(m.list()[0]?.note).toMatch(/Paused after 3 refusals/);
    // Saving the rule again re-arms it.
    broker.answer = new Broker().answer.bind(broker);
    await m.set('101', TRAIL);
    await m.idle();
    expect(broker.sent).toHaveLength(MAX_REFUSALS_IN_A_ROW + 1);
    expect(m.list()[0]).toMatchObject({ status: 'armed', refusals: 0 });
  });

  it('keeps rules in SQLite: a restarted manager re-arms them and drops those of closed positions', async () => {
    broker.positionsNow = [position(), position({ ticket: '102', side: 'sell', priceOpen: 1.0995 })];
    const first = start();
    await first.set('101', TRAIL);
    await first.set('102', { unit: 'pips', trailing: null, breakEven: { trigger: 15, offset: 2 } });
    first.close();
    expect(broker.sent).toHaveLength(0);

    // While the app was closed, #102 was closed at the broker.
    broker.positionsNow = [position()];
    now = 2_000;
    const second = start();
    expect(second.list().map((r) => r.ticket)).toEqual(['101', '102']);
    await second.refresh();
    expect(second.list().map((r) => r.ticket)).toEqual(['101']);
    second.onQuote(quote(1.102), ACCOUNT);
    await second.idle();
    expect(broker.sent.map((s) => s.sl)).toEqual([{ price: 1.1 }]);
    expect(new RuleStore(db, createMemoryLogger()).load().map((r) => r.ticket)).toEqual(['101']);
  });

  it('ignores ticks of another account and leaves that account’s rules alone', async () => {
    const m = start();
    await m.set('101', TRAIL);
    m.onQuote(quote(1.102), 'other@Broker');
    broker.active = 'other@Broker';
    broker.positionsNow = [];
    await m.refresh();
    expect(m.list().map((r) => r.account)).toEqual([ACCOUNT]);
    expect(broker.sent).toHaveLength(0);
  });

  it('refuses a rule for a position that is not open, or with no terminal', async () => {
    const m = start();
    const missing = await m.set('999', TRAIL);
    expect(missing.ok ? null : missing.error.code).toBe('TICKET_NOT_FOUND');
    broker.active = undefined;
    const none = await m.set('101', TRAIL);
    expect(none.ok ? null : none.error.code).toBe('NOT_CONNECTED');
  });

  it('drops the rule when the executor says the position is gone', async () => {
    const m = start();
    await m.set('101', TRAIL);
    broker.answer = () => ({ ok: false, code: 'TICKET_NOT_FOUND', message: 'gone' });
    m.onQuote(quote(1.102), ACCOUNT);
    await m.idle();
    expect(m.list()).toEqual([]);
  });
});
