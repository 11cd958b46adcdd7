import { join } from 'node:path';
import type { BridgeServer } from '../../src-bridge/server/bridge-server';
import type { AccountKind, JournalEntry } from '../../src-core/contracts/journal';
import type { Settings } from '../../src-core/contracts/ipc';
import type { Clock } from '../../src-core/clock';
import { systemClock } from '../../src-core/clock';
import type { Db } from './database';
import { openDatabase } from './database';
import type { ExecutorOptions, OrderResultEvent, ReconcileSummary } from './executor';
import { Executor } from './executor';
import { Journal } from './journal';
import type { Logger } from '../../src-core/logger';
import { createFileLogger } from './file-logger';
import { createServerBridge } from './server-bridge';
import { SettingsStore } from './settings';
import type { TradingBridge } from './trading-bridge';

/** Options of {@link createTradingServices}. */
export interface TradingServicesOptions {
  /** The app's data folder; the database is `<dataDir>/pipdesk.db`, logs go to `<dataDir>/logs/main.log`. */
  readonly dataDir: string;
  /**
   * Where orders go: the pipe server (`startBridgeServer`), whose active session receives trading requests, or any
   * {@link TradingBridge} (tests, a custom transport).
   */
  readonly bridge: BridgeServer | TradingBridge;
  /** With a BridgeServer: the session (`login@server`) trading goes to; default the most recently opened one. */
  readonly activeSession?: () => string | undefined;
  /** Default: a rotating file logger in `<dataDir>/logs`. */
  readonly logger?: Logger;
  /** Default: the wall clock. */
  readonly clock?: Clock;
  /** Executor tunables (deadlines, grace periods); defaults suit a real terminal. */
  readonly executor?: Partial<ExecutorOptions>;
  /** Which accounts (login@server) are paper accounts, to mark journal rows; default none. */
  readonly accountKind?: (account: string) => AccountKind;
  /** Settle journal rows left `pending`/`sent`/`unknown` by a previous run right away. Default true. */
  readonly reconcileOnStart?: boolean;
}

/** The trading services the IPC handlers, the web host and cloud sync use. */
export interface TradingServices {
  /** Every trade operation: `openMarket`, `placePending`, `modifyPosition`, `modifyOrder`, `closePosition`, `closeAll`, `cancelOrder`, `execute`. */
  readonly executor: Executor;
  /** Journal queries for the UI (`query`) and the cloud-sync outbox (`listUnsynced`, `markSynced`). */
  readonly journal: Journal;
  /** `get()`, `set(patch)` (validated), `onChanged`. */
  readonly settings: SettingsStore;
  readonly logger: Logger;
  /** The SQLite handle, for modules that keep their own tables in the same file (with their own migration scope). */
  readonly db: Db;
  /** The start-up reconciliation (resolves when rows left open by a previous run have been checked once). */
  readonly ready: Promise<ReconcileSummary>;
  /** Every journal insert and update. Returns unsubscribe. */
  onJournalChanged(listener: (entry: JournalEntry) => void): () => void;
  /** Every order result, including those settled later by reconciliation. Returns unsubscribe. */
  onOrderResult(listener: (event: OrderResultEvent) => void): () => void;
  /** Every settings change. Returns unsubscribe. */
  onSettingsChanged(listener: (settings: Settings) => void): () => void;
  /** Stops the executor and closes the database. In-flight operations should be awaited first. */
  close(): void;
}

function isBridgeServer(b: BridgeServer | TradingBridge): b is BridgeServer {
  return 'sessions' in b && 'request' in b;
}

/**
 * Opens the app's database (WAL, migrations), the settings and the journal, and builds the executor on the given
 * bridge. Plain Node: the Electron main process and the web host call it the same way.
 *
 * @example
 * const server = await startBridgeServer({ path, tokenFile });
 * const services = createTradingServices({ dataDir: app.getPath('userData'), bridge: server });
 * const result = await services.executor.openMarket({ symbol: 'EURUSD', side: 'buy', volume: 0.1, requestKey });
 * services.onJournalChanged((entry) => send('journal:changed', { entry }));
 */
export function createTradingServices(options: TradingServicesOptions): TradingServices {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createFileLogger({ file: join(options.dataDir, 'logs', 'main.log') });
  const db = openDatabase(join(options.dataDir, 'pipdesk.db'));
  const journal = new Journal(
    db,
    clock,
    logger,
    options.accountKind === undefined ? {} : { accountKind: options.accountKind },
  );
  const settings = new SettingsStore(db, clock, logger);
  const serverBridge = isBridgeServer(options.bridge)
    ? createServerBridge(options.bridge, {
        logger,
        ...(options.activeSession === undefined ? {} : { activeSession: options.activeSession }),
      })
    : undefined;
  const bridge: TradingBridge = serverBridge ?? (options.bridge as TradingBridge);
  const executor = new Executor({
    bridge,
    journal,
    settings,
    logger,
    clock,
    ...(options.executor === undefined ? {} : { options: options.executor }),
  });
  const ready =
    options.reconcileOnStart === false
      ? Promise.resolve({ checked: 0, done: 0, notExecuted: 0, stillUnknown: 0 })
      : executor.reconcileOpen().catch((e: unknown) => {
          logger.error('start-up reconciliation failed', { error: e });
          return { checked: 0, done: 0, notExecuted: 0, stillUnknown: journal.listOpen().length };
        });
  return {
    executor,
    journal,
    settings,
    logger,
    db,
    ready,
    onJournalChanged: (listener) => journal.onChanged(listener),
    onOrderResult: (listener) => executor.onOrderResult(listener),
    onSettingsChanged: (listener) => settings.onChanged(listener),
    close: () => {
      executor.close();
      serverBridge?.dispose();
      journal.close();
      db.close();
    },
  };
}
