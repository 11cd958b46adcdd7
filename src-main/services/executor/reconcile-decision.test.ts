import { describe, expect, it } from 'vitest';
import type {
  LookupResult,
  TradeResult,
  WireDeal,
  WireOrder,
  WirePosition,
} from '../../../src-bridge/protocol/messages';
import type { AbsenceContext, AttemptAnswer, DecisionEntry, LiveState } from './reconcile-decision';
import { absenceProof, combineAttempts, decideLookup, liveNeeds, withProof } from './reconcile-decision';

const ID = 'Pabcdefghi12345';
const W = { digits: 5, volumeStep: 0.01 };

function entry(over: Partial<DecisionEntry> = {}): DecisionEntry {
  return {
    operation: 'open_market',
    symbol: 'EURUSD',
    side: 'buy',
    volume: 0.1,
    position: null,
    order: null,
    sl: null,
    tp: null,
    requestedPrice: 1.085,
    ...over,
  };
}

function deal(over: Partial<WireDeal> = {}): WireDeal {
  return {
    ticket: '900',
    order: '800',
    positionId: '800',
    symbol: 'EURUSD',
    type: 0,
    entry: 0,
    reason: 3,
    volume: 0.1,
    price: 1.0851,
    profit: 0,
    swap: 0,
    commission: 0,
    magic: '1',
    comment: ID,
    timeMsc: 1,
    ...over,
  };
}

function position(over: Partial<WirePosition> = {}): WirePosition {
  return {
    ticket: '800',
    identifier: '800',
    symbol: 'EURUSD',
    type: 0,
    volume: 0.1,
    priceOpen: 1.0851,
    priceCurrent: 1.0851,
    sl: 0,
    tp: 0,
    profit: 0,
    swap: 0,
    magic: '1',
    comment: ID,
    timeMsc: 1,
    timeUpdateMsc: 1,
    ...over,
  };
}

function order(over: Partial<WireOrder> = {}): WireOrder {
  return {
    ticket: '700',
    symbol: 'EURUSD',
    type: 2,
    state: 1,
    volumeInitial: 0.2,
    volumeCurrent: 0.2,
    priceOpen: 1.08,
    priceStopLimit: 0,
    priceCurrent: 1.08,
    sl: 0,
    tp: 0,
    typeTime: 0,
    expirationMs: 0,
    typeFilling: 2,
    positionId: '0',
    magic: '1',
    comment: ID,
    timeSetupMsc: 1,
    ...over,
  };
}

function lastResult(retcode: number): TradeResult {
  return {
    retcode,
    message: '',
    order: retcode === 10009 ? '800' : '0',
    deal: retcode === 10009 ? '900' : '0',
    volume: retcode === 10009 ? 0.1 : 0,
    price: retcode === 10009 ? 1.0851 : 0,
    bid: 0,
    ask: 0,
    requestId: 1,
    retcodeExternal: 0,
    duplicate: false,
    outcome: 'done',
  };
}

function look(over: Partial<LookupResult> = {}): LookupResult {
  const base = { clOrdId: ID, positions: [], orders: [], deals: [], ...over };
  const found =
    base.positions.length + base.orders.length + base.deals.length > 0 || base.lastResult !== undefined;
  return { found, ...base };
}

const NO_LIVE: LiveState = { positions: null, orders: null };
const live = (positions: WirePosition[] | null, orders: WireOrder[] | null = []): LiveState => ({
  positions,
  orders,
});

