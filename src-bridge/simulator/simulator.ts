import { CATALOG_MID_PRICES, SYMBOL_CATALOG, findCatalogSymbol } from '../../src-core/trading/catalog';
import type { SymbolSpec, TradeMode } from '../../src-core/trading/symbol-spec';
import { silentLogger, type Logger } from '../../src-core/logger';
import { systemClock, type Clock } from '../../src-core/clock';
import { SimBarHistory } from './bar-history';
import { RandomWalkFeed, seededRandom, type FeedTick } from './feed';
import { SimTerminal, type SimulatorFaults, type TerminalStatus } from './terminal';
import { TradeServer, type MarketSchedule, type SimAccountConfig } from './trade-server';

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** The app's pipe (`\\.\pipe\<name>`) or Unix socket path… */
  readonly path?: string;
  /** …or the `pipe.txt` naming it, read before each connection attempt as the EA does. */
  readonly pipeFile?: string;
  /** The pairing token to present… */
  readonly token?: string;
  /** …or the token file to read before each connection attempt, as the EA does. */
  readonly tokenFile?: string;
  /** Account overrides; default login `5001`, server `Pipdesk-Sim`, USD, 1:100, hedging, 10,000. */
  readonly account?: Partial<SimAccountConfig>;
  /** Catalog symbol names, or full specs; default the whole catalog. */
  readonly symbols?: readonly (string | SymbolSpec)[];
  /** Starting mid prices; default the catalog's. */
  readonly mids?: Readonly<Record<string, number>>;
  /** Seed of the feed and of requotes/slippage. Default 1. */
  readonly seed?: number;
  /** Random-walk step period in ms; 0 (the default) leaves prices still until `setPrice`/`step`. */
  readonly tickMs?: number;
  /** Quote steps to replay (see `parseReplayCsv`) instead of the random walk. */
  readonly replay?: readonly FeedTick[];
  /** Replay pace: ms between replayed steps (default 100); 0 replays only on `step()`. */
  readonly replayMs?: number;
  readonly requoteRate?: number;
  readonly slippagePoints?: number;
  readonly schedule?: MarketSchedule;
  /** Commission per lot per side in the account currency (a broker profile's; default 0). */
  readonly commissionPerLotPerSide?: number;
  /** The trade server clock; default the wall clock shifted by `timeOffsetSec`. */
  readonly clock?: Clock;
  /**
   * The terminal's own UTC clock, which decides whether a request arrived after its `expiresAt` (the app stamps
   * that on its clock); default the wall clock. Tests pass the clock they give the app's bridge server.
   */
  readonly terminalClock?: Clock;
  /**
   * The trade server's clock minus UTC in seconds (default 0): every time the simulator reports (quotes, deals,
   * positions) is on that clock, and hello and account events carry the offset, as a real EA's do.
   */
  readonly timeOffsetSec?: number;
  readonly logger?: Logger;
  /** Reconnect backoff; default 1 s doubling to 30 s like the EA. false: no automatic reconnect. */
  readonly reconnect?: { readonly minMs: number; readonly maxMs: number } | false;
  /** Delay before retrying after a refused handshake (default 10 s). */
  readonly refusedRetryMs?: number;
  /**
   * Share another simulator's trade server: a second EA instance on the same account (same broker books). The
   * account, symbols, prices and market options above are then ignored.
   */
  readonly sharedState?: TradeServer;
  /** Faults active from the start. */
  readonly faults?: Partial<SimulatorFaults>;
  /** Connect at once (default true). */
  readonly autoConnect?: boolean;
  readonly eaVersion?: string;
  /**
   * Synthetic bars per timeframe served by `rates` before the first quote (bar-history.ts). Default 10,000
   * with the random walk, 0 with a replay (the file is the history).
   */
  readonly historyBars?: number;
}

/**
 * A running simulator: an MT5 terminal connected (or connecting) to the app, and its trade server. Everything a
 * test needs to drive the market and inspect the broker's side.
 */
