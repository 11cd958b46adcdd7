import { afterEach, describe, expect, it } from 'vitest';
import { ipcChannels } from '../../../src-core/contracts/ipc';
import type { Deal } from '../../../src-core/history/deal';
import { closedTrades } from '../../../src-core/history/closed-trades';
import { systemClock } from '../../../src-core/clock';
import { createMemoryLogger } from '../../../src-core/logger';
import { startHarness, type Harness } from '../../../src-bridge/test/harness';
import type { ParamsOf } from '../../../src-bridge/protocol/messages';
import { createDealHistory, historyIpcHandlers, toDeal, type DealHistory } from './deal-history';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

let counter = 0;
type Trade = ParamsOf<'order_send'>;
type WithoutIds<T> = T extends unknown ? Omit<T, 'clOrdId' | 'magic'> : never;

async function send(h: Harness, params: WithoutIds<Trade>): Promise<{ order: string }> {
  counter += 1;
  const r = await h.session.request('order_send', { clOrdId: `dh-${counter}`, magic: '77', ...params });
  if (!r.ok || r.value.retcode !== 10009) throw new Error(`order_send failed: ${JSON.stringify(r)}`);
  return r.value;
}

async function setup(): Promise<{ h: Harness; history: DealHistory; announced: Deal[] }> {
  const h = await startHarness({ sim: { symbols: ['EURUSD'] } });
  cleanups.push(() => h.close());
  const announced: Deal[] = [];
  const history = createDealHistory({
    server: h.server,
    activeKey: () => h.session.key,
    onDeals: (deals) => announced.push(...deals),
    logger: createMemoryLogger(),
    clock: systemClock,
  });
  cleanups.push(() => {
    history.dispose();
  });
  return { h, history, announced };
}