describe('decideLookup', () => {
  it.each<[string, DecisionEntry, LookupResult, LiveState, string, string | null]>([
    // [name, entry, lookup, live, state, errorCode]
    ['dedup table: done', entry(), look({ lastResult: lastResult(10009) }), NO_LIVE, 'done', null],
    [
      'dedup table: final rejection',
      entry(),
      look({ lastResult: lastResult(10018) }),
      NO_LIVE,
      'rejected',
      'TRADE_REJECTED',
    ],
    [
      'dedup table: retryable',
      entry(),
      look({ lastResult: lastResult(10004) }),
      NO_LIVE,
      'rejected',
      'TRADE_REJECTED',
    ],
    [
      'dedup table: 10012 and no trace',
      entry(),
      look({ lastResult: lastResult(10012) }),
      NO_LIVE,
      'failed',
      'TRADE_NOT_EXECUTED',
    ],
    ['open: own opening deal', entry(), look({ deals: [deal()] }), NO_LIVE, 'done', null],
    ['open: position with the id', entry(), look({ positions: [position()] }), NO_LIVE, 'done', null],
    [
      'open: only a closing deal of another order',
      entry(),
      look({ deals: [deal({ entry: 1, comment: 'x', order: '1' })] }),
      NO_LIVE,
      'unknown',
      null,
    ],
    ['open: nothing', entry(), look(), NO_LIVE, 'failed', 'TRADE_NOT_EXECUTED'],
    [
      'pending: working order',
      entry({ operation: 'place_pending' }),
      look({ orders: [order()] }),
      NO_LIVE,
      'done',
      null,
    ],
    [
      'pending: already filled',
      entry({ operation: 'place_pending' }),
      look({ deals: [deal()] }),
      NO_LIVE,
      'done',
      null,
    ],
    [
      'pending: nothing',
      entry({ operation: 'place_pending' }),
      look(),
      NO_LIVE,
      'failed',
      'TRADE_NOT_EXECUTED',
    ],
    [
      'close: own closing deal',
      entry({ operation: 'close_position', position: '800' }),
      look({ deals: [deal({ entry: 1 })] }),
      NO_LIVE,
      'done',
      null,
    ],
    [
      'close: no trace, position open',
      entry({ operation: 'close_position', position: '800' }),
      look(),
      live([position()]),
      'failed',
      'TRADE_NOT_EXECUTED',
    ],
    [
      'close: no trace, position gone',
      entry({ operation: 'close_position', position: '800' }),
      look(),
      live([]),
      'rejected',
      'TICKET_NOT_FOUND',
    ],
    [
      'close: no trace, positions unreadable',
      entry({ operation: 'close_position', position: '800' }),
      look(),
      NO_LIVE,
      'unknown',
      null,
    ],
    [
      'modify: levels match',
      entry({ operation: 'modify_position', position: '800', sl: 1.08, tp: null }),
      look(),
      live([position({ sl: 1.08 })]),
      'done',
      null,
    ],
    [
      'modify: levels differ',
      entry({ operation: 'modify_position', position: '800', sl: 1.08 }),
      look(),
      live([position()]),
      'failed',
      'TRADE_NOT_EXECUTED',
    ],
    [
      'modify: position gone',
      entry({ operation: 'modify_position', position: '800' }),
      look(),
      live([]),
      'rejected',
      'TICKET_NOT_FOUND',
    ],
    [
      'modify: unreadable',
      entry({ operation: 'modify_position', position: '800' }),
      look(),
      NO_LIVE,
      'unknown',
      null,
    ],
    [
      'modify order: values match',
      entry({ operation: 'modify_order', order: '700', requestedPrice: 1.08 }),
      look(),
      live([], [order()]),
      'done',
      null,
    ],
    [
      'modify order: values differ',
      entry({ operation: 'modify_order', order: '700', requestedPrice: 1.07 }),
      look(),
      live([], [order()]),
      'failed',
      'TRADE_NOT_EXECUTED',
    ],
    [
      'modify order: gone',
      entry({ operation: 'modify_order', order: '700' }),
      look(),
      live([], []),
      'rejected',
      'TICKET_NOT_FOUND',
    ],
    [
      'cancel: still working',
      entry({ operation: 'cancel_order', order: '700' }),
      look(),
      live([], [order()]),
      'failed',
      'TRADE_NOT_EXECUTED',
    ],
    [
      'cancel: filled first',
      entry({ operation: 'cancel_order', order: '700' }),
      look(),
      live([position({ identifier: '700' })], []),
      'rejected',
      'TRADE_REJECTED',
    ],
    ['cancel: gone', entry({ operation: 'cancel_order', order: '700' }), look(), live([], []), 'done', null],
    [
      'cancel: unreadable',
      entry({ operation: 'cancel_order', order: '700' }),
      look(),
      NO_LIVE,
      'unknown',
      null,
    ],
    ['close_all parent', entry({ operation: 'close_all' }), look(), NO_LIVE, 'unknown', null],
  ])('%s', (_name, e, l, lv, state, errorCode) => {
    const d = decideLookup(e, l, lv, W);
    expect(d.state).toBe(state);
    if (d.state !== 'unknown') expect(d.patch.errorCode ?? null).toBe(errorCode);
  });

  it('a partial close reports only its own deal, not an earlier close of the same position', () => {
    const earlier = deal({ ticket: '901', order: '801', entry: 1, volume: 0.1, comment: 'Pother' });
    const own = deal({ ticket: '902', order: '802', entry: 1, volume: 0.2 });
    const d = decideLookup(
      entry({ operation: 'close_position', position: '800' }),
      look({ deals: [earlier, own] }),
      NO_LIVE,
      W,
    );
    expect(d).toMatchObject({ state: 'done', patch: { deal: '902', filledVolume: 0.2 } });
  });

  it("names the fill in the trader's words", () => {
    const d = decideLookup(entry({ side: 'sell' }), look({ deals: [deal({ price: 1.2345 })] }), NO_LIVE, W);
    expect(d.state === 'done' ? d.patch.message : '').toBe(
      'Confirmed after checking with MetaTrader 5: Sold 0.10 EURUSD at 1.23450',
    );
  });

  it('asks for live data only where a decision reads it', () => {
    expect(liveNeeds('open_market')).toEqual({ positions: false, orders: false });
    expect(liveNeeds('close_position')).toEqual({ positions: true, orders: false });
    expect(liveNeeds('modify_order')).toEqual({ positions: false, orders: true });
    expect(liveNeeds('cancel_order')).toEqual({ positions: true, orders: true });
  });
});

