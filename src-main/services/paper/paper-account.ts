import { systemClock, type Clock } from '../../../src-core/clock';
import type { Logger } from '../../../src-core/logger';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { SimTerminal, type TerminalStatus } from '../../../src-bridge/simulator/terminal';
import { TradeServer } from '../../../src-bridge/simulator/trade-server';
import { matchBrokerProfile } from '../../../src-bridge/simulator/brokers/match';
import type { PaperCosts, PaperCostsStatus } from '../../../src-core/contracts/ipc-paper';
import type { PaperStore, PaperAccountConfig } from './paper-store';
import type { PriceSource } from './price-source';

/** The hello's EA version of a paper session: how the app tells it from a real EA or the demo (`sim-…`). */
export const PAPER_EA_VERSION = 'paper-1';

/** The paper account's server name: the live account's server with a suffix no broker uses. */
export const paperServerName = (liveServer: string): string => `${liveServer.slice(0, 120)} #paper`;

/** Options of {@link startPaperAccount}. */
export interface PaperAccountOptions {
  /** The app's own pipe or socket, and its pairing token: the paper terminal connects like an EA. */
  readonly path: string;
  readonly token?: string;
  /** Or the token file, read before each connection like the EA does (a rotated token is picked up). */
  readonly tokenFile?: string;
  /** The live terminal's prices: the paper engine's only link to it. */
  readonly source: PriceSource;
  readonly store: PaperStore;
  readonly logger: Logger;
  /** Balance of a new paper account (default 10,000 in the live account's currency). */
  readonly startingBalance?: number;
  /** Costs of a new paper account (a reset keeps the ones set before); default the broker's, see below. */
  readonly costs?: Pick<PaperAccountConfig, 'commissionPerLotPerSide' | 'commissionFrom' | 'slippagePoints'>;
  /** UTC wall clock; the paper server's clock adds the live server's offset. */
  readonly clock?: Clock;
  /** Coalescing delay of saves after trade transactions, ms (default 0: the next turn of the event loop). */
  readonly saveDelayMs?: number;
  /**
   * How often the live Market Watch is read again for symbols added since the paper account opened, ms (default
   * 10 s). MT5 sends no event when a symbol is added to Market Watch, so the paper account asks.
   */
  readonly watchRefreshMs?: number;
  /** Called with the symbols a Market Watch read added (the app then announces the paper status again). */
  readonly onSymbolsAdded?: (symbols: readonly string[]) => void;
}

/** A running paper account. */
export interface PaperAccount {
  /** `login@server` of the paper session the app sees. */
  readonly key: string;
  /** Its saved properties, costs included (they change with {@link PaperAccount.setCosts}). */
  readonly config: PaperAccountConfig;
  /** What its fills cost now, and where the commission came from. */
  costs(): PaperCostsStatus;
  /** Charges the deals from now on with these costs, and saves them. */
  setCosts(costs: PaperCosts): void;
  /** Reads the live Market Watch now and adds the symbols it lists that the paper account lacks (spec, quote, ticks). */
  refreshSymbols(): Promise<readonly string[]>;
  /** The paper trade server (tests and the reset look at it; trading goes through the app's pipe). */
  readonly server: TradeServer;
  /** Resolves when the paper terminal's session is open in the app. */
  waitForSession(timeoutMs?: number): Promise<void>;
  /** Saves now (also done after every trade transaction and on stop). */
  save(): void;
  /** Saves, disconnects and stops following the live prices. */
  stop(): Promise<void>;
}

/**
 * Opens the paper account that follows `source` (restoring it from the store when one exists): a simulated
 * trade server ({@link TradeServer}) fed with the live terminal's ticks and specs, and a simulated terminal that
 * connects to the app's own pipe as another session. The executor, journal, limits and UI then trade it exactly
 * as they trade a terminal. See docs/paper-trading.md.
 */