/** Waits until `count` deals were announced (each DEAL_ADD leads to one lookup; no sleeping on time). */
async function announcedCount(history: DealHistory, announced: Deal[], count: number): Promise<void> {
  for (let i = 0; i < 200 && announced.length < count; i += 1) {
    await history.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('deal history over the bridge (a real simulator on a real socket)', () => {
  it('lists an open, a partial close and a stop-loss close, and pairs them into two closed trades', async () => {
    const { h, history, announced } = await setup();
    h.sim.setPrice('EURUSD', 1.1, 1.1002);
    const opened = await send(h, {
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'BUY',
      volume: 0.2,
      sl: 1.095,
    });
    await send(h, {
      action: 'DEAL',
      symbol: 'EURUSD',
      orderType: 'SELL',
      volume: 0.05,
      position: opened.order,
    });
    // The price falls through the stop: the simulated trade server closes the rest by itself.
    h.sim.setPrice('EURUSD', 1.094, 1.0942);
    await announcedCount(history, announced, 3);

    expect(announced.map((d) => [d.entry, d.reason, d.volume])).toEqual([
      ['in', 'expert', 0.2],
      ['out', 'expert', 0.05],
      ['out', 'sl', 0.15],
    ]);
    expect(new Set(announced.map((d) => d.ticket)).size).toBe(3);

    const listed = await historyIpcHandlers(history, undefined)['history:list-deals']({
      fromMs: 0,
      toMs: 4_102_444_800_000,
    });
    if (!listed.ok) throw new Error(listed.error.message);
    const trades = closedTrades(listed.value.deals);
    expect(trades.map((t) => [t.side, t.volume, t.isPartial, t.reason, t.openPrice])).toEqual([
      ['buy', 0.05, true, 'expert', 1.1002],
      ['buy', 0.15, false, 'sl', 1.1002],
    ]);
    expect(trades[1]?.profit).toBeLessThan(0);
  });

  it('does not announce a deal twice when the terminal repeats its transaction', async () => {
    const { h, history, announced } = await setup();
    await send(h, { action: 'DEAL', symbol: 'EURUSD', orderType: 'SELL', volume: 0.1 });
    await announcedCount(history, announced, 1);
    const again = await history.list(0, 4_102_444_800_000);
    if (!again.ok) throw new Error(again.error.message);
    // A second lookup (a later DEAL_ADD) must not bring the first deal back.
    await send(h, { action: 'DEAL', symbol: 'EURUSD', orderType: 'SELL', volume: 0.1 });
    await announcedCount(history, announced, 2);
    const trades = again.value.deals.filter((d) => d.kind === 'sell').map((d) => d.ticket);
    expect(announced.map((d) => d.ticket)).toEqual([...trades, announced[1]?.ticket]);
    // A symbol with a NUL passes the IPC schema (symbol names are the broker's) and simply matches nothing.
    const odd = await history.list(0, 4_102_444_800_000, 'EUR\u0000USD');
    expect(odd.ok && odd.value.deals).toEqual([]);
  });

  it('answers NOT_CONNECTED without a terminal, and the web host shows no OS notification itself', async () => {
    const { h } = await setup();
    const history = createDealHistory({
      server: h.server,
      activeKey: () => undefined,
      onDeals: () => undefined,
      logger: createMemoryLogger(),
      clock: systemClock,
    });
    cleanups.push(() => {
      history.dispose();
    });
    const handlers = historyIpcHandlers(history, undefined);
    const r = await handlers['history:list-deals']({ fromMs: 0, toMs: 1 });
    expect(r.ok ? null : r.error.code).toBe('NOT_CONNECTED');
    const shown = await handlers['app:show-notification']({ title: 't', body: 'b', tag: 'x' });
    expect(shown).toEqual({ ok: true, value: { isShown: false } });
    const viaShell = await historyIpcHandlers(history, () => true)['app:show-notification']({
      title: 't',
      body: 'b',
      tag: 'x',
    });
    expect(viaShell).toEqual({ ok: true, value: { isShown: true } });
  });
});

describe('toDeal', () => {
  const wire = {
    ticket: '8',
    order: '7',
    positionId: '7',
    symbol: 'EURUSD',
    type: 1,
    entry: 1,
    reason: 4,
    volume: 0.1,
    price: 1.1,
    profit: -5,
    swap: 0,
    commission: -0.35,
    magic: '0',
    comment: '[sl 1.1]',
    timeMsc: 1,
  };
  it('names the MT5 enums', () => {
    expect(toDeal(wire)).toMatchObject({ kind: 'sell', entry: 'out', reason: 'sl' });
    expect(toDeal({ ...wire, type: 2, reason: 99 })).toMatchObject({ kind: 'balance', reason: 'other' });
  });
  it('skips an entry value MT5 does not define and money beyond any account', () => {
    expect(toDeal({ ...wire, entry: 7 })).toBeNull();
    expect(toDeal({ ...wire, profit: 1e308 })).toBeNull();
  });
});

describe('history IPC requests (bad input)', () => {
  const list = ipcChannels['history:list-deals'].request;
  const notice = ipcChannels['app:show-notification'].request;
  it.each([
    ['an empty symbol', { fromMs: 0, toMs: 1, symbol: '' }],
    ['1e308', { fromMs: 0, toMs: 1e308 }],
    ['a negative time', { fromMs: -1, toMs: 1 }],
    ['a fraction', { fromMs: 0.5, toMs: 1 }],
    ['wrong types', { fromMs: '0', toMs: 1 }],
    ['from after to', { fromMs: 2, toMs: 1 }],
    ['an unknown field', { fromMs: 0, toMs: 1, extra: { a: { b: { c: {} } } } }],
    ['a huge symbol', { fromMs: 0, toMs: 1, symbol: 'X'.repeat(100_000) }],
  ])('list-deals refuses %s', (_name, request) => {
    expect(list.safeParse(request).success).toBe(false);
  });
  it('list-deals takes a range and an optional symbol', () => {
    expect(list.safeParse({ fromMs: 0, toMs: 1, symbol: 'XAUUSD' }).success).toBe(true);
  });
  it.each([
    ['an empty title', { title: '', body: '', tag: 't' }],
    ['a huge body', { title: 't', body: 'x'.repeat(1_001), tag: 't' }],
    ['deep nesting', { title: 't', body: 'b', tag: 't', n: { a: { b: {} } } }],
    ['a number title', { title: 1, body: 'b', tag: 't' }],
  ])('show-notification refuses %s', (_name, request) => {
    expect(notice.safeParse(request).success).toBe(false);
  });
});
