/**
 * The EA against the app's real bridge server, protocol v2. The whole EA, compiled with g++ in live mode, runs its
 * timer loop in real time, reads token.txt and pipe.txt from a stand-in for MT5's Common\Files, and connects over
 * a real Unix socket (FileSize = bytes waiting, as MetaTrader's pipes are assumed to behave) to
 * `startBridgeServer`, which checks the EA's proof with node:crypto and validates every frame with the protocol
 * schemas. A squatter that does not hold the token is played by `startV2TestServer`. The terminal behind the EA is
 * the fake of mql5-terminal.h; the trade server's answers are its canned ones.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../src-core/logger';
import type { TickEvent } from '../../protocol/messages';
import { startBridgeServer, type BridgeServer, type SessionEvent } from '../../server/bridge-server';
import type { BridgeSession } from '../../server/session';
import { commonFiles, onCleanup, socketPath, startEa, useLiveEa } from './live-ea';
import { startV2TestServer } from './v2-test-server';

useLiveEa();

async function startServer(): Promise<{ server: BridgeServer; path: string; token: string }> {
  const path = socketPath();
  const token = randomBytes(32).toString('hex');
  const server = await startBridgeServer({ path, token, logger: createMemoryLogger() });
  onCleanup(() => server.close());
  return { server, path, token };
}

function nextSessionEvent(server: BridgeServer, kind: SessionEvent['kind']): Promise<SessionEvent> {
  return new Promise((resolve) => {
    const off = server.onSession((event) => {
      if (event.kind === kind) {
        off();
        resolve(event);
      }
    });
  });
}

async function openSession(): Promise<{ server: BridgeServer; session: BridgeSession }> {
  const { server, path, token } = await startServer();
  const opened = nextSessionEvent(server, 'opened');
  startEa(commonFiles({ token, pipe: path }));
  const event = await opened;
  if (event.kind !== 'opened') throw new Error('unreachable');
  return { server, session: event.session };
}

/** Unwraps a request result, failing the test with the error when there is one. */
function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('the compiled EA against the real v2 bridge server over a Unix socket', () => {
  it('pairs, and answers every request type with results the server accepts', async () => {
    const { server, session } = await openSession();
    expect(session.key).toBe('81234567@Demo-Server');
    const account = value(await session.request('account', {}));
    // The server's trade_events request went first; the EA answers in order, so it has switched by now.
    expect(session.tradeEventForm).toBe('changes');
    expect(account).toMatchObject({
      timeOffsetSec: 10_800,
      login: '81234567',
      currency: 'USD',
      marginMode: 'hedging',
      tradeMode: 'demo',
    });
    expect(value(await session.request('symbols', {})).symbols.map((s) => s.name)).toEqual([
      'EURUSD',
      'GOLD',
      'US30',
      'NOQUOTE',
    ]);
    expect(value(await session.request('symbol_spec', { symbol: 'GOLD' }))).toMatchObject({
      name: 'GOLD',
      description: 'Gold — spot ☀',
      executionMode: 1,
    });
    expect(value(await session.request('quote', { symbol: 'EURUSD' }))).toMatchObject({
      bid: 1.085,
      ask: 1.0851,
    });
    expect(value(await session.request('positions', {})).positions).toHaveLength(2);
    expect(value(await session.request('orders', { symbol: 'EURUSD' })).orders).toHaveLength(1);
    const deals = value(await session.request('history_deals', { fromMs: 0, toMs: 4_000_000_000_000 })).deals;
    expect(deals).toHaveLength(4);
    expect(
      value(
        await session.request('calc_margin', {
          symbol: 'EURUSD',
          orderType: 'BUY',
          volume: 1,
          price: 1.0851,
        }),
      ).margin,
    ).toBeCloseTo(217.02, 2);

    const trade = {
      clOrdId: 'pd-live-1',
      magic: '26042001',
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: 0.1,
    } as const;
    expect(value(await session.request('order_check', trade))).toMatchObject({ retcode: 0, outcome: 'done' });
    const sent = value(await session.request('order_send', trade));
    expect(sent).toMatchObject({ retcode: 10009, outcome: 'done', filling: 'FOK', duplicate: false });
    expect(value(await session.request('order_send', trade))).toEqual({ ...sent, duplicate: true });
    const lookup = value(await session.request('lookup', { clOrdId: 'pd-live-1' }));
    expect(lookup.found).toBe(true);
    expect(lookup.lastResult).toEqual(sent);
    expect(
      value(await session.request('lookup', { clOrdId: 'pd-closed1' })).deals.map((d) => d.ticket),
    ).toEqual(['7200000001', '7200000002']);

    const firstTick = new Promise<TickEvent>((resolve) => {
      const off = server.onTick((tick) => {
        off();
        resolve(tick);
      });
    });
    expect(value(await session.request('subscribe', { symbol: 'US30' }))).toEqual({
      symbol: 'US30',
      subscribed: true,
    });
    expect(await firstTick).toMatchObject({ type: 'tick', symbol: 'US30', bid: 39000, ask: 39001 });
    expect(value(await session.request('unsubscribe', { symbol: '*' }))).toEqual({
      symbol: '*',
      subscribed: false,
    });

    const missing = await session.request('quote', { symbol: 'XYZ' });
    expect(missing.ok ? undefined : [missing.error.code, missing.error.eaCode]).toEqual([
      'EA_ERROR',
      'UNKNOWN_SYMBOL',
    ]);
  });

  it('with another token in its file, takes the app for a possible impostor and leaves; the app sees it abandon', async () => {
    const { server, path } = await startServer();
    const abandoned = nextSessionEvent(server, 'abandoned');
    const ea = startEa(commonFiles({ token: randomBytes(32).toString('hex'), pipe: path }));
    expect(await abandoned).toMatchObject({ kind: 'abandoned', login: '81234567', eaVersion: '2.10' });
    expect(await ea.journalLine('possible impostor')).toContain('same token.txt');
  });

  it('does not connect without a valid token file, and says where the token belongs', async () => {
    const { server, path } = await startServer();
    const events: string[] = [];
    server.onSession((e) => events.push(e.kind));
    const ea = startEa(commonFiles({ pipe: path }));
    expect(await ea.journalLine('waiting for a pairing token')).toContain('token.txt');
    expect(events).toEqual([]);
  });

  it('sends no auth and obeys nothing when a squatter on the pipe cannot prove it holds the token', async () => {
    const token = randomBytes(32).toString('hex');
    const squatter = await startV2TestServer({
      path: socketPath(),
      token,
      proofToken: randomBytes(32).toString('hex'),
    });
    onCleanup(() => squatter.close());
    const ea = startEa(commonFiles({ token, pipe: squatter.path }));
    expect(await ea.journalLine('possible impostor')).toContain(squatter.path);
    expect(await ea.firstAlert).toContain('possible impostor');
    expect(squatter.connections.flat().map((f) => f.type)).toEqual(['hello']);
    expect(JSON.stringify(squatter.connections)).not.toContain(token);
  });

  it('lets one EA per account talk to the app: a second copy in the same terminal stays idle until the first is removed', async () => {
    const { server, path, token } = await startServer();
    const terminal = { PIPDESK_GV_FILE: join(tmpdir(), `pd-gv-${randomBytes(6).toString('hex')}`) };
    onCleanup(() => {
      rmSync(terminal.PIPDESK_GV_FILE, { force: true });
    });
    const files = commonFiles({ token, pipe: path });
    const events: string[] = [];
    server.onSession((e) => {
      events.push(e.kind === 'closed' ? `closed:${e.reason}` : e.kind);
    });
    const firstOpened = nextSessionEvent(server, 'opened');
    const first = startEa(files, 20_000, { ...terminal, PIPDESK_CHART_ID: '131000000000000001' });
    const a = await firstOpened;
    const second = startEa(files, 20_000, { ...terminal, PIPDESK_CHART_ID: '131000000000000002' });
    expect(await second.firstAlert).toContain('another copy of the PipdeskBridge EA is already running');
    // The first session was never replaced and still answers.
    if (a.kind !== 'opened') throw new Error('unreachable');
    expect(value(await a.session.request('account', {})).login).toBe('81234567');
    expect(events).toEqual(['opened']);

    const secondOpened = nextSessionEvent(server, 'opened');
    first.child.kill('SIGTERM');
    await first.exited;
    const b = await secondOpened;
    expect(events).toEqual(['opened', 'closed:bye', 'opened']);
    if (b.kind !== 'opened') throw new Error('unreachable');
    expect(b.session.key).toBe(a.session.key);
    expect(value(await b.session.request('lookup', { clOrdId: 'pd-open1' })).found).toBe(true);
  });

  it('says bye and closes cleanly when it is removed from the chart', async () => {
    const { server, path, token } = await startServer();
    const opened = nextSessionEvent(server, 'opened');
    const closed = nextSessionEvent(server, 'closed');
    startEa(commonFiles({ token, pipe: path }), 1500);
    await opened;
    const event = await closed;
    expect(event.kind === 'closed' ? event.reason : undefined).toBe('bye');
  });
});
