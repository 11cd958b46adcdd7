import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeServer, SessionEvent } from '../../../src-bridge/server/bridge-server';
import type { RequestType, TickEvent } from '../../../src-bridge/protocol/messages';
import { next, startHarness, type Harness } from '../../../src-bridge/test/harness';
import type { SimulatorOptions } from '../../../src-bridge/simulator/simulator';
import { brokerSimOptions } from '../../../src-bridge/simulator/brokers/broker-profile';
import { findBrokerProfile } from '../../../src-bridge/simulator/brokers/profiles';
import { findCatalogSymbol } from '../../../src-core/trading/catalog';
import { systemClock } from '../../../src-core/clock';
import { createMemoryLogger } from '../../../src-core/logger';
import { bridgeAccounts } from '../cloud-sync/accounts-port';
import { FAST_EXECUTOR } from '../testing/sim-setup';
import { createTradingServices, type TradingServices } from '../trading-services';
import { startPaperAccount, type PaperAccount } from './paper-account';
import { PaperStore } from './paper-store';
import { sessionPriceSource } from './price-source';

/**
 * The paper account against the simulator standing in for the live terminal, over a real Unix socket: paper orders
 * fill at the live bid/ask through the desktop's executor, nothing reaches the live terminal, and the account
 * survives a restart and a reset (SQLite file in a temp folder).
 */

const TRADE_REQUESTS: ReadonlySet<RequestType> = new Set(['order_send', 'order_check', 'lookup']);

interface Rig {
  readonly harness: Harness;
  readonly dataDir: string;
  /** Every request the app sent through the pipe server, by session. */
  readonly sent: { key: string; type: RequestType }[];
  readonly spied: BridgeServer;
  services: TradingServices;
  store: PaperStore;
  paper: PaperAccount;
}

let rig: Rig | undefined;
afterEach(async () => {
  if (rig === undefined) return;
  await rig.paper.stop();
  rig.services.close();
  await rig.harness.close();
  rmSync(rig.dataDir, { recursive: true, force: true });
  rig = undefined;
});

async function openPaper(
  r: Pick<Rig, 'harness' | 'spied'>,
  services: TradingServices,
  watchRefreshMs?: number,
): Promise<{ store: PaperStore; paper: PaperAccount }> {
  const store = new PaperStore(services.db, systemClock);
  const paper = await startPaperAccount({
    path: r.harness.path,
    token: r.harness.token,
    source: sessionPriceSource(r.spied, r.harness.sim.key),
    store,
    logger: createMemoryLogger(),
    ...(watchRefreshMs === undefined ? {} : { watchRefreshMs }),
  });
  await paper.waitForSession();
  return { store, paper };
}

function openServices(r: Pick<Rig, 'dataDir' | 'spied'>, paperKey: () => string): TradingServices {
  return createTradingServices({
    dataDir: r.dataDir,
    bridge: r.spied,
    activeSession: paperKey,
    accountKind: (account) => (account === paperKey() ? 'paper' : 'real'),
    logger: createMemoryLogger(),
    executor: FAST_EXECUTOR,
  });
}

