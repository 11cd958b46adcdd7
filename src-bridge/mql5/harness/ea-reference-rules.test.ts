/**
 * The EA held to what the MQL5 Reference and MetaQuotes' own code say (docs/mql5-functions.md): filling choice,
 * which requests OrderCheck gates, retcode classes, NUL bytes, welcome's ranges, bounded echoes and logs, temporary
 * global variables and the minimum terminal build. Each scenario runs the whole EA compiled against the fake
 * terminal (harness/ea-driver.cpp).
 */
import { describe, expect, it } from 'vitest';
import {
  APP_NONCE,
  failure,
  HANDSHAKE,
  PAIR,
  result,
  session,
  trade,
  useScriptedEa,
  WELCOME,
  type Frame,
} from './scripted-ea';

useScriptedEa();

const LOCK = 'Pipdesk.81234567.pipdesk-1a2b3c4d5e6f7a8b';
const MARKET = 2;
const EXCHANGE = 3;
const FOK = 0;
const IOC = 1;
const RETURN = 2;

describe('filling as CTrade and the fill policy rules choose it', () => {
  const buy = (id: string, params: Record<string, unknown> = {}) =>
    trade('DEAL', id, { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1, ...params });
  const pending = (id: string, orderType: string, price: number, params: Record<string, unknown> = {}) =>
    trade('PENDING', id, { symbol: 'EURUSD', orderType, volume: 0.1, price, ...params });

  it('never sends RETURN for a market or stop order on Market execution: FOK, then IOC', () => {
    const lines = {
      iocOnly: buy('pd-ioc'),
      iocRetry: buy('pd-ioc2'),
      stopIoc: pending('pd-stop', 'BUY_STOP', 1.09),
      limit: pending('pd-limit', 'BUY_LIMIT', 1.08),
      limitRetry: pending('pd-limit2', 'BUY_LIMIT', 1.08),
    };
    const s = session([
      ...HANDSHAKE,
      `symfill EURUSD ${MARKET} 2`,
      lines.iocOnly,
      'timer 10',
      'sendcodes 10030',
      lines.iocRetry,
      'timer 10',
      lines.stopIoc,
      'timer 10',
      `symfill EURUSD ${MARKET} 3`,
      lines.limit,
      'timer 10',
      'sendcodes 10030,10009',
      lines.limitRetry,
      'timer 10',
      'stats',
    ]);
    const sent = s.stats[0]?.sent ?? [];
    const fillings = (comment: string) => sent.filter((r) => r.comment === comment).map((r) => r.filling);
    expect(fillings('pd-ioc')).toEqual([IOC]);
    // The only candidate failed: nothing else is tried, RETURN least of all.
    expect(fillings('pd-ioc2')).toEqual([IOC]);
    expect(result(s, lines.iocRetry)).toMatchObject({ retcode: 10030, filling: 'IOC' });
    expect(fillings('pd-stop')).toEqual([IOC]);
    // A limit order may rest with RETURN on Market execution; the one retry goes to the symbol's first flag.
    expect(fillings('pd-limit')).toEqual([RETURN]);
    expect(fillings('pd-limit2')).toEqual([RETURN, FOK]);
  });

  it('answers 10030 without sending when a Market-execution symbol allows neither FOK nor IOC', () => {
    const send = buy('pd-none');
    const check = trade(
      'DEAL',
      'pd-none-c',
      { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 },
      'order_check',
    );
    const s = session([...HANDSHAKE, `symfill EURUSD ${MARKET} 0`, send, check, 'timer 10', 'stats']);
    expect(result(s, send)).toMatchObject({ retcode: 10030, duplicate: false });
    expect(result(s, check)).toMatchObject({ retcode: 10030 });
    expect(s.stats[0]?.sent).toEqual([]);
    expect(s.stats[0]?.checked).toEqual([]);
  });

  it('uses RETURN on Exchange execution: last for a market order, first for a pending one', () => {
    const market = buy('pd-x1');
    const stop = pending('pd-x2', 'SELL_STOP', 1.07);
    const s = session([
      ...HANDSHAKE,
      `symfill EURUSD ${EXCHANGE} 0`,
      market,
      stop,
      'timer 10',
      `symfill EURUSD ${EXCHANGE} 1`,
      'sendcodes 10030,10009',
      buy('pd-x3'),
      'timer 10',
      'stats',
    ]);
    const sent = s.stats[0]?.sent ?? [];
    const fillings = (comment: string) => sent.filter((r) => r.comment === comment).map((r) => r.filling);
    expect(fillings('pd-x1')).toEqual([RETURN]);
    expect(fillings('pd-x2')).toEqual([RETURN]);
    expect(fillings('pd-x3')).toEqual([FOK, RETURN]);
  });

  it('takes BOC from the app only for limit and stop-limit orders', () => {
    const dealBoc = buy('pd-b1', { filling: 'BOC' });
    const stopBoc = pending('pd-b2', 'BUY_STOP', 1.09, { filling: 'BOC' });
    const limitBoc = pending('pd-b3', 'BUY_LIMIT', 1.08, { filling: 'BOC' });
    const s = session([...HANDSHAKE, dealBoc, stopBoc, limitBoc, 'timer 10', 'stats']);
    expect(failure(s, dealBoc)).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(failure(s, dealBoc).message).toContain('BOC');
    expect(failure(s, stopBoc)).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(result(s, limitBoc)).toMatchObject({ retcode: 10009, filling: 'BOC' });
    expect(s.stats[0]?.sent.map((r) => [r.comment, r.filling])).toEqual([['pd-b3', 3]]);
  });
});