export interface SimulatorHandle {
  /** The trade server: `account()`, `positions()`, `orders()`, `historyOrders()`, `deals()`, `executions(clOrdId)`. */
  readonly state: TradeServer;
  /** Faults to inject; change fields at any time. */
  readonly faults: SimulatorFaults;
  /** The terminal's `login@server`, the session key the app will see. */
  readonly key: string;
  /** Whether the handshake succeeded and the link is up. */
  readonly isConnected: boolean;
  /** Resolves at the next successful handshake (at once if connected now). Rejects after `timeoutMs`. */
  waitForSession(timeoutMs?: number): Promise<void>;
  /** Resolves at the next status change of this kind. Rejects after `timeoutMs`. */
  waitForStatus(kind: TerminalStatus['kind'], timeoutMs?: number): Promise<TerminalStatus>;
  /** Link changes: connected, refused, disconnected. */
  onStatus(listener: (status: TerminalStatus) => void): () => void;
  /** Sets a quote (pushes a tick if subscribed; triggers orders, SL/TP, stop-out). False for an unknown symbol. */
  setPrice(symbol: string, bid: number, ask: number): boolean;
  /** Advances the feed (random walk or replay) by one step. */
  step(): void;
  /** Forces a market open/closed (undefined: back to the schedule); `*` for all. */
  setMarketOpen(symbol: string, isOpen: boolean | undefined): void;
  /** The terminal's Algo Trading button (off → 10027). */
  setAutotrading(isOn: boolean): void;
  /** A symbol's trade mode (DISABLED → 10017, LONGONLY → 10042, …). */
  setTradeMode(symbol: string, mode: TradeMode): void;
  /** The terminal's link to the trade server; off → order_send and lookup answer TERMINAL_ERROR. */
  setTradeServerConnected(isConnected: boolean): void;
  /** Sends garbage frames (invalid JSON, invalid UTF-8, unknown type, an array). */
  sendGarbage(count: number): void;
  /** Sends raw bytes on the link. */
  sendRaw(bytes: Uint8Array): boolean;
  /** Drops the link like a broken pipe; the terminal keeps its memory and reconnects per policy. */
  drop(): void;
  /** Restarts the EA: drops the link, forgets the dedup table and subscriptions, reconnects at once. */
  restart(): void;
  /** Connects now (after `autoConnect: false`, a refusal or a drop without reconnect). */
  connect(): void;
  /** Disconnects for good and stops the feed. */
  stop(): Promise<void>;
}

const DEFAULT_ACCOUNT: SimAccountConfig = {
  login: '5001',
  server: 'Pipdesk-Sim',
  currency: 'USD',
  leverage: 100,
  marginMode: 'hedging',
  balance: 10_000,
  tradeMode: 'demo',
  name: 'Simulated Trader',
};

