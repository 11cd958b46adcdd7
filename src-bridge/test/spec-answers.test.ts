/**
 * Answers docs/bridge-protocol.md promises that a second EA implementation must reproduce, checked against the
 * simulator over a real Unix socket: tickets that name nothing, a filling the app chose, what SLTP/MODIFY/REMOVE
 * answer, the subscribe answer before the first tick, and unknown event types apart from bad frames.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeSession } from '../server/session';
import { next, socketPath, startHarness, type Harness } from './harness';
import { pairRaw, rawApp, rawClient } from './raw-peers';
import { startSimulator } from '../simulator/simulator';
import { generateToken } from '../server/endpoint';
import { startBridgeServer } from '../server/bridge-server';
import { createMemoryLogger } from '../../src-core/logger';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import { SYMBOL_FILLING_FLAG } from '../../src-core/trading/symbol-spec';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
const track = (cleanup: () => Promise<void>): void => {
  cleanups.push(cleanup);
};

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

let seq = 0;
const clOrdId = (): string => `pd-spec-${String((seq += 1))}`;

async function send(
  session: BridgeSession,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const r = await session.request('order_send', {
    clOrdId: clOrdId(),
    magic: '26042001',
    ...params,
  } as never);
  if (!r.ok) throw new Error(`order_send failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

describe('tickets that name nothing', () => {
  it('answers 10036 for an unknown or already closed position and 10013 for an unknown order, executing nothing', async () => {
    const h = await harness({ sim: { account: { marginMode: 'hedging' } } });
    const opened = await send(h.session, { action: 'DEAL', symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    expect(opened).toMatchObject({ retcode: 10009 });
    const ticket = String(opened['order']);
    const closed = await send(h.session, {
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'SELL',
      volume: 0.1,
      position: ticket,
    });
    expect(closed).toMatchObject({ retcode: 10009 });
    const dealsBefore = h.sim.state.deals().length;
    const nothing = { order: '0', deal: '0', volume: 0, price: 0, duplicate: false, outcome: 'rejected' };
    for (const position of [ticket, '987654321']) {
      expect(
        await send(h.session, { action: 'SLTP', position, symbol: 'EURUSD', sl: 1.05, tp: 0 }),
      ).toMatchObject({ retcode: 10036, ...nothing });
      expect(
        await send(h.session, {
          action: 'DEAL',
          symbol: 'EURUSD',
          orderType: 'SELL',
          volume: 0.1,
          position,
        }),
      ).toMatchObject({ retcode: 10036, ...nothing });
      expect(await send(h.session, { action: 'CLOSE_BY', position, positionBy: '987654322' })).toMatchObject({
        retcode: 10036,
        ...nothing,
      });
    }
    expect(
      await send(h.session, { action: 'MODIFY', order: '987654323', price: 1.05, sl: 0, tp: 0 }),
    ).toMatchObject({ retcode: 10013, ...nothing });
    expect(await send(h.session, { action: 'REMOVE', order: '987654323' })).toMatchObject({
      retcode: 10013,
      ...nothing,
    });
    expect(h.sim.state.deals()).toHaveLength(dealsBefore);
    expect(h.sim.state.positions()).toEqual([]);
  });
});

describe('filling', () => {
  it('sends a filling the app chose once and answers 10030 without trying another; the EA retries only its own choice', async () => {
    // AUDUSD allows FOK only (catalog), so IOC is refused with 10030.
    const h = await harness({ sim: { account: { marginMode: 'hedging' } } });
    const id = clOrdId();
    const deal = { action: 'DEAL', symbol: 'AUDUSD', orderType: 'BUY', volume: 0.1 } as const;
    const chosen = await h.session.request('order_send', {
      clOrdId: id,
      magic: '1',
      ...deal,
      filling: 'IOC',
    });
    expect(chosen).toMatchObject({
      ok: true,
      value: { retcode: 10030, filling: 'IOC', outcome: 'retryable', order: '0', deal: '0' },
    });
    expect(h.sim.state.positions()).toEqual([]);
    // Nothing executed and nothing stored: the same clOrdId may be sent again, here leaving the choice to the EA.
    const again = await h.session.request('order_send', { clOrdId: id, magic: '1', ...deal });
    expect(again).toMatchObject({ ok: true, value: { retcode: 10009, filling: 'FOK', duplicate: false } });
    expect(h.sim.state.positions()).toHaveLength(1);
  });
});

describe('the filling the EA chooses (docs/mql5-functions.md, "Filling")', () => {
  it('Market execution: a market order on a symbol allowing neither FOK nor IOC is answered 10030, nothing executed', async () => {
    const eurusd = findCatalogSymbol('EURUSD');
    if (eurusd === undefined) throw new Error('no EURUSD');
    const h = await harness({
      sim: {
        symbols: [{ ...eurusd, executionMode: 'MARKET', fillingFlags: 0 }],
        account: { marginMode: 'hedging' },
      },
    });
    const dealsBefore = h.sim.state.deals().length;
    const r = await h.session.request('order_send', {
      clOrdId: clOrdId(),
      magic: '1',
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: 0.1,
    });
    expect(r).toMatchObject({
      ok: true,
      value: { retcode: 10030, order: '0', deal: '0', outcome: 'retryable' },
    });
    expect(h.sim.state.positions()).toEqual([]);
    expect(h.sim.state.deals()).toHaveLength(dealsBefore);
  });

  it('Market execution: a limit order rests with RETURN, a stop order with the first flagged of FOK/IOC', async () => {
    const eurusd = findCatalogSymbol('EURUSD');
    if (eurusd === undefined) throw new Error('no EURUSD');
    const h = await harness({
      sim: {
        symbols: [{ ...eurusd, executionMode: 'MARKET', fillingFlags: SYMBOL_FILLING_FLAG.IOC }],
        account: { marginMode: 'hedging' },
      },
    });
    const q = h.sim.state.quote('EURUSD');
    if (q === undefined) throw new Error('no quote');
    const limit = await send(h.session, {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: Number((q.ask - 0.01).toFixed(5)),
    });
    const stop = await send(h.session, {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_STOP',
      volume: 0.1,
      price: Number((q.ask + 0.01).toFixed(5)),
    });
    expect(limit).toMatchObject({ retcode: 10008, filling: 'RETURN' });
    expect(stop).toMatchObject({ retcode: 10008, filling: 'IOC' });
  });
});

describe('what SLTP, MODIFY and REMOVE answer', () => {
  it('order "0" for SLTP and the order ticket for MODIFY/REMOVE; deal "0", volume 0 and price 0 for all three', async () => {
    const h = await harness({ sim: { account: { marginMode: 'hedging' } } });
    const opened = await send(h.session, { action: 'DEAL', symbol: 'EURUSD', orderType: 'BUY', volume: 0.1 });
    const q = h.sim.state.quote('EURUSD');
    if (q === undefined) throw new Error('no quote');
    const sltp = await send(h.session, {
      action: 'SLTP',
      position: String(opened['order']),
      symbol: 'EURUSD',
      sl: Number((q.bid - 0.005).toFixed(5)),
      tp: 0,
    });
    expect(sltp).toMatchObject({ retcode: 10009, order: '0', deal: '0', volume: 0, price: 0 });
    const placed = await send(h.session, {
      action: 'PENDING',
      symbol: 'EURUSD',
      orderType: 'BUY_LIMIT',
      volume: 0.1,
      price: Number((q.ask - 0.01).toFixed(5)),
    });
    expect(placed).toMatchObject({ retcode: 10008, deal: '0', volume: 0.1, price: 0 });
    const order = String(placed['order']);
    const modified = await send(h.session, {
      action: 'MODIFY',
      order,
      price: Number((q.ask - 0.02).toFixed(5)),
      sl: 0,
      tp: 0,
    });
    expect(modified).toMatchObject({ retcode: 10009, order, deal: '0', volume: 0, price: 0 });
    const removed = await send(h.session, { action: 'REMOVE', order });
    expect(removed).toMatchObject({ retcode: 10009, order, deal: '0', volume: 0, price: 0 });
    for (const r of [sltp, modified, removed]) expect(r).not.toHaveProperty('filling');
  });
});

describe('subscribe', () => {
  it.each([0, 30])(
    'answers before the first tick of the symbol, on the wire (answers delayed %i ms)',
    async (delayMs) => {
      const token = generateToken();
      const app = await rawApp(track, { token });
      const sim = startSimulator({
        path: app.path,
        token,
        tickMs: 5,
        reconnect: false,
        faults: { delayMs },
      });
      track(() => sim.stop());
      await app.nextFrame((f) => f['type'] === 'auth');
      await sim.waitForSession();
      for (const symbol of ['EURUSD', 'XAUUSD', 'GBPUSD']) {
        app.send({
          type: 'subscribe',
          id: `s-${symbol}`,
          deadlineMs: 5000,
          expiresAt: Date.now() + 5000,
          symbol,
        });
      }
      for (const symbol of ['EURUSD', 'XAUUSD', 'GBPUSD']) {
        await app.nextFrame((f) => f['type'] === 'tick' && f['symbol'] === symbol);
        const answer = app.frames.findIndex((f) => f['type'] === 'response' && f['id'] === `s-${symbol}`);
        const firstTick = app.frames.findIndex((f) => f['type'] === 'tick' && f['symbol'] === symbol);
        expect(answer).toBeGreaterThanOrEqual(0);
        expect(answer).toBeLessThan(firstTick);
      }
    },
  );
});

describe('unknown event types', () => {
  it('are ignored and counted apart from bad frames: 50 of them never close the link, 20 bad frames do', async () => {
    const path = socketPath();
    const token = generateToken();
    const log = createMemoryLogger();
    const server = await startBridgeServer({ path, token, logger: log, maxBadFramesPerMinute: 20 });
    track(() => server.close());
    const ea = await rawClient(path, track);
    const opened = next(server.onSession, (e) => e.kind === 'opened');
    expect(await pairRaw(ea, token, path)).toMatchObject({ type: 'welcome' });
    const event = await opened;
    if (event.kind !== 'opened') throw new Error('expected opened');
    const session = event.session;
    for (let i = 0; i < 50; i += 1) ea.send({ type: i % 2 === 0 ? 'margin_call' : 'news', level: i });
    // An answer sent after the 50 events proves they were all read, and the link is still up.
    const pending = session.request('account', {});
    const request = await ea.nextFrame((f) => f['type'] === 'account');
    ea.send({ type: 'response', id: request['id'], ok: false, error: { code: 'INTERNAL', message: 'x' } });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'EA_ERROR' } });
    expect(session.ignoredEvents).toBe(50);
    expect(session.isOpen).toBe(true);
    expect(ea.frames.filter((f) => f['type'] === 'error')).toEqual([]);
    expect(log.records.filter((l) => l.message.includes('ignoring an event type'))).toHaveLength(2);
    // An unknown type carrying an id is a broken frame, and those do count.
    const closed = next(server.onSession, (e) => e.kind === 'closed');
    for (let i = 0; i < 20; i += 1) ea.send({ type: 'news', id: `x-${String(i)}` });
    expect(await closed).toMatchObject({ reason: 'protocol_error' });
    expect(session.ignoredEvents).toBe(50);
  });
});