describe('OrderCheck and retcode classes', () => {
  it('sends SLTP, MODIFY, REMOVE and CLOSE_BY without OrderCheck, as CTrade does; DEAL and PENDING stay checked', () => {
    const lines = {
      sltp: trade('SLTP', 'pd-s', { position: '7000000001', sl: 1.079, tp: 1.1 }),
      modify: trade('MODIFY', 'pd-m', { order: '7100000001', price: 1.0805, sl: 0, tp: 0 }),
      remove: trade('REMOVE', 'pd-r', { order: '7100000001' }),
      closeBy: trade('CLOSE_BY', 'pd-c', { position: '7000000001', positionBy: '7000000002' }),
      deal: trade('DEAL', 'pd-d', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 }),
      sltpCheck: trade('SLTP', 'pd-sc', { position: '7000000001', sl: 1.079, tp: 1.1 }, 'order_check'),
    };
    // Every OrderCheck would refuse (10019): only the gated requests are stopped by it.
    const s = session([
      ...HANDSHAKE,
      'checkcodes 10019,10019,10019,10019,10019,10019',
      ...Object.values(lines),
      'timer 10',
      'stats',
    ]);
    expect(s.stats[0]?.sent.map((r) => r.comment)).toEqual(['pd-s', 'pd-m', 'pd-r', 'pd-c']);
    expect(s.stats[0]?.checked.map((r) => r.comment)).toEqual(['pd-d', 'pd-sc']);
    expect(result(s, lines.deal)).toMatchObject({ retcode: 10019 });
    expect(result(s, lines.sltpCheck)).toMatchObject({ retcode: 10019 });
    for (const line of [lines.sltp, lines.modify, lines.remove, lines.closeBy]) {
      expect(result(s, line)).toMatchObject({ retcode: 10009 });
    }
  });

  it('classes 10028 (locked) as unknown: the result is kept and a repeat is answered from it, not sent again', () => {
    const first = trade('DEAL', 'pd-lock', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const again = trade('DEAL', 'pd-lock', { symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const s = session([...HANDSHAKE, 'sendcodes 10028', first, 'timer 10', again, 'timer 10', 'stats']);
    expect(result(s, first)).toMatchObject({ retcode: 10028, duplicate: false });
    expect(result(s, again)).toMatchObject({ retcode: 10028, duplicate: true });
    expect(s.stats[0]?.sent).toHaveLength(1);
  });
});

describe('frames the app sends', () => {
  it('refuses a frame holding a NUL byte instead of reading it cut short', () => {
    const frame = { type: 'account', id: 'r-nul', deadlineMs: 30_000, expiresAt: 1_800_000_030_000 };
    const s = session([...HANDSHAKE, `app ${JSON.stringify(frame)}\u0000{"x":1}`, 'timer 10', 'stats']);
    expect(s.frames.filter((f) => f.type === 'error')).toEqual([
      expect.objectContaining({ code: 'BAD_JSON' }) as Frame,
    ]);
    expect(s.responses.has('r-nul')).toBe(false);
    expect(s.stats[0]?.open).toBe(true);
  });

  it.each([
    ['a 1 ms heartbeat', { heartbeatMs: 1 }],
    ['a heartbeat over a minute', { heartbeatMs: 3_600_000, silenceMs: 10_800_000 }],
    ['a silence shorter than two heartbeats', { heartbeatMs: 5000, silenceMs: 9000 }],
    ['a silence over ten minutes', { silenceMs: 4_000_000_000 }],
    ['a tiny frame limit', { maxFrameBytes: 100 }],
  ])('closes the link on a welcome with %s and waits 10 s', (_name, change) => {
    const s = session([
      'timer',
      `challenge ${APP_NONCE}`,
      'timer 10',
      `app ${JSON.stringify({ ...WELCOME, ...change })}`,
      'timer 10',
      'timer 5000',
      'stats',
      'timer 6000',
      'stats',
    ]);
    expect(s.frames.map((f) => f.type)).toEqual(['hello', 'auth', 'hello']);
    expect(s.stats.map((x) => [x.open, x.opens])).toEqual([
      [false, 1],
      [true, 2],
    ]);
    expect(s.stats[0]?.journal.some((l) => l.includes('invalid welcome'))).toBe(true);
  });

  it('bounds unknown types and ids before echoing or logging them', () => {
    const longType = `t${'y'.repeat(5000)}`;
    const longId = `i${'d'.repeat(5000)}`;
    const s = session([
      'timer',
      `app ${JSON.stringify({ type: longType, id: 'early' })}`,
      `app ${JSON.stringify({ type: 'error', code: 'X'.repeat(5000), message: 'm'.repeat(50_000) })}`,
      'timer 10',
      ...PAIR,
      'timer 10',
      `app ${JSON.stringify({ type: longType, id: longId })}`,
      `app ${JSON.stringify({ type: longType, id: 'ok-id' })}`,
      `app ${JSON.stringify({ id: longId })}`,
      `app ${JSON.stringify({ type: 'account', id: longId, deadlineMs: 1, expiresAt: 0 })}`,
      'timer 10',
      'stats',
    ]);
    const answers = s.frames.filter((f) => f.type === 'error' || f.type === 'response');
    expect(answers.map((f) => [f.type, f.id ?? null])).toEqual([
      ['error', null],
      ['response', 'ok-id'],
      ['error', null],
      ['error', null],
    ]);
    for (const f of answers)
      expect(JSON.stringify(f).length, JSON.stringify(f).slice(0, 80)).toBeLessThan(400);
    const journal = s.stats[0]?.journal ?? [];
    expect(journal.length).toBeGreaterThan(0);
    for (const line of journal) expect(line.length, line.slice(0, 80)).toBeLessThan(700);
  });
});

describe('the instance lock stays temporary', () => {
  it('re-creates a deleted heartbeat variable as a temporary one, never with a plain GlobalVariableSet', () => {
    const s = session([...HANDSHAKE, `gvdel ${LOCK}.beat`, 'timer 1500', 'stats', 'timer 1500', 'stats']);
    expect(s.stats[0]?.globals[`${LOCK}.beat`]).toBeGreaterThan(0);
    expect(s.stats[1]?.permanentGlobals).toEqual([]);
    expect(s.stats[1]?.open).toBe(true);
  });
});

describe('the minimum terminal build', () => {
  it('refuses to start below build 4000 and says why', () => {
    const s = session(['timer', 'stats'], { env: { PIPDESK_TERMINAL_BUILD: '3999' } });
    expect(s.initFailed).toBe(true);
    expect(s.frames).toEqual([]);
    expect(s.stats[0]?.journal.join('\n')).toMatch(/build 3999.*build 4000 or newer/);
  });

  it('starts at build 4000', () => {
    const s = session(['timer', 'stats'], { env: { PIPDESK_TERMINAL_BUILD: '4000' } });
    expect(s.initFailed).toBe(false);
    expect(s.frames.map((f) => f.type)).toEqual(['hello']);
  });
});