describe('combineAttempts', () => {
  const answer = (
    n: number,
    l: LookupResult,
    state: 'done' | 'failed' | 'rejected' | 'unknown',
  ): AttemptAnswer => ({
    clOrdId: n === 1 ? ID : `${ID}.${n}`,
    look: l,
    decision: state === 'unknown' ? { state } : { state, patch: {} },
  });

  it.each<[string, AttemptAnswer[], string | undefined, string | undefined]>([
    // [name, answers, decision, chosen clOrdId]
    ['no answers', [], undefined, undefined],
    ['only uncertain answers', [answer(1, look(), 'unknown')], undefined, undefined],
    [
      'a done attempt settles it',
      [answer(1, look(), 'failed'), answer(2, look({ deals: [deal()] }), 'done')],
      'done',
      `${ID}.2`,
    ],
    [
      'an uncertain attempt keeps it unknown',
      [answer(1, look(), 'failed'), answer(2, look(), 'unknown')],
      'unknown',
      ID,
    ],
    [
      'the latest attempt with a trace decides',
      [answer(1, look({ lastResult: lastResult(10004) }), 'rejected'), answer(2, look(), 'failed')],
      'rejected',
      ID,
    ],
    [
      'no trace anywhere: the first decides',
      [answer(1, look(), 'failed'), answer(2, look(), 'failed')],
      'failed',
      ID,
    ],
  ])('%s', (_name, answers, state, chosen) => {
    const c = combineAttempts(answers);
    expect(c?.decision.state).toBe(state);
    expect(c?.chosen.clOrdId).toBe(chosen);
  });
});

describe('absenceProof and withProof', () => {
  const base: AbsenceContext = {
    sentAt: 1_000,
    expiresAt: 31_000,
    sentVia: 's-1',
    askedVia: 's-1',
    askedAt: 0,
    historyFromMs: 0,
    sameSessionMarginMs: 2_000,
    otherSessionMarginMs: 60_000,
  };
  it.each<[string, Partial<AbsenceContext>, string, number | undefined]>([
    // [name, context, proof, provableAt]
    ['same session, before expiresAt + margin', { askedAt: 33_000 }, 'none', 33_001],
    ['same session, after expiresAt + margin', { askedAt: 33_001 }, 'same-session', undefined],
    [
      'other session, after the same-session margin only',
      { askedVia: 's-2', askedAt: 40_000 },
      'none',
      91_001,
    ],
    [
      'other session, after expiresAt + the longer margin',
      { askedVia: 's-2', askedAt: 91_001 },
      'history',
      undefined,
    ],
    [
      'sent by an earlier process, late enough',
      { sentVia: undefined, askedAt: 91_001 },
      'history',
      undefined,
    ],
    ['sent by an earlier process, too early', { sentVia: undefined, askedAt: 90_000 }, 'none', 91_001],
    [
      'session changed between live data and lookup',
      { askedVia: undefined, askedAt: 50_000 },
      'none',
      91_001,
    ],
    [
      'history not covering the send',
      { askedVia: 's-2', askedAt: 200_000, historyFromMs: 1_001 },
      'none',
      91_001,
    ],
  ])('%s', (_name, over, kind, provableAt) => {
    const p = absenceProof({ ...base, ...over });
    expect(p.kind).toBe(kind);
    expect(p.kind === 'none' ? p.provableAt : undefined).toBe(provableAt);
  });

  it('keeps a verdict from absence unknown without proof, and leaves evidence alone', () => {
    const none = { kind: 'none', provableAt: 5 } as const;
    const absent = decideLookup(entry(), look(), NO_LIVE, W);
    expect(withProof(absent, none)).toEqual({ state: 'unknown', provableAt: 5 });
    expect(withProof(absent, { kind: 'history' })).toBe(absent);
    const gone = decideLookup(entry({ operation: 'close_position', position: '800' }), look(), live([]), W);
    expect(withProof(gone, none).state).toBe('unknown');
    const refusedByServer = decideLookup(entry(), look({ lastResult: lastResult(10018) }), NO_LIVE, W);
    expect(withProof(refusedByServer, none)).toBe(refusedByServer);
    const executed = decideLookup(entry(), look({ deals: [deal()] }), NO_LIVE, W);
    expect(withProof(executed, none)).toBe(executed);
    const filled = decideLookup(
      entry({ operation: 'cancel_order', order: '700' }),
      look(),
      live([position({ identifier: '700' })], []),
      W,
    );
    expect(withProof(filled, none).state).toBe('rejected');
  });
});