/** Starts a simulated terminal that connects to the app's pipe or socket. */
export function startSimulator(options: SimulatorOptions): SimulatorHandle {
  const logger = options.logger ?? silentLogger;
  const specs = (options.symbols ?? SYMBOL_CATALOG).map((s) => {
    if (typeof s !== 'string') return s;
    const spec = findCatalogSymbol(s);
    if (spec === undefined) throw new Error(`startSimulator: ${s} is not in the catalog`);
    return spec;
  });
  const random = seededRandom(options.seed ?? 1);
  if (options.path === undefined && options.pipeFile === undefined) {
    throw new Error('startSimulator: give path or pipeFile');
  }
  const offsetMs = (options.timeOffsetSec ?? 0) * 1000;
  const clock: Clock = options.clock ?? { now: () => systemClock.now() + offsetMs };
  const now = (): number => clock.now();
  const account = { ...DEFAULT_ACCOUNT, ...options.account };
  const server =
    options.sharedState ??
    new TradeServer({
      account,
      symbols: specs,
      clock,
      random,
      ...(options.requoteRate === undefined ? {} : { requoteRate: options.requoteRate }),
      ...(options.slippagePoints === undefined ? {} : { slippagePoints: options.slippagePoints }),
      ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
      ...(options.commissionPerLotPerSide === undefined
        ? {}
        : { commissionPerLotPerSide: options.commissionPerLotPerSide }),
    });
  const history = new SimBarHistory({
    specs,
    seed: options.seed ?? 1,
    syntheticBars: options.historyBars ?? (options.replay === undefined ? 10_000 : 0),
  });
  const record = (symbol: string): void => {
    const q = server.quote(symbol);
    if (q !== undefined) history.record(symbol, q.bid, q.ask, q.timeMsc);
  };
  const terminal = new SimTerminal({
    rates: (request) => history.rates(request),
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.pipeFile === undefined ? {} : { pipeFile: options.pipeFile }),
    ...(options.timeOffsetSec === undefined ? {} : { timeOffsetSec: options.timeOffsetSec }),
    ...(options.terminalClock === undefined ? {} : { terminalClock: options.terminalClock }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.tokenFile === undefined ? {} : { tokenFile: options.tokenFile }),
    server,
    logger,
    eaVersion: options.eaVersion ?? 'sim-0.1.0',
    reconnect: options.reconnect ?? { minMs: 1_000, maxMs: 30_000 },
    refusedRetryMs: options.refusedRetryMs ?? 10_000,
  });
  Object.assign(terminal.faults, options.faults);

  const feed = new RandomWalkFeed(specs, { ...CATALOG_MID_PRICES, ...options.mids }, random);
  const apply = (tick: FeedTick): void => {
    if (!server.setQuote(tick.symbol, tick.bid, tick.ask, tick.timeMs)) return;
    record(tick.symbol);
    terminal.pushTick(tick.symbol);
  };
  if (options.sharedState === undefined) {
    for (const tick of feed.initial(now())) {
      // A replay's history is its file: the start-up quote at the wall clock would sit after every replayed bar.
      if (options.replay === undefined) apply(tick);
      else if (server.setQuote(tick.symbol, tick.bid, tick.ask, tick.timeMs)) terminal.pushTick(tick.symbol);
    }
  }
  const replay = options.replay === undefined ? undefined : [...options.replay];
  let replayIndex = 0;
  const step = (): void => {
    if (replay !== undefined) {
      const tick = replay[replayIndex];
      if (tick === undefined) return;
      replayIndex += 1;
      apply(tick);
      return;
    }
    for (const tick of feed.step(now())) apply(tick);
  };
  const period = replay !== undefined ? (options.replayMs ?? 100) : (options.tickMs ?? 0);
  const feedTimer = period > 0 ? setInterval(step, period) : undefined;
  feedTimer?.unref();

  const waitForStatus = (kind: TerminalStatus['kind'], timeoutMs = 5_000): Promise<TerminalStatus> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`simulator: no ${kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = terminal.onStatus((status) => {
        if (status.kind !== kind) return;
        clearTimeout(timer);
        off();
        resolve(status);
      });
    });

  if (options.autoConnect ?? true) terminal.connect();

  return {
    state: server,
    faults: terminal.faults,
    key: `${server.account().login}@${server.account().server}`,
    get isConnected() {
      return terminal.isConnected;
    },
    waitForSession: async (timeoutMs) => {
      if (terminal.isConnected) return;
      await waitForStatus('connected', timeoutMs);
    },
    waitForStatus,
    onStatus: (listener) => terminal.onStatus(listener),
    setPrice: (symbol, bid, ask) => {
      const isSet = server.setQuote(symbol, bid, ask);
      if (isSet) {
        record(symbol);
        feed.setMid(symbol, (bid + ask) / 2);
        terminal.pushTick(symbol);
      }
      return isSet;
    },
    step,
    setMarketOpen: (symbol, isOpen) => {
      server.setMarketOpen(symbol, isOpen);
    },
    setAutotrading: (isOn) => {
      server.setAutotrading(isOn);
    },
    setTradeMode: (symbol, mode) => {
      server.setTradeMode(symbol, mode);
    },
    setTradeServerConnected: (isConnected) => {
      terminal.setTradeServerConnected(isConnected);
    },
    sendGarbage: (count) => {
      terminal.sendGarbage(count);
    },
    sendRaw: (bytes) => terminal.sendRaw(bytes),
    drop: () => {
      terminal.drop();
    },
    restart: () => {
      terminal.restart();
    },
    connect: () => {
      terminal.connect();
    },
    stop: async () => {
      if (feedTimer !== undefined) clearInterval(feedTimer);
      if (!terminal.isConnected) {
        terminal.stop();
        return;
      }
      const closed = waitForStatus('disconnected', 2_000).catch(() => undefined);
      terminal.stop();
      await closed;
    },
  };
}
