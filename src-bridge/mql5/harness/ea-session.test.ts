/**
 * Runs the whole EA (PipdeskBridge.mq5 and its includes, translated to C++ and compiled with g++) against a fake
 * MT5 terminal and a fake pipe, following scripted sessions, and holds every frame it writes to the protocol's
 * zod schemas. This is as close to running the EA as Linux gets: the real terminal's behaviour (FileOpen on a
 * pipe, OrderSend against a trade server) is the fake's, so docs/mql5-functions.md lists what remains unverified.
 */
import { describe, expect, it } from 'vitest';
import { REQUEST_TYPES } from '../../protocol/messages';
import {
  APP_NONCE,
  failure,
  handshakeProof,
  TIME_OFFSET_SEC,
  TOKEN,
  GMT_MS,
  HANDSHAKE,
  idOf,
  PAIR,
  req,
  request,
  requestTypes,
  result,
  session,
  trade,
  useScriptedEa,
  WELCOME,
} from './scripted-ea';

useScriptedEa();

describe('the EA in a scripted session (whole EA compiled against a fake terminal)', () => {
  it('says hello first and nothing else until welcome, then answers every request type per the schemas', () => {
    const lines = {
      account: req('account'),
      symbols: req('symbols'),
      spec: req('symbol_spec', { symbol: 'GOLD' }),
      quote: req('quote', { symbol: 'EURUSD' }),
      subscribe: req('subscribe', { symbol: 'US30' }),
      unsubscribe: req('unsubscribe', { symbol: '*' }),
      positions: req('positions'),
      positionsEur: req('positions', { symbol: 'EURUSD' }),
      orders: req('orders'),
      deals: req('history_deals', { fromMs: GMT_MS - 5 * 86_400_000, toMs: GMT_MS + 86_400_000 }),
      dealsEur: req('history_deals', {
        fromMs: GMT_MS - 5 * 86_400_000,
        toMs: GMT_MS + 86_400_000,
        symbol: 'EURUSD',
      }),
      margin: req('calc_margin', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1, price: 1.0851 }),
      check: trade('DEAL', 'pd-check', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 }, 'order_check'),
      send: trade('DEAL', 'pd-send', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1, sl: 1.08, tp: 1.09 }),
      lookupClosed: req('lookup', { clOrdId: 'pd-closed1' }),
      lookupOpen: req('lookup', { clOrdId: 'pd-open1' }),
      lookupLimit: req('lookup', { clOrdId: 'pd-limit1' }),
      lookupNone: req('lookup', { clOrdId: 'pd-nothing' }),
      rates: req('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 3 }),
      tradeEvents: req('trade_events', { form: 'changes' }),
    };
    const covered = new Set(Object.values(lines).map((l) => requestTypes.get(idOf(l))));
    expect(REQUEST_TYPES.filter((t) => !covered.has(t))).toEqual([]);

    const s = session([
      'timer',
      'timer 6000',
      'stats',
      ...PAIR,
      'timer 10',
      ...Object.values(lines),
      'timer 10',
      'stats',
    ]);
    const hello = s.frames[0];
    expect(hello?.type).toBe('hello');
    expect(hello).toMatchObject({ protocol: 2, eaVersion: '2.10', timeOffsetSec: TIME_OFFSET_SEC });
    // The token never crosses the pipe: not in hello, not in auth, nowhere.
    expect(hello).not.toHaveProperty('token');
    expect(JSON.stringify(s.frames)).not.toContain(TOKEN);
    expect(s.frames[1]).toEqual({
      type: 'auth',
      proof: handshakeProof('ea', String(hello?.nonce), APP_NONCE),
    });
    // Before welcome: the hello only, no heartbeat even after 6 s.
    expect(s.stats[0]?.framesBefore).toBe(1);
    expect(s.stats[0]?.open).toBe(true);

    for (const line of Object.values(lines)) result(s, line);
    expect((result(s, lines.symbols).symbols as unknown[]).length).toBe(4);
    expect(result(s, lines.spec)).toMatchObject({
      name: 'GOLD',
      description: 'Gold — spot ☀',
      digits: 2,
      executionMode: 1,
    });
    expect((result(s, lines.positions).positions as unknown[]).length).toBe(2);
    expect((result(s, lines.orders).orders as unknown[]).length).toBe(1);
    expect((result(s, lines.deals).deals as { symbol: string }[]).map((d) => d.symbol)).toEqual([
      '',
      'EURUSD',
      'EURUSD',
      'EURUSD',
    ]);
    expect((result(s, lines.dealsEur).deals as unknown[]).length).toBe(3);
    expect(result(s, lines.margin).margin).toBeGreaterThan(0);
    expect(result(s, lines.check)).toMatchObject({ retcode: 0 });
    expect(result(s, lines.send)).toMatchObject({ retcode: 10009, filling: 'FOK', duplicate: false });

    const closed = result(s, lines.lookupClosed);
    expect(closed.found).toBe(true);
    // The SL close deal carries MT5's comment; it is found through the position the id opened.
    expect((closed.deals as { ticket: string }[]).map((d) => d.ticket)).toEqual(['7200000001', '7200000002']);
    expect((result(s, lines.lookupOpen).positions as { ticket: string }[]).map((p) => p.ticket)).toEqual([
      '7000000001',
    ]);
    expect((result(s, lines.lookupLimit).orders as { ticket: string }[]).map((o) => o.ticket)).toEqual([
      '7100000001',
    ]);
    expect(result(s, lines.lookupNone)).toEqual({
      clOrdId: 'pd-nothing',
      found: false,
      positions: [],
      orders: [],
      deals: [],
    });

    // The subscribe answer comes before the first tick of that symbol.
    const subIdx = s.frames.findIndex((f) => f.type === 'response' && f.id === idOf(lines.subscribe));
    const tickIdx = s.frames.findIndex((f) => f.type === 'tick' && f.symbol === 'US30');
    expect(subIdx).toBeGreaterThan(0);
    expect(tickIdx).toBe(subIdx + 1);
    const sent = s.stats[1]?.sent ?? [];
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      action: 1,
      type: 0,
      filling: 0,
      comment: 'pd-send',
      magic: 26042001,
      sl: 1.08,
    });
  });

  it('answers rates from CopyRates: by count and position, by time range, and its refusals', () => {
    const H1 = 3_600_000;
    const serverMs = (1_799_913_600 + 8 * 3600) * 1000; // ea-driver.cpp's TimeTradeServer()
    const forming = Math.floor(serverMs / H1) * H1;
    const lines = {
      count: req('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 3 }),
      older: req('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 2, startPos: 1 }),
      range: req('rates', { symbol: 'GOLD', timeframe: 'H1', fromMs: forming - 2 * H1 + 1, toMs: forming }),
      wide: req('rates', { symbol: 'EURUSD', timeframe: 'M1', fromMs: 0, toMs: forming * 2 }),
      noHistory: req('rates', { symbol: 'NOQUOTE', timeframe: 'D1', count: 10 }),
      unknown: req('rates', { symbol: 'NOPE', timeframe: 'D1', count: 10 }),
    };
    const bad = {
      tooMany: request('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 5001 }).line,
      badTf: request('rates', { symbol: 'EURUSD', timeframe: 'H5', count: 10 }).line,
      mixed: request('rates', { symbol: 'EURUSD', timeframe: 'H1', count: 10, fromMs: 0, toMs: 1 }).line,
    };
    const s = session([...HANDSHAKE, ...Object.values(lines), ...Object.values(bad), 'timer 10']);
    expect(result(s, lines.count).rates).toEqual([
      [forming - 2 * H1, 1.08498, 1.085, 1.08496, 1.08498, 102, 10],
      [forming - H1, 1.08499, 1.08501, 1.08497, 1.08499, 101, 10],
      [forming, 1.085, 1.08502, 1.08498, 1.085, 100, 10],
    ]);
    expect((result(s, lines.older).rates as number[][]).map((r) => r[0])).toEqual([
      forming - 2 * H1,
      forming - H1,
    ]);
    expect((result(s, lines.range).rates as number[][]).map((r) => r[0])).toEqual([forming - H1, forming]);
    const wide = result(s, lines.wide);
    expect((wide.rates as unknown[]).length).toBe(5000);
    expect(wide.truncated).toBe(true);
    expect((wide.rates as number[][]).at(-1)?.[0]).toBe(Math.floor(serverMs / 60_000) * 60_000);
    expect(failure(s, lines.noHistory)).toMatchObject({ code: 'TERMINAL_ERROR' });
    expect(failure(s, lines.noHistory).message).toContain('4401');
    expect(failure(s, lines.unknown)).toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    for (const line of Object.values(bad)) expect(failure(s, line)).toMatchObject({ code: 'INVALID_PARAMS' });
  });

  it('builds every trade action as MT5 expects', () => {
    const lines = {
      pending: trade('PENDING', 'pd-p', {
        symbol: 'EURUSD',
        orderType: 'BUY_LIMIT',
        volume: 0.2,
        price: 1.081,
        sl: 1.078,
        tp: 0,
      }),
      sltp: trade('SLTP', 'pd-s', { position: '7000000001', symbol: 'EURUSD', sl: 1.079, tp: 1.1 }),
      modify: trade('MODIFY', 'pd-m', { order: '7100000001', price: 1.0805, sl: 0, tp: 0 }),
      remove: trade('REMOVE', 'pd-r', { order: '7100000001' }),
      closeBy: trade('CLOSE_BY', 'pd-c', { position: '7000000001', positionBy: '7000000002' }),
      close: trade('DEAL', 'pd-x', {
        symbol: 'EURUSD',
        orderType: 'SELL',
        volume: 0.05,
        position: '7000000001',
      }),
      instant: trade('DEAL', 'pd-g', { symbol: 'GOLD', orderType: 'SELL', volume: 0.013, deviation: 5 }),
      exchange: trade('DEAL', 'pd-u', { symbol: 'US30', orderType: 'BUY', volume: 1 }),
      magicZero: req('order_send', {
        clOrdId: 'pd-z',
        magic: '0',
        action: 'DEAL',
        symbol: 'EURUSD',
        orderType: 'BUY',
        volume: 0.1,
      }),
    };
    const s = session([...HANDSHAKE, ...Object.values(lines), 'timer 10', 'stats']);
    for (const line of Object.values(lines)) result(s, line);
    expect(result(s, lines.pending).filling).toBe('RETURN');
    expect(result(s, lines.sltp).filling).toBeUndefined();
    const sent = s.stats[0]?.sent ?? [];
    const by = (comment: string) => sent.find((r) => r.comment === comment);
    expect(by('pd-p')).toMatchObject({
      action: 5,
      type: 2,
      filling: 2,
      typeTime: 0,
      price: 1.081,
      sl: 1.078,
    });
    expect(by('pd-s')).toMatchObject({ action: 6, position: 7000000001, symbol: 'EURUSD', sl: 1.079 });
    expect(by('pd-m')).toMatchObject({
      action: 7,
      order: 7100000001,
      price: 1.0805,
      symbol: 'EURUSD',
      stoplimit: 1.0802,
    });
    expect(by('pd-r')).toMatchObject({ action: 8, order: 7100000001 });
    expect(by('pd-c')).toMatchObject({ action: 10, position: 7000000001, positionBy: 7000000002 });
    expect(by('pd-x')).toMatchObject({
      action: 1,
      type: 1,
      position: 7000000001,
      volume: 0.05,
      price: 1.085,
    });
    // Instant execution: FOK, the Bid for a sell, and the volume rounded down to the step.
    expect(by('pd-g')).toMatchObject({ filling: 0, price: 2400.5, volume: 0.01, deviation: 5 });
    // Exchange execution with only the IOC flag: IOC first.
    expect(by('pd-u')).toMatchObject({ filling: 1 });
    expect(by('pd-z')?.magic).toBe(0);
  });

  it('retries once with the next filling after 10030, and replays stored results for a repeated clOrdId', () => {
    const first = trade('DEAL', 'pd-f1', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const again = trade('DEAL', 'pd-f1', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const lookup = req('lookup', { clOrdId: 'pd-f1' });
    const twice = trade('DEAL', 'pd-f2', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const given = trade('DEAL', 'pd-f3', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1, filling: 'FOK' });
    const rejected = trade('DEAL', 'pd-n', { symbol: 'EURUSD', orderType: 'BUY', volume: 50 });
    const rejectedAgain = trade('DEAL', 'pd-n', { symbol: 'EURUSD', orderType: 'BUY', volume: 50 });
    const unknown = trade('DEAL', 'pd-t', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const unknownAgain = trade('DEAL', 'pd-t', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const s = session([
      ...HANDSHAKE,
      'sendcodes 10030,10009',
      first,
      'timer 10',
      again,
      lookup,
      'timer 10',
      'stats',
      'sendcodes 10030,10030,10030',
      twice,
      'timer 10',
      'stats',
      'sendcodes 10030',
      given,
      'timer 10',
      'stats',
      'checkcodes 10019',
      rejected,
      'timer 10',
      'checkcodes 10019',
      rejectedAgain,
      'timer 10',
      'stats',
      'sendcodes 10012',
      unknown,
      'timer 10',
      unknownAgain,
      'timer 10',
      'stats',
    ]);
    expect(result(s, first)).toMatchObject({ retcode: 10009, filling: 'IOC', duplicate: false });
    expect(s.stats[0]?.sent.map((r) => r.filling)).toEqual([0, 1]);
    expect(result(s, again)).toEqual({ ...result(s, first), duplicate: true });
    expect(result(s, lookup)).toMatchObject({ found: true, lastResult: result(s, first) });

    expect(result(s, twice)).toMatchObject({ retcode: 10030, filling: 'IOC' });
    expect(s.stats[1]?.sent.length).toBe(4); // one retry only

    expect(result(s, given)).toMatchObject({ retcode: 10030, filling: 'FOK' });
    expect(s.stats[2]?.sent.length).toBe(5); // a filling the app chose is not retried

    // Rejected by OrderCheck: nothing sent, nothing stored, so the same clOrdId is checked again.
    expect(result(s, rejected)).toMatchObject({ retcode: 10019, duplicate: false });
    expect(result(s, rejectedAgain)).toMatchObject({ retcode: 10019, duplicate: false });
    expect(s.stats[3]?.sent.length).toBe(5);
    expect(s.stats[3]?.checked.filter((r) => r.comment === 'pd-n')).toHaveLength(2);

    // An unknown outcome (10012) is stored: the repeat does not send again.
    expect(result(s, unknown)).toMatchObject({ retcode: 10012, duplicate: false });
    expect(result(s, unknownAgain)).toMatchObject({ retcode: 10012, duplicate: true });
    expect(s.stats[4]?.sent.length).toBe(6);
  });

  it('answers bad input with the protocol errors and keeps going', () => {
    const unknownType = request('fly_to_moon');
    const badVolume = trade('DEAL', 'pd-b', { symbol: 'EURUSD', orderType: 'BUY', volume: '0.1' });
    const badAction = trade('JUMP', 'pd-j', {});
    const badClOrdId = trade('DEAL', 'bad id with spaces', {
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: 0.1,
    });
    const unknownSymbol = req('quote', { symbol: 'XYZ' });
    const noQuote = req('quote', { symbol: 'NOQUOTE' });
    // Tickets that name nothing the terminal holds: the trade server's retcodes, nothing sent, nothing stored.
    const notFound = trade('SLTP', 'pd-nf', { position: '1', symbol: 'EURUSD', sl: 0, tp: 0 });
    const notFoundAgain = trade('SLTP', 'pd-nf', { position: '1', symbol: 'EURUSD', sl: 0, tp: 0 });
    const closeByGone = trade('CLOSE_BY', 'pd-nf2', { position: '1', positionBy: '2' });
    const modifyGone = trade('MODIFY', 'pd-nf3', { order: '3', price: 1.05, sl: 0, tp: 0 });
    const removeGone = trade('REMOVE', 'pd-nf4', { order: '3' });
    const checkGone = trade(
      'SLTP',
      'pd-nf5',
      { position: '1', symbol: 'EURUSD', sl: 0, tp: 0 },
      'order_check',
    );
    const expired = request('order_send', {
      clOrdId: 'pd-late',
      magic: '1',
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: 0.1,
      expiresAt: GMT_MS - 5000,
    });
    requestTypes.set(expired.id, 'order_send');
    const after = req('account');
    const s = session([
      ...HANDSHAKE,
      'app {"type":"account","id":',
      'app {"id":"r-x"}',
      'app {"type":"nope"}',
      unknownType.line,
      badVolume,
      badAction,
      badClOrdId,
      unknownSymbol,
      noQuote,
      notFound,
      notFoundAgain,
      closeByGone,
      modifyGone,
      removeGone,
      checkGone,
      expired.line,
      after,
      'timer 10',
      'stats',
    ]);
    const errors = s.frames.filter((f) => f.type === 'error').map((f) => f.code);
    expect(errors).toEqual(['BAD_JSON', 'BAD_MESSAGE', 'UNKNOWN_TYPE']);
    expect(s.responses.get(unknownType.id)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    expect(failure(s, badVolume).code).toBe('INVALID_PARAMS');
    expect(failure(s, badAction).code).toBe('INVALID_PARAMS');
    expect(failure(s, badClOrdId).code).toBe('INVALID_PARAMS');
    expect(failure(s, unknownSymbol).code).toBe('UNKNOWN_SYMBOL');
    expect(failure(s, noQuote).code).toBe('NO_QUOTE');
    const gone = { order: '0', deal: '0', volume: 0, price: 0, duplicate: false };
    expect(result(s, notFound)).toMatchObject({ retcode: 10036, ...gone });
    expect(result(s, notFoundAgain)).toMatchObject({ retcode: 10036, ...gone });
    expect(result(s, closeByGone)).toMatchObject({ retcode: 10036, ...gone });
    expect(result(s, modifyGone)).toMatchObject({ retcode: 10013, ...gone });
    expect(result(s, removeGone)).toMatchObject({ retcode: 10013, ...gone });
    expect(result(s, checkGone)).toMatchObject({ retcode: 10036 });
    expect(s.responses.get(expired.id)).toMatchObject({ ok: false, error: { code: 'DEADLINE_EXCEEDED' } });
    expect(s.stats[0]?.sent).toEqual([]);
    expect(s.stats[0]?.checked).toEqual([]);
    result(s, after);
  });

  it('closes the link after an oversized frame', () => {
    const small = { ...WELCOME, maxFrameBytes: 4096 };
    const s = session([
      'timer',
      `challenge ${APP_NONCE}`,
      'timer 10',
      `app ${JSON.stringify(small)}`,
      'timer 10',
      `app {"pad":"${'x'.repeat(5000)}"}`,
      'timer 10',
      'stats',
    ]);
    expect(s.frames.at(-1)).toMatchObject({ type: 'error', code: 'FRAME_TOO_LARGE' });
    expect(s.stats[0]?.open).toBe(false);
  });

  it('sends heartbeats when idle, drops a silent link, and reconnects with backoff', () => {
    const s = session([
      ...HANDSHAKE,
      'timer 5000',
      'stats',
      'timer 10500',
      'stats',
      'timer 500',
      'stats',
      'timer 600',
      'stats',
    ]);
    const types = s.frames.map((f) => f.type);
    expect(types.slice(0, 4)).toEqual(['hello', 'auth', 'account', 'hb']);
    expect(s.frames.find((f) => f.type === 'bye')).toMatchObject({ reason: 'SILENCE' });
    expect(s.stats.map((x) => [x.open, x.opens])).toEqual([
      [true, 1],
      [false, 1],
      [false, 1], // 1 s backoff not over yet
      [true, 2],
    ]);
    expect(types.at(-1)).toBe('hello');
  });

  it('waits at least 10 s after a refusal, re-reads the token, never connects without a valid one; notices a broken pipe', () => {
    const fresh = '9a'.repeat(32);
    const s = session([
      'timer',
      'app {"type":"refused","reason":"BAD_TOKEN","message":"no"}',
      'timer 10',
      'stats',
      `token ${fresh}`,
      'timer 5000',
      'stats',
      'timer 6000',
      'stats',
      ...PAIR,
      'timer 10',
      'broken',
      'timer 10',
      'stats',
      'notoken',
      'timer 1100',
      'stats',
      'token not-a-token',
      'timer 2100',
      'stats',
    ]);
    expect(s.stats.map((x) => [x.open, x.opens])).toEqual([
      [false, 1],
      [false, 1],
      [true, 2],
      [false, 2],
      [false, 2],
      [false, 2],
    ]);
    const hellos = s.frames.filter((f) => f.type === 'hello');
    expect(hellos).toHaveLength(2);
    // The second connection proves itself with the token read after the refusal.
    expect(s.frames.find((f) => f.type === 'auth')).toEqual({
      type: 'auth',
      proof: handshakeProof('ea', String(hellos[1]?.nonce), APP_NONCE, fresh),
    });
    const journal = s.stats.at(-1)?.journal ?? [];
    expect(journal.filter((l) => l.includes('waiting for a pairing token'))).toHaveLength(1);
    expect(journal.some((l) => l.includes('BAD_TOKEN'))).toBe(true);
  });

  it('pushes ticks of subscribed symbols only when they change, and account changes', () => {
    const sub = req('subscribe', { symbol: 'EURUSD' });
    const unsub = req('unsubscribe', { symbol: 'EURUSD' });
    const s = session([
      ...HANDSHAKE,
      sub,
      'timer 10',
      'timer 10',
      'quote EURUSD 1.08601 1.08611 1799942401000',
      'timer 10',
      'timer 10',
      'balance 10100',
      'timer 300',
      unsub,
      'timer 10',
      'quote EURUSD 1.087 1.0871 1799942402000',
      'timer 10',
      'deinit',
      'stats',
    ]);
    const ticks = s.frames.filter((f) => f.type === 'tick');
    expect(ticks.map((t) => [t.bid, t.ask])).toEqual([
      [1.085, 1.0851],
      [1.08601, 1.08611],
    ]);
    const accounts = s.frames.filter((f) => f.type === 'account');
    expect(accounts.map((a) => a.balance)).toEqual([10000, 10100]);
    expect(result(s, unsub)).toEqual({ symbol: 'EURUSD', subscribed: false });
    expect(s.frames.at(-1)).toMatchObject({ type: 'bye', reason: 'SHUTDOWN' });
    expect(s.stats[0]?.open).toBe(false);
  });
});

describe('the EA reports trade transactions in the form the app asked for (docs/bridge-protocol.md, trade_events)', () => {
  const DEAL_ADD = 6;
  const events = (s: ReturnType<typeof session>) =>
    s.frames.filter((f) => f.type === 'txn' || f.type === 'trade' || f.type === 'response');

  it('sends a txn per transaction until asked, then one trade event per timer call, and txn again when asked', () => {
    const toChanges = req('trade_events', { form: 'changes' });
    const toTxn = req('trade_events', { form: 'txn' });
    const s = session([
      ...HANDSHAKE,
      `txn ${DEAL_ADD} 5001 7001`,
      toChanges,
      'timer 10',
      // A market order's transactions, as MT5 calls OnTradeTransaction after the timer call that sent it.
      'txn 0 5002 0',
      `txn ${DEAL_ADD} 5002 7002`,
      'txn 2 5002 0',
      'txn 3 5002 0',
      'txn 10 5002 7002',
      'stats',
      'timer 10',
      'timer 10',
      // A pending order placed: a change without a deal.
      'txn 0 5003 0',
      'timer 10',
      // Counted, then sent as it is before the first txn of the new form.
      'txn 9 0 0',
      toTxn,
      'timer 10',
      `txn ${DEAL_ADD} 5004 7004`,
      'stats',
    ]);
    expect(
      events(s).map((f) => [f.type, f.type === 'txn' ? f.deal : f.type === 'trade' ? f.deals : f.id]),
    ).toEqual([
      ['txn', '7001'],
      ['response', idOf(toChanges)],
      ['trade', ['7002']],
      ['trade', []],
      ['trade', []],
      ['response', idOf(toTxn)],
      ['txn', '7004'],
    ]);
    expect(result(s, toChanges)).toEqual({ form: 'changes' });
    expect(result(s, toTxn)).toEqual({ form: 'txn' });
    // Nothing is written while transactions arrive: they wait for the next timer call.
    const before = s.stats[0]?.framesBefore ?? 0;
    expect(s.frames.slice(0, before).filter((f) => f.type === 'trade' || f.type === 'txn')).toHaveLength(1);
    expect(s.frames.filter((f) => f.type === 'trade').map((f) => f.txns)).toEqual([5, 1, 1]);
  });

  it('splits more than 1000 new deals over several events, and forgets the form with the connection', () => {
    const toChanges = req('trade_events', { form: 'changes' });
    const s = session([
      ...HANDSHAKE,
      toChanges,
      'timer 10',
      `txn ${DEAL_ADD} 5001 100000 1500`,
      'timer 10',
      // The link drops: the next connection starts at txn again.
      'broken',
      'timer 10',
      'timer 2000',
      ...PAIR,
      'timer 10',
      `txn ${DEAL_ADD} 5002 7002`,
      'timer 10',
    ]);
    const trades = s.frames.filter((f) => f.type === 'trade');
    expect(trades.map((f) => (f.deals as string[]).length)).toEqual([1000, 500]);
    expect(trades.map((f) => f.txns)).toEqual([1000, 500]);
    const deals = trades.flatMap((f) => f.deals as string[]);
    expect(deals[0]).toBe('100000');
    expect(deals.at(-1)).toBe('101499');
    expect(new Set(deals).size).toBe(1500);
    expect(s.frames.at(-1)).toMatchObject({ type: 'txn', deal: '7002' });
  });

  it('refuses a form it does not know and keeps the one it has', () => {
    const unknown = req('trade_events', { form: 'deals' });
    const number = req('trade_events', { form: 1 });
    const missing = req('trade_events');
    const s = session([
      ...HANDSHAKE,
      unknown,
      number,
      missing,
      'timer 10',
      `txn ${DEAL_ADD} 5001 7001`,
      'timer 10',
    ]);
    for (const line of [unknown, number, missing]) expect(failure(s, line).code).toBe('INVALID_PARAMS');
    expect(s.frames.at(-1)).toMatchObject({ type: 'txn', deal: '7001' });
  });
});

/** The fake trade server's clock (fixture: Thursday 2027-01-14 08:00). */
const SERVER_MS = (1_799_913_600 + 8 * 3600) * 1000;
const LOCK = 'Pipdesk.81234567.pipdesk-1a2b3c4d5e6f7a8b';
/** The EA's instance id: ChartID() (the fake's default) reduced below 2^52, plus one. */
const INSTANCE_ID = Number((132_000_000_000_000_001n % 4_503_599_627_370_449n) + 1n);

describe('the EA and the trade server link', () => {
  it('says hello only once the terminal has been connected to the trade server for 5 s', () => {
    const s = session(
      [
        'connected 0',
        'timer',
        'timer 10000',
        'stats',
        'connected 1',
        'timer 10',
        'timer 4000',
        'stats',
        'timer 1000',
        'stats',
      ],
      { cold: true },
    );
    expect(s.stats.map((x) => x.opens)).toEqual([0, 0, 1]);
    expect(s.frames.map((f) => f.type)).toEqual(['hello']);
  });

  it('refuses lookup while disconnected or settling and order_send while disconnected, then starts a fresh session', () => {
    const first = trade('DEAL', 'pd-a', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const offLookup = req('lookup', { clOrdId: 'pd-open1' });
    const offSend = trade('DEAL', 'pd-b', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const offRepeat = trade('DEAL', 'pd-a', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const settlingLookup = req('lookup', { clOrdId: 'pd-open1' });
    const settledLookup = req('lookup', { clOrdId: 'pd-open1' });
    const onSend = trade('DEAL', 'pd-b', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const s = session([
      ...HANDSHAKE,
      first,
      'timer 10',
      'connected 0',
      offLookup,
      offSend,
      offRepeat,
      'timer 10',
      'stats',
      'connected 1',
      'timer 10',
      settlingLookup,
      'timer 10',
      'stats',
      // Synchronised again: the EA starts a fresh session so that the app re-checks what it could not look up.
      'timer 5000',
      'stats',
      'timer 1100',
      ...PAIR,
      'timer 10',
      settledLookup,
      onSend,
      'timer 10',
      'stats',
    ]);
    expect(result(s, first)).toMatchObject({ retcode: 10009, duplicate: false });
    const off = failure(s, offLookup);
    expect(off.code).toBe('TERMINAL_ERROR');
    expect(off.message).toContain('not connected to the trade server');
    expect(failure(s, offSend)).toEqual({
      code: 'TERMINAL_ERROR',
      message: 'the terminal is not connected to the trade server',
    });
    // A repeat of a request already sent is answered from the dedup table: that needs no trade server.
    expect(result(s, offRepeat)).toMatchObject({ retcode: 10009, duplicate: true });
    expect(s.stats[0]?.sent.map((r) => r.comment)).toEqual(['pd-a']);
    expect(s.stats[0]?.open).toBe(true);

    const settling = failure(s, settlingLookup);
    expect(settling.code).toBe('TERMINAL_ERROR');
    expect(settling.message).toContain('synchronising');
    expect(s.stats.slice(1).map((x) => [x.open, x.opens])).toEqual([
      [true, 1],
      [false, 1],
      [true, 2],
    ]);
    expect(s.frames.filter((f) => f.type === 'hello')).toHaveLength(2);
    expect(result(s, settledLookup)).toMatchObject({ found: true });
    expect(result(s, onSend)).toMatchObject({ retcode: 10009, duplicate: false });
    expect(s.stats[3]?.sent.map((r) => r.comment)).toEqual(['pd-a', 'pd-b']);
  });

  it('keeps the session across a trade server outage in which no lookup was refused', () => {
    const s = session([
      ...HANDSHAKE,
      'connected 0',
      'timer 3000',
      'connected 1',
      'timer 10',
      'timer 6000',
      'stats',
    ]);
    expect(s.stats[0]).toMatchObject({ open: true, opens: 1 });
  });
});

describe('the lookup history window', () => {
  it('searches 90 days by default and honours sinceMs, moved one day earlier', () => {
    const tickets = (r: Record<string, unknown>) => (r.deals as { ticket: string }[]).map((d) => d.ticket);
    const lines = {
      old: req('lookup', { clOrdId: 'pd-old30' }),
      oldSince: req('lookup', { clOrdId: 'pd-old30', sinceMs: SERVER_MS - 86_400_000 }),
      ancient: req('lookup', { clOrdId: 'pd-old120' }),
      ancientSince: req('lookup', { clOrdId: 'pd-old120', sinceMs: SERVER_MS - 121 * 86_400_000 }),
      // The deal is 24 h old, sinceMs says 1 h: only the one-day margin finds it.
      edge: req('lookup', { clOrdId: 'pd-old1', sinceMs: SERVER_MS - 3_600_000 }),
      bad: req('lookup', { clOrdId: 'pd-old1', sinceMs: -1 }),
    };
    const s = session([
      'olddeal pd-old30 30',
      'olddeal pd-old120 120',
      'olddeal pd-old1 1',
      ...HANDSHAKE,
      ...Object.values(lines),
      'timer 10',
    ]);
    expect(tickets(result(s, lines.old))).toEqual(['7300000001', '7300000002']);
    expect(result(s, lines.oldSince)).toMatchObject({ found: false, deals: [] });
    expect(result(s, lines.ancient)).toMatchObject({ found: false, deals: [] });
    expect(tickets(result(s, lines.ancientSince))).toEqual(['7300000011', '7300000012']);
    expect(tickets(result(s, lines.edge))).toEqual(['7300000021', '7300000022']);
    expect(failure(s, lines.bad).code).toBe('INVALID_PARAMS');
  });
});

describe('lookup follows only positions the clOrdId opened', () => {
  it('returns the deals of an order that added to an older position, not the other deals of that position', () => {
    const tickets = (r: Record<string, unknown>) => (r.deals as { ticket: string }[]).map((d) => d.ticket);
    const added = req('lookup', { clOrdId: 'pd-add1' });
    const addedOpen = req('lookup', { clOrdId: 'pd-add2' });
    const opener = req('lookup', { clOrdId: 'pd-closed1' });
    const s = session([
      // into the closed position 7000000009 (opened by pd-closed1), and into the open position 7000000001
      'adddeal pd-add1 7000000009',
      'adddeal pd-add2 7000000001',
      ...HANDSHAKE,
      added,
      addedOpen,
      opener,
      'timer 10',
    ]);
    expect(tickets(result(s, added))).toEqual(['7400000001']);
    expect(result(s, addedOpen)).toMatchObject({ found: true, positions: [], orders: [] });
    expect(tickets(result(s, addedOpen))).toEqual(['7400000011']);
    // The position pd-closed1 opened still brings its SL close, and not the later netting addition.
    expect(tickets(result(s, opener))).toEqual(['7200000001', '7200000002']);
  });
});

describe('one EA per account and pipe in a terminal', () => {
  it('stays idle with one alert while another live instance holds the lock, then takes over when it is released', () => {
    const s = session([
      `gv ${LOCK} 99`,
      `gv ${LOCK}.beat now`,
      'timer',
      'timer 2000',
      'stats',
      `gv ${LOCK}.beat now`,
      'timer 60000',
      'timer 1000',
      'stats',
      `gv ${LOCK} 0`,
      'timer 10',
      'stats',
      ...PAIR,
      'timer 10',
      'deinit',
      'stats',
    ]);
    expect(s.stats.map((x) => [x.open, x.opens, x.alerts.length])).toEqual([
      [false, 0, 1],
      [false, 0, 1],
      [true, 1, 1],
      [false, 1, 1],
    ]);
    expect(s.stats[0]?.alerts[0]).toContain('another copy of the PipdeskBridge EA is already running');
    expect(s.stats[0]?.alerts[0]).toContain('81234567');
    expect(s.stats[2]?.globals[LOCK]).toBe(INSTANCE_ID);
    // Removing the EA frees the lock for the next instance.
    expect(s.stats[3]?.globals[LOCK]).toBe(0);
    expect(s.frames.map((f) => f.type)).toEqual(['hello', 'auth', 'account', 'bye']);
  });

  it('after bye REPLACED (another terminal with this account) alerts once and waits 60 s before trying again', () => {
    const replaced = 'app {"type":"bye","reason":"REPLACED","message":"a newer connection took over"}';
    const s = session([
      ...HANDSHAKE,
      replaced,
      'timer 10',
      'stats',
      'timer 59000',
      'stats',
      'timer 1100',
      'stats',
      ...PAIR,
      'timer 10',
      replaced,
      'timer 10',
      'stats',
    ]);
    expect(s.stats.map((x) => [x.open, x.opens, x.alerts.length])).toEqual([
      [false, 1, 1],
      [false, 1, 1],
      [true, 2, 1],
      [false, 2, 1],
    ]);
    expect(s.stats[0]?.alerts[0]).toContain('another MetaTrader terminal logged in to account 81234567');
    // It kept its own instance lock all along.
    expect(s.stats[3]?.globals[LOCK]).toBe(INSTANCE_ID);
  });

  it('takes over a lock whose owner stopped beating for 2 minutes, and steps back when its own lock is taken', () => {
    const s = session([
      `gv ${LOCK} 99`,
      `gv ${LOCK}.beat now`,
      'clock 121000',
      'timer',
      'stats',
      ...PAIR,
      'timer 10',
      'timer 1500',
      'stats',
      `gv ${LOCK} 42`,
      'timer 10',
      'timer 5000',
      'stats',
    ]);
    expect(s.stats[0]).toMatchObject({ open: true, opens: 1, alerts: [] });
    expect(s.stats[0]?.globals[LOCK]).toBe(INSTANCE_ID);
    // The owner's heartbeat follows its clock.
    expect(s.stats[1]?.globals[`${LOCK}.beat`]).toBeGreaterThan(1_000_000 + 5000 + 121_000);
    // Another instance took the lock (it judged this one dead): the link closes and the EA stays idle.
    expect(s.stats[2]).toMatchObject({ open: false, opens: 1 });
    expect(s.stats[2]?.alerts).toHaveLength(1);
  });
});