async function start(
  sim: Partial<SimulatorOptions> = { symbols: ['EURUSD', 'GBPUSD', 'USDJPY'] },
  watchRefreshMs?: number,
): Promise<Rig> {
  const harness = await startHarness({ sim });
  const sent: { key: string; type: RequestType }[] = [];
  // The spy sits on the one server object everything in the app is given: every request of every part passes here.
  const spied: BridgeServer = {
    ...harness.server,
    request: (key, type, params, options) => {
      sent.push({ key, type });
      return harness.server.request(key, type, params, options);
    },
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-paper-'));
  let paperKey = '';
  const services = openServices({ dataDir, spied }, () => paperKey);
  const { store, paper } = await openPaper({ harness, spied }, services, watchRefreshMs);
  paperKey = paper.key;
  rig = { harness, dataDir, sent, spied, services, store, paper };
  return rig;
}

/** Moves the live price and waits until the paper server has it (it arrives as a tick over the socket). */
async function livePrice(r: Rig, symbol: string, bid: number, ask: number): Promise<void> {
  const arrived = next<TickEvent>(
    (l) => r.harness.server.onTick(l),
    (tick) => tick.symbol === symbol && tick.bid === bid,
  );
  r.harness.sim.setPrice(symbol, bid, ask);
  await arrived;
  // The paper account's tick listener ran in the same emit; the quote is there now.
  expect(r.paper.server.quote(symbol)).toMatchObject({ bid, ask });
}

describe('paper account on live prices', () => {
  it('fills at the live bid/ask through the executor and sends nothing to the live terminal', async () => {
    const r = await start();
    expect(r.paper.key).toBe(`5001@Pipdesk-Sim #paper`);
    expect(r.paper.server.account().balance).toBe(10_000);
    await livePrice(r, 'EURUSD', 1.2345, 1.2347);

    const buy = await r.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(buy).toMatchObject({ ok: true, price: 1.2347 });
    await livePrice(r, 'EURUSD', 1.2401, 1.2403);
    const sell = await r.services.executor.openMarket({ symbol: 'EURUSD', side: 'sell', volume: 0.2 });
    expect(sell).toMatchObject({ ok: true, price: 1.2401 });
    const pending = await r.services.executor.placePending({
      symbol: 'EURUSD',
      kind: 'buy_limit',
      volume: 0.1,
      price: 1.2,
    });
    expect(pending).toMatchObject({ ok: true });

    const book = r.paper.server.positions();
    expect(book.map((p) => [p.type, p.priceOpen])).toEqual([
      [0, 1.2347],
      [1, 1.2401],
    ]);
    expect(r.paper.server.orders()).toHaveLength(1);
    // Profit runs on the live quotes: 0.1 lot bought at 1.2347 and valued at the live bid 1.2401 is 54.00 up.
    expect(book[0]?.profit).toBeCloseTo(54, 6);

    // The live terminal: no trade request ever addressed to it, and its books hold nothing but the deposit.
    const toLive = r.sent.filter((s) => s.key === r.harness.sim.key);
    expect(toLive.length).toBeGreaterThan(0);
    expect(toLive.filter((s) => TRADE_REQUESTS.has(s.type))).toEqual([]);
    expect(r.sent.filter((s) => s.key === r.paper.key && s.type === 'order_send')).toHaveLength(3);
    expect(r.harness.sim.state.positions()).toEqual([]);
    expect(r.harness.sim.state.orders()).toEqual([]);
    expect(r.harness.sim.state.historyOrders()).toEqual([]);
    expect(r.harness.sim.state.deals().map((d) => d.comment)).toEqual(['initial deposit']);

    // What cloud sync would send about each account: the paper one marked, the live one not.
    const accounts = bridgeAccounts(r.spied, undefined, (key) => key === r.paper.key);
    expect(await accounts.status(r.paper.key)).toMatchObject({ is_paper: true, open_positions: 2 });
    expect(await accounts.status(r.harness.sim.key)).not.toHaveProperty('is_paper');

    // The journal rows name the paper session they went to.
    const page = r.services.journal.query({ limit: 10 });
    expect(page.entries).toHaveLength(3);
    for (const e of page.entries) {
      expect(r.services.journal.accountOf(e.id)).toBe(r.paper.key);
      expect(e.accountKind).toBe('paper');
    }
  });

  it('closes its market while the live terminal is away and opens it again when it is back', async () => {
    const r = await start();
    await livePrice(r, 'EURUSD', 1.1, 1.1002);
    const gone = next<SessionEvent>(
      (l) => r.harness.server.onSession(l),
      (e) => e.kind === 'closed' && e.session.key === r.harness.sim.key,
    );
    r.harness.sim.drop();
    await gone;
    const refused = await r.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(refused).toMatchObject({ ok: false, code: 'MARKET_CLOSED' });
    await r.harness.sim.waitForSession();
    await expect
      .poll(
        async () => (await r.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 })).ok,
      )
      .toBe(true);
    expect(r.paper.server.positions()).toHaveLength(1);
    expect(r.harness.sim.state.historyOrders()).toEqual([]);
  });

  it('restores balance, book and history after a restart, and starts again on reset', async () => {
    const r = await start();
    await livePrice(r, 'EURUSD', 1.1, 1.1002);
    const buy = await r.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.5 });
    expect(buy.ok).toBe(true);
    await livePrice(r, 'EURUSD', 1.101, 1.1012);
    const ticket = r.paper.server.positions()[0]?.ticket ?? '';
    expect(await r.services.executor.closePosition({ ticket, volume: 0.2 })).toMatchObject({ ok: true });
    const before = r.paper.server.snapshot();
    // 0.2 lot closed 80 points up at the live bid: 16.00 booked.
    expect(before.balance).toBe(10_016);

    // Restart: everything stops, the database file is opened again by new services.
    await r.paper.stop();
    r.services.close();
    let paperKey = '';
    r.services = openServices(r, () => paperKey);
    ({ store: r.store, paper: r.paper } = await openPaper(r, r.services));
    paperKey = r.paper.key;
    const after = r.paper.server.snapshot();
    expect(after).toEqual(before);
    expect(r.paper.server.positions()[0]).toMatchObject({ ticket, volume: 0.3 });

    // It trades on where it stopped: new tickets follow the old ones, the book and balance carry on.
    const more = await r.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1 });
    expect(more.ok).toBe(true);
    expect(Number(more.ok ? more.order : 0)).toBeGreaterThan(Number(buy.ok ? buy.order : 0));
    expect(r.paper.server.positions()).toHaveLength(2);

    // Reset: the saved account is removed and a fresh one opens on the same live terminal.
    await r.paper.stop();
    r.store.remove(r.paper.key);
    ({ store: r.store, paper: r.paper } = await openPaper(r, r.services));
    expect(r.paper.server.account().balance).toBe(10_000);
    expect(r.paper.server.positions()).toEqual([]);
    expect(r.paper.server.deals().map((d) => d.comment)).toEqual(['initial deposit']);
    expect(r.store.keys()).toEqual([r.paper.key]);
  });

  it('charges the commission and slippage set for it, through the executor, and keeps them after a restart', async () => {
    const r = await start();
    // No broker profile plays `Pipdesk-Sim`: no commission, and no slippage until it is set.
    expect(r.paper.costs()).toEqual({
      commissionPerLotPerSide: 0,
      slippagePoints: 0,
      commissionFrom: 'none',
    });
    r.paper.setCosts({ commissionPerLotPerSide: 3.5, slippagePoints: 2 });
    expect(r.paper.costs()).toEqual({
      commissionPerLotPerSide: 3.5,
      slippagePoints: 2,
      commissionFrom: 'trader',
    });

    await livePrice(r, 'EURUSD', 1.2345, 1.2347);
    // A market buy fills 2 points above the live ask: 1.23470 + 0.00002.
    const buy = await r.services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.2 });
    expect(buy).toMatchObject({ ok: true, price: 1.23472 });
    const limit = await r.services.executor.placePending({
      symbol: 'EURUSD',
      kind: 'buy_limit',
      volume: 0.1,
      price: 1.23,
    });
    expect(limit.ok).toBe(true);
    await livePrice(r, 'EURUSD', 1.2401, 1.2403);
    const ticket = r.paper.server.positions()[0]?.ticket ?? '';
    // The close sells 2 points below the live bid: 1.24010 − 0.00002.
    expect(await r.services.executor.closePosition({ ticket })).toMatchObject({ ok: true, price: 1.24008 });
    // The limit fills at its own price though the ask fell below it: never slipped.
    await livePrice(r, 'EURUSD', 1.2288, 1.229);

    // What the History tab and reports read: the paper session's deals over the app's pipe.
    const deals = await r.harness.server.request(r.paper.key, 'history_deals', {
      fromMs: 0,
      toMs: Date.now() + 86_400_000,
    });
    expect(deals.ok).toBe(true);
    const trades = deals.ok ? deals.value.deals.filter((d) => d.type === 0 || d.type === 1) : [];
    expect(trades.map((d) => [d.price, d.volume, d.commission, d.profit])).toEqual([
      [1.23472, 0.2, -0.7, 0],
      // (1.24008 − 1.23472) × 0.2 lot × 100,000 = 107.20
      [1.24008, 0.2, -0.7, 107.2],
      [1.23, 0.1, -0.35, 0],
    ]);
    // 10,000 + 107.20 − 0.70 − 0.70 − 0.35 = 10,105.45
    expect(r.paper.server.account().balance).toBe(10_105.45);

    await r.paper.stop();
    ({ store: r.store, paper: r.paper } = await openPaper(r, r.services));
    expect(r.paper.costs()).toEqual({
      commissionPerLotPerSide: 3.5,
      slippagePoints: 2,
      commissionFrom: 'trader',
    });
  });

  it("takes the live broker's profile commission by default: Exness Raw Spread, 3.50 a lot a side", async () => {
    const raw = brokerSimOptions(findBrokerProfile('exness-raw') ?? fail());
    const r = await start({
      account: { ...raw.account, server: 'Exness-MT5Trial7' },
      symbols: raw.symbols.filter((s) => ['EURUSDr', 'GBPUSDr'].includes(s.name)),
      mids: raw.mids,
    });
    expect(r.paper.costs()).toEqual({
      commissionPerLotPerSide: 3.5,
      slippagePoints: 0,
      commissionFrom: 'profile:exness-raw',
    });
    await livePrice(r, 'EURUSDr', 1.1, 1.10001);
    const buy = await r.services.executor.openMarket({ symbol: 'EURUSDr', side: 'buy', volume: 1 });
    expect(buy).toMatchObject({ ok: true, price: 1.10001 });
    expect(r.paper.server.deals().at(-1)).toMatchObject({ volume: 1, commission: -3.5 });
    expect(r.paper.server.account().balance).toBe(9_996.5);
  });

  it('picks up a symbol added to the live Market Watch while it is open: spec, prices and trading', async () => {
    const r = await start(undefined, 50);
    expect(r.paper.server.spec('AUDUSD')).toBeUndefined();
    const audusd = findCatalogSymbol('AUDUSD') ?? fail();
    // The live terminal lists a new symbol and quotes it.
    expect(r.harness.sim.state.addSymbol(audusd)).toBe(true);
    r.harness.sim.setPrice('AUDUSD', 0.6612, 0.6614);
    await expect.poll(() => r.paper.server.quote('AUDUSD')?.bid, { timeout: 5_000 }).toBe(0.6612);
    expect(r.paper.server.spec('AUDUSD')).toMatchObject({ contractSize: audusd.contractSize, digits: 5 });

    // The app sees it on the paper session, its live ticks reach the paper server, and it trades there.
    const listed = await r.harness.server.request(r.paper.key, 'symbols', {});
    expect(listed.ok && listed.value.symbols.map((s) => s.name)).toContain('AUDUSD');
    await livePrice(r, 'AUDUSD', 0.662, 0.6622);
    const buy = await r.services.executor.openMarket({ symbol: 'AUDUSD', side: 'buy', volume: 0.1 });
    expect(buy).toMatchObject({ ok: true, price: 0.6622 });
    expect(r.harness.sim.state.positions()).toEqual([]);
    expect(r.sent.filter((s) => s.key === r.harness.sim.key && TRADE_REQUESTS.has(s.type))).toEqual([]);
  });
});

function fail(): never {
  throw new Error('test set-up: missing fixture');
}
