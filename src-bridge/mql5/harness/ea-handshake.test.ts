/**
 * The EA's side of the protocol v2 handshake (docs/bridge-protocol.md, "Handshake"), scripted against the fake
 * terminal: pipe.txt and token.txt read before each attempt, the app's proof checked before the EA sends auth or
 * obeys anything, a possible impostor reported and backed off from, and timeOffsetSec in hello and account events.
 */
import { describe, expect, it } from 'vitest';
import {
  APP_NONCE,
  handshakeProof,
  HANDSHAKE,
  PAIR,
  PIPE_NAME,
  req,
  session,
  TIME_OFFSET_SEC,
  TOKEN,
  trade,
  useScriptedEa,
  WELCOME,
  type Frame,
} from './scripted-ea';

useScriptedEa();

const auths = (frames: Frame[]) => frames.filter((f) => f.type === 'auth');
const hellos = (frames: Frame[]) => frames.filter((f) => f.type === 'hello');

describe('where the EA connects and with which token', () => {
  it('waits for pipe.txt, then proves itself for the pipe it names', () => {
    const s = session([
      'nopipefile',
      'timer',
      'timer 2000',
      'timer 4000',
      'stats',
      'pipefile pipdesk-00ff00ff00ff00ff',
      'timer 8000',
      `challenge ${APP_NONCE}`,
      'timer 10',
      `app ${JSON.stringify(WELCOME)}`,
      'timer 10',
      'stats',
    ]);
    expect(s.stats[0]).toMatchObject({ open: false, opens: 0 });
    expect(s.stats[0]?.journal.filter((l) => l.includes('waiting for the Pipdesk app'))).toHaveLength(1);
    const hello = hellos(s.frames)[0];
    expect(auths(s.frames)).toEqual([
      {
        type: 'auth',
        proof: handshakeProof('ea', String(hello?.nonce), APP_NONCE, TOKEN, 'pipdesk-00ff00ff00ff00ff'),
      },
    ]);
    expect(s.stats[1]?.open).toBe(true);
    expect(Object.keys(s.stats[1]?.globals ?? {})).toContain('Pipdesk.81234567.pipdesk-00ff00ff00ff00ff');
  });

  it('uses InpPipeName when it is set, whatever pipe.txt says', () => {
    const s = session([...HANDSHAKE, 'stats'], { env: { PIPDESK_INP_PIPE_NAME: 'pipdesk-custom' } });
    const hello = hellos(s.frames)[0];
    expect(auths(s.frames)[0]?.proof).toBe(
      handshakeProof('ea', String(hello?.nonce), APP_NONCE, TOKEN, 'pipdesk-custom'),
    );
  });

  it('uses a fresh nonce for every connection', () => {
    const s = session([...HANDSHAKE, 'broken', 'timer 10', 'timer 1100', 'broken', 'timer 10', 'timer 2100']);
    const nonces = hellos(s.frames).map((h) => h.nonce);
    expect(nonces).toHaveLength(3);
    expect(new Set(nonces).size).toBe(3);
  });
});

describe('an app that cannot prove it holds the token', () => {
  it.each([
    ['a proof made with another token', 'wrongtoken'],
    ['a proof made for another pipe (a relay)', 'wrongendpoint'],
    ['the EA’s own role label (a reflection)', 'reflect'],
    ['a malformed nonce', 'badnonce'],
  ])(
    'is answered with nothing: %s closes the link, warns of an impostor and waits 30 s',
    (_name, variant) => {
      const order = trade('DEAL', 'pd-imp', { symbol: 'EURUSD', orderType: 'BUY', volume: 5 });
      const s = session([
        'timer',
        order,
        `challenge ${APP_NONCE} ${variant}`,
        order,
        'timer 10',
        'stats',
        'timer 29000',
        'stats',
        'timer 2000',
        'stats',
      ]);
      expect(auths(s.frames)).toEqual([]);
      expect(s.frames.map((f) => f.type)).toEqual(['hello', 'hello']);
      expect(s.stats.map((x) => [x.open, x.opens])).toEqual([
        [false, 1],
        [false, 1],
        [true, 2],
      ]);
      expect(s.stats[0]?.sent).toEqual([]);
      expect(s.stats[0]?.checked).toEqual([]);
      const warning = s.stats[0]?.journal.find((l) => l.includes('possible impostor')) ?? '';
      expect(warning).toContain(`\\\\.\\pipe\\${PIPE_NAME}`);
      expect(s.stats[2]?.alerts).toHaveLength(1);
    },
  );

  it('does not accept a challenge replayed from an earlier connection', () => {
    const s = session([
      'timer',
      'app {"type":"refused","reason":"BUSY","message":"later"}',
      'timer 10',
      'timer 11000',
      `challenge ${APP_NONCE} replay`,
      'timer 10',
      'stats',
    ]);
    expect(hellos(s.frames)).toHaveLength(2);
    expect(auths(s.frames)).toEqual([]);
    expect(s.stats[0]?.open).toBe(false);
    expect(s.stats[0]?.journal.some((l) => l.includes('possible impostor'))).toBe(true);
  });

  it('treats a welcome without a challenge as an impostor, and obeys no request before welcome', () => {
    const order = trade('DEAL', 'pd-early', { symbol: 'EURUSD', orderType: 'BUY', volume: 5 });
    const s = session(['timer', order, `app ${JSON.stringify(WELCOME)}`, order, 'timer 10', 'stats']);
    expect(s.frames.map((f) => f.type)).toEqual(['hello']);
    expect(s.stats[0]).toMatchObject({ open: false, sent: [], checked: [] });
    expect(s.stats[0]?.journal.some((l) => l.includes('possible impostor'))).toBe(true);
  });

  it('ignores requests between its auth and the app’s welcome', () => {
    const order = trade('DEAL', 'pd-between', { symbol: 'EURUSD', orderType: 'BUY', volume: 5 });
    const s = session(['timer', `challenge ${APP_NONCE}`, 'timer 10', order, 'timer 10', 'stats']);
    expect(s.frames.map((f) => f.type)).toEqual(['hello', 'auth']);
    expect(s.stats[0]?.sent).toEqual([]);
  });
});

describe('after the handshake', () => {
  it('reconnects with the new token after bye TOKEN_ROTATED', () => {
    const rotated = 'c3'.repeat(32);
    const s = session([
      ...HANDSHAKE,
      `token ${rotated}`,
      'app {"type":"bye","reason":"TOKEN_ROTATED","message":"new token"}',
      'timer 10',
      'timer 1100',
      ...PAIR,
      'timer 10',
      'stats',
    ]);
    const [, second] = hellos(s.frames);
    expect(auths(s.frames)[1]?.proof).toBe(handshakeProof('ea', String(second?.nonce), APP_NONCE, rotated));
    expect(s.stats[0]).toMatchObject({ open: true, opens: 2 });
  });

  it('reports the trade server’s offset from UTC in hello, account and every account event when it changes', () => {
    const account = req('account');
    const s = session([...HANDSHAKE, account, 'timer 10', 'tzoffset 7200', 'timer 300', 'stats']);
    expect(hellos(s.frames)[0]?.timeOffsetSec).toBe(TIME_OFFSET_SEC);
    const response = s.frames.find((f) => f.type === 'response');
    expect((response?.result as { timeOffsetSec?: number }).timeOffsetSec).toBe(TIME_OFFSET_SEC);
    const events = s.frames.filter((f) => f.type === 'account').map((f) => f.timeOffsetSec);
    expect(events).toEqual([TIME_OFFSET_SEC, 7200]);
  });
});