export async function startPaperAccount(options: PaperAccountOptions): Promise<PaperAccount> {
  const { source, store, logger } = options;
  const wall = options.clock ?? systemClock;
  const live = await source.account();
  if (!live.ok) throw new Error(`paper: the live account could not be read: ${live.error.message}`);
  const stored = store.findBySource(source.key);
  const base: PaperAccountConfig = stored?.config ?? {
    login: live.value.login,
    server: paperServerName(live.value.server),
    sourceKey: source.key,
    currency: live.value.currency,
    currencyDigits: live.value.currencyDigits,
    leverage: Math.max(1, live.value.leverage),
    marginMode: live.value.marginMode,
    startingBalance: options.startingBalance ?? 10_000,
    ...options.costs,
  };
  const key = `${base.login}@${base.server}`;

  // The symbols it can trade: the live Market Watch, plus any symbol its saved book still holds.
  const names = new Set<string>();
  const watch = await source.marketWatch();
  if (watch.ok) for (const name of watch.value) names.add(name);
  else logger.warn('paper: market watch unavailable', { message: watch.error.message });

  // Costs: what the trader set, else the commission of the live broker's profile when one matches its server,
  // currency and symbol names, else none; no slippage unless set (docs/paper-trading.md, "Costs").
  const profile =
    base.commissionPerLotPerSide === undefined
      ? matchBrokerProfile({
          server: live.value.server,
          currency: live.value.currency,
          symbols: watch.ok ? watch.value : [],
        })
      : undefined;
  let config: PaperAccountConfig = {
    ...base,
    commissionPerLotPerSide: base.commissionPerLotPerSide ?? profile?.commissionPerLotPerSide ?? 0,
    commissionFrom: base.commissionFrom ?? (profile === undefined ? 'none' : `profile:${profile.id}`),
    slippagePoints: base.slippagePoints ?? 0,
  };
  for (const p of stored?.snapshot.positions ?? []) names.add(p.symbol);
  for (const o of stored?.snapshot.orders ?? []) names.add(o.symbol);
  const specs: SymbolSpec[] = [];
  for (const name of names) {
    const spec = await source.spec(name);
    if (spec.ok) specs.push(spec.value);
    else logger.warn('paper: symbol skipped', { symbol: name, message: spec.error.message });
  }

  const clock: Clock = { now: () => wall.now() + source.timeOffsetSec() * 1000 };
  const server = new TradeServer({
    account: {
      login: config.login,
      server: config.server,
      currency: config.currency,
      currencyDigits: config.currencyDigits,
      leverage: config.leverage,
      marginMode: config.marginMode,
      balance: config.startingBalance,
      tradeMode: 'demo',
      name: 'Paper account',
      // What the status bar, the session picker and the cloud's connection name show for the company.
      company: `PAPER on ${source.key}`,
    },
    symbols: specs,
    clock,
    commissionPerLotPerSide: config.commissionPerLotPerSide ?? 0,
    adverseSlippagePoints: config.slippagePoints ?? 0,
    ...(stored === undefined ? {} : { restore: stored.snapshot }),
  });

  let saveTimer: NodeJS.Timeout | undefined;
  let isStopped = false;
  const save = (): void => {
    if (saveTimer !== undefined) clearTimeout(saveTimer);
    saveTimer = undefined;
    store.save(key, config, server.snapshot());
  };
  save();
  const offTxn = server.onTransaction(() => {
    if (isStopped) return;
    saveTimer ??= setTimeout(() => {
      try {
        save();
      } catch (error) {
        logger.error('paper: save failed', { error });
      }
    }, options.saveDelayMs ?? 0);
  });

  const terminal = new SimTerminal({
    path: options.path,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.tokenFile === undefined ? {} : { tokenFile: options.tokenFile }),
    timeOffsetSec: source.timeOffsetSec(),
    server,
    logger,
    eaVersion: PAPER_EA_VERSION,
    reconnect: { minMs: 250, maxMs: 5_000 },
    refusedRetryMs: 10_000,
  });

  /** Takes a symbol's live quote and asks the live terminal for its ticks. */
  const followSymbol = async (name: string): Promise<void> => {
    const q = await source.quote(name);
    if (q.ok && server.setQuote(q.value.symbol, q.value.bid, q.value.ask, q.value.timeMsc)) {
      terminal.pushTick(name);
    }
    const sub = await source.subscribe(name);
    if (!sub.ok) logger.warn('paper: live subscription failed', { symbol: name, message: sub.error.message });
  };
  const follow = async (): Promise<void> => {
    for (const name of server.symbolNames()) await followSymbol(name);
  };

  let refreshing: Promise<readonly string[]> | undefined;
  const readWatch = async (): Promise<readonly string[]> => {
    const listed = await source.marketWatch();
    if (!listed.ok) return [];
    const added: string[] = [];
    for (const name of listed.value) {
      if (server.spec(name) !== undefined) continue;
      const spec = await source.spec(name);
      if (!spec.ok) {
        logger.warn('paper: symbol skipped', { symbol: name, message: spec.error.message });
        continue;
      }
      if (isStopped || !server.addSymbol(spec.value)) continue;
      await followSymbol(name);
      added.push(name);
    }
    if (added.length > 0) {
      logger.info('paper: symbols added from the live Market Watch', { symbols: added });
      options.onSymbolsAdded?.(added);
    }
    return added;
  };
  /** One read of the live Market Watch at a time; a call during one waits for it. */
  const refreshSymbols = (): Promise<readonly string[]> => {
    refreshing ??= readWatch().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  const offTick = source.onTick((tick) => {
    if (
      tick.bid > 0 &&
      tick.ask >= tick.bid &&
      server.setQuote(tick.symbol, tick.bid, tick.ask, tick.timeMsc)
    ) {
      terminal.pushTick(tick.symbol);
    }
  });
  // Without the live terminal its last prices are stale: the paper market closes (orders answer MARKET_CLOSED)
  // until the terminal is back, rather than filling at prices that no longer exist.
  const offClosed = source.onClosed(() => {
    server.setMarketOpen('*', false);
    logger.warn('paper: live terminal gone, paper market closed', { source: source.key });
  });
  const offReopened = source.onReopened(() => {
    server.setMarketOpen('*', undefined);
    follow()
      .then(refreshSymbols)
      .catch((error: unknown) => {
        logger.error('paper: resubscribing to live prices failed', { error });
      });
  });
  await follow();
  const watchTimer = setInterval(() => {
    if (!source.isOpen()) return;
    refreshSymbols().catch((error: unknown) => {
      logger.error('paper: reading the live Market Watch failed', { error });
    });
  }, options.watchRefreshMs ?? 10_000);
  watchTimer.unref();
  terminal.connect();
  logger.info('paper: account open', { key, source: source.key, restored: stored !== undefined });

  const waitFor = (kind: TerminalStatus['kind'], timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`paper: no ${kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = terminal.onStatus((status) => {
        if (status.kind !== kind) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });

  return {
    key,
    get config() {
      return config;
    },
    costs: () => ({
      commissionPerLotPerSide: config.commissionPerLotPerSide ?? 0,
      slippagePoints: config.slippagePoints ?? 0,
      commissionFrom: config.commissionFrom ?? 'none',
    }),
    setCosts(costs) {
      const commissionFrom =
        costs.commissionPerLotPerSide === config.commissionPerLotPerSide ? config.commissionFrom : 'trader';
      config = { ...config, ...costs, ...(commissionFrom === undefined ? {} : { commissionFrom }) };
      server.setCommissionPerLotPerSide(costs.commissionPerLotPerSide);
      server.setAdverseSlippagePoints(costs.slippagePoints);
      save();
      logger.info('paper: costs set', { key, ...costs });
    },
    refreshSymbols,
    server,
    async waitForSession(timeoutMs = 5_000) {
      if (terminal.isConnected) return;
      await waitFor('connected', timeoutMs);
    },
    save,
    async stop() {
      if (isStopped) return;
      isStopped = true;
      clearInterval(watchTimer);
      offTick();
      offReopened();
      offClosed();
      offTxn();
      save();
      const closed = terminal.isConnected ? waitFor('disconnected', 2_000).catch(() => undefined) : undefined;
      terminal.stop();
      await closed;
      logger.info('paper: account closed', { key });
    },
  };
}
