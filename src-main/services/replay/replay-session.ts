import type { Logger } from '../../../src-core/logger';
import { SimBarHistory } from '../../../src-bridge/simulator/bar-history';
import type { FeedTick } from '../../../src-bridge/simulator/feed';
import { SimTerminal, type TerminalStatus } from '../../../src-bridge/simulator/terminal';
import { TradeServer } from '../../../src-bridge/simulator/trade-server';
import { ReplayDriver } from './replay-driver';
import type { ReplayData } from './replay-file';

/**
 * The hello's EA version of a replay session. It starts with `sim` on purpose: everything that tells a live
 * terminal from the simulator (the paper account's choice of prices, the market port's "live" sessions) then
 * never takes a replay for a live terminal.
 */
export const REPLAY_EA_VERSION = 'sim-replay-1';

/** The suffix of a replay session's server name, which no broker uses: how the journal marks its rows. */
export const REPLAY_SERVER_SUFFIX = ' #replay';

/** Whether a session key (`login@server`) is a replay session's. */
export const isReplayKey = (key: string): boolean => key.endsWith(REPLAY_SERVER_SUFFIX);

/** Options of {@link startReplaySession}. */
export interface ReplaySessionOptions {
  /** The app's own pipe or socket, and its pairing token or token file: the replay terminal connects like an EA. */
  readonly path: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly data: ReplayData;
  /** The file's name, shown as the account's name. */
  readonly title: string;
  readonly logger: Logger;
  /** Deposit of the simulated account (default 10,000 USD). */
  readonly balance?: number;
  /** Login of the replay account; a new one per replay, so deal tickets of two replays never meet in one list. */
  readonly login: string;
  /** The driver's state changed. */
  readonly onChange: () => void;
  readonly realNow?: () => number;
}

/** A running replay session. */
export interface ReplaySession {
  readonly key: string;
  readonly driver: ReplayDriver;
  /** The simulated trade server (tests look at it; trading goes through the app's pipe). */
  readonly server: TradeServer;
  readonly symbols: readonly string[];
  waitForSession(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a replay: the simulator's trade server on a clock the {@link ReplayDriver} moves, its bar history built
 * from the ticks played (so the chart shows the file's bars as they form), and a simulated terminal that
 * connects to the app's own pipe as another session. The executor, journal and UI trade it as they trade any
 * terminal, and nothing in it holds a link to another session (docs/replay.md).
 */
export async function startReplaySession(options: ReplaySessionOptions): Promise<ReplaySession> {
  const { data, logger } = options;
  // The trade server's clock is the driver's: deals, stops and positions carry the file's times.
  let driverRef: ReplayDriver | undefined = undefined;
  const firstMs = data.ticks[0]?.timeMs ?? 0;
  const server = new TradeServer({
    account: {
      login: options.login,
      server: `Pipdesk Replay${REPLAY_SERVER_SUFFIX}`,
      currency: 'USD',
      leverage: 100,
      marginMode: 'hedging',
      balance: options.balance ?? 10_000,
      tradeMode: 'demo',
      name: `Replay of ${options.title.slice(0, 100)}`,
      company: 'REPLAY',
    },
    symbols: data.specs,
    clock: { now: () => driverRef?.timeMs ?? firstMs },
  });
  // A symbol is closed until the file's first price of it: it never fills at a price the file does not have.
  for (const spec of data.specs) server.setMarketOpen(spec.name, false);
  const history = new SimBarHistory({ specs: data.specs, seed: 1, syntheticBars: 0 });
  const terminal = new SimTerminal({
    path: options.path,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.tokenFile === undefined ? {} : { tokenFile: options.tokenFile }),
    server,
    logger,
    eaVersion: REPLAY_EA_VERSION,
    reconnect: { minMs: 250, maxMs: 5_000 },
    refusedRetryMs: 10_000,
    rates: (request) => history.rates(request),
  });
  const started = new Set<string>();
  const heldBack = new Set<string>();
  const apply = (tick: FeedTick, isFastForward: boolean): void => {
    if (!started.has(tick.symbol)) {
      started.add(tick.symbol);
      server.setMarketOpen(tick.symbol, true);
    }
    if (!server.setQuote(tick.symbol, tick.bid, tick.ask, tick.timeMs)) return;
    history.record(tick.symbol, tick.bid, tick.ask, tick.timeMs);
    // A jump sends each symbol's last price once at its end, not every price on the way.
    if (isFastForward) heldBack.add(tick.symbol);
    else terminal.pushTick(tick.symbol);
  };
  const driver = new ReplayDriver({
    ticks: data.ticks,
    apply,
    afterFastForward: () => {
      for (const symbol of heldBack) terminal.pushTick(symbol);
      heldBack.clear();
    },
    onChange: () => {
      options.onChange();
    },
    ...(options.realNow === undefined ? {} : { realNow: options.realNow }),
  });
  driverRef = driver;
  // Every symbol that starts at the first instant has its price before the trader sees the session.
  await driver.jumpTo(driver.startMs);
  terminal.connect();
  const key = `${options.login}@${server.account().server}`;
  logger.info('replay: session started', { key, ticks: data.ticks.length, format: data.format });

  const waitFor = (kind: TerminalStatus['kind'], timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`replay: no ${kind} within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const off = terminal.onStatus((status) => {
        if (status.kind !== kind) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });

  let isStopped = false;
  return {
    key,
    driver,
    server,
    symbols: data.specs.map((s) => s.name),
    async waitForSession(timeoutMs = 5_000) {
      if (terminal.isConnected) return;
      await waitFor('connected', timeoutMs);
    },
    async stop() {
      if (isStopped) return;
      isStopped = true;
      driver.dispose();
      const closed = terminal.isConnected ? waitFor('disconnected', 2_000).catch(() => undefined) : undefined;
      terminal.stop();
      await closed;
      logger.info('replay: session stopped', { key });
    },
  };
}
