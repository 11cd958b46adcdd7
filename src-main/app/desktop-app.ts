import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appError, err, ok, type Result } from '../../src-core/result';
import type { AppInfo, BridgeStatus, IpcRequest } from '../../src-core/contracts/ipc';
import type { ErrorReporting } from '../../src-core/contracts/error-reporting';
import { toOrderAnswer } from '../../src-core/contracts/orders';
import { startBridgeServer, type BridgeServer } from '../../src-bridge/server/bridge-server';
import {
  LEGACY_PIPE_NAME,
  bridgeDir,
  endpointFor,
  ensurePrivateDir,
  generatePipeName,
  generateToken,
  pipeFileBeside,
  writePipeFile,
  writeTokenFile,
} from '../../src-bridge/server/endpoint';
import { createIpcDispatcher, type IpcDispatcher } from '../ipc/dispatcher';
import { createIpcEventHub, type IpcEventHub } from '../ipc/events';
import { createIpcHandlers } from '../ipc/handlers';
import type { DemoPort } from '../ipc/ports';
import { systemClock } from '../../src-core/clock';
import { bridgeAccounts } from '../services/cloud-sync/accounts-port';
import { CloudSync } from '../services/cloud-sync/cloud-sync';
import { chartIpcHandlers, createChartBars } from '../services/chart/chart-bars';
import { cloudIpcHandlers } from '../services/cloud-sync/ipc-handlers';
import {
  createDealHistory,
  historyIpcHandlers,
  type ShowDesktopNotice,
} from '../services/history/deal-history';
import { createFileTokenStore, type TokenStore } from '../services/cloud-sync/token-store';
import { openDatabase, type Db } from '../services/database';
import { Executor } from '../services/executor';
import { Journal } from '../services/journal';
import { type Logger } from '../../src-core/logger';
import { createFileLogger } from '../services/file-logger';
import { createServerBridge } from '../services/server-bridge';
import { SettingsStore } from '../services/settings';
import { tradeRulesIpcHandlers } from '../services/trade-rules/ipc-handlers';
import { RuleStore } from '../services/trade-rules/rule-store';
import { TradeManager } from '../services/trade-rules/trade-manager';
import { PaperStore } from '../services/paper/paper-store';
import { createPaperService, paperIpcHandlers } from '../services/paper/paper-service';
import { sessionPriceSource } from '../services/paper/price-source';
import { createTickRecorder } from '../services/recording/tick-recorder';
import { recordingIpcHandlers } from '../services/recording/ipc-handlers';
import { createBridgeMarket, isSimulatorSession, type BridgeMarket } from './bridge-market';
import { reportIpcHandlers, type SaveReportFile } from '../services/report/report-ipc';
import { createReplayService, replayIpcHandlers } from '../services/replay/replay-service';
import { isReplayKey } from '../services/replay/replay-session';
import { createEaInstaller } from './ea-installer';

/** A running demo simulator (see `demo.ts`). */
export interface RunningSimulator {
  /** Its session key (`login@server`). */
  readonly key: string;
  stop(): Promise<void>;
}

/** Starts the MT5 simulator connected to the app's own pipe; injected so the app does not depend on how. */
export type SimulatorStarter = (options: {
  readonly path: string;
  readonly token: string;
  readonly marginMode: 'hedging' | 'netting';
  readonly balance: number;
  readonly currency: string;
}) => Promise<RunningSimulator>;

/** Options of {@link startDesktopApp}. */
export interface DesktopAppOptions {
  readonly dataDir: string;
  readonly version: string;
  readonly shell: AppInfo['shell'];
  /** The EA sources to install (`src-bridge/mql5` in a checkout, `<resources>/mql5` when packaged). */
  readonly eaSourceDir: string;
  /** Overrides the pipe/socket path derived from the settings' pipe name (tests, several instances). */
  readonly pipePath?: string;
  /** Overrides where the pairing token is written for the EA. */
  readonly tokenFile?: string;
  readonly startSimulator: SimulatorStarter;
  /** Defaults to a rotating file logger in `<dataDir>/logs/main.log`. */
  readonly logger?: Logger;
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  /** The cloud's base URL; absent reads `PIPDESK_CLOUD_URL`, else {@link DEFAULT_CLOUD_URL}. */
  readonly cloudUrl?: string;
  /**
   * Where the cloud refresh token is kept: the Electron shell passes its safeStorage store; absent (the web
   * host) uses a 0600 file `<dataDir>/cloud-token.json`, and the settings screen says so.
   */
  readonly tokens?: TokenStore;
  /** Shows an OS notification (the Electron shell's `Notification`); absent, the page uses the browser's. */
  readonly showNotification?: ShowDesktopNotice;
  /** Saves an exported report through a save dialog (the Electron shell); absent, the page downloads it. */
  readonly saveReportFile?: SaveReportFile;
  /** The system's file dialog for replay files (the Electron shell's); absent in the web host (docs/replay.md). */
  readonly chooseReplayFile?: () => Promise<string | null>;
  /** Error reports are on (the shell started them, src-main/services/error-reporting.ts): the renderer is told. */
  readonly errorReporting?: ErrorReporting;
}

/** The cloud a fresh install talks to (a local `npm run cloud`). */
export const DEFAULT_CLOUD_URL = 'http://127.0.0.1:8080';

/** The composed main side of Pipdesk: bridge server, executor, journal, settings, demo, installer, IPC. */
export interface DesktopApp {
  readonly dispatcher: IpcDispatcher;
  readonly events: IpcEventHub;
  readonly logger: Logger;
  readonly logFile: string;
  readonly pipePath: string;
  readonly tokenFile: string;
  /** `pipe.txt` beside the token file: the endpoint the EA reads. */
  readonly pipeFile: string;
  readonly market: BridgeMarket;
  readonly demo: DemoPort;
  /** Cloud sync (sign-in, connector sockets, journal outbox). */
  readonly cloud: CloudSync;
  /** Stops the simulator and the bridge, settles the executor and closes the database (flushing the journal). */
  close(): Promise<void>;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** The pairing token survives restarts (an EA already running keeps working); a damaged file is replaced. */
async function loadOrCreateToken(dataDir: string): Promise<string> {
  const file = join(dataDir, 'bridge-token.txt');
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(text)) return text;
  } catch {
    // First run: no token yet.
  }
  const token = generateToken();
  await writeTokenFile(file, token);
  return token;
}

/**
 * The install's pipe name: a random `pipdesk-<16 hex>` chosen once and kept in the settings, so another process
 * cannot know in advance which name to squat. An install still on the old fixed name moves to a random one.
 */
function installPipeName(settings: SettingsStore): string {
  const current = settings.get().pipeName;
  if (current !== LEGACY_PIPE_NAME) return current;
  const name = generatePipeName();
  const saved = settings.set({ pipeName: name });
  return saved.ok ? saved.value.pipeName : current;
}

/**
 * Starts everything main runs, in dependency order, and undoes what was started if a step fails (a busy pipe,
 * an unreadable database) so a failed start leaves no socket or lock behind.
 */
export async function startDesktopApp(options: DesktopAppOptions): Promise<DesktopApp> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  ensurePrivateDir(options.dataDir);
  const logFile = join(options.dataDir, 'logs', 'main.log');
  const logger = options.logger ?? createFileLogger({ file: logFile });
  const clock = systemClock;
  const cleanups: (() => Promise<void> | void)[] = [];
  const undo = async (): Promise<void> => {
    for (const f of cleanups.reverse()) {
      try {
        await f();
      } catch (error) {
        logger.error('app: shutdown step failed', { error });
      }
    }
  };

  try {
    const db: Db = openDatabase(join(options.dataDir, 'pipdesk.db'));
    cleanups.push(() => {
      db.close();
    });
    const paperStore = new PaperStore(db, clock);
    // Set once the paper service exists; rows are written only after that (the executor starts later).
    let isPaperKey = (key: string): boolean => paperStore.keys().includes(key);
    const journal = new Journal(db, clock, logger, {
      accountKind: (account) => (isPaperKey(account) ? 'paper' : isReplayKey(account) ? 'replay' : 'real'),
    });
    const settings = new SettingsStore(db, clock, logger);

    // Off Windows the socket and the token share a folder only this user may enter (docs/security.md).
    const dir = options.tokenFile === undefined ? bridgeDir(platform, env, options.dataDir) : undefined;
    if (dir !== undefined && platform !== 'win32') ensurePrivateDir(dir, platform);
    const tokenFile = options.tokenFile ?? join(dir ?? options.dataDir, 'token.txt');
    const pipeFile = pipeFileBeside(tokenFile);
    const path =
      options.pipePath ?? endpointFor(installPipeName(settings), platform, dir ?? dirname(tokenFile));
    let token = await loadOrCreateToken(options.dataDir);
    await writeTokenFile(tokenFile, token);
    await writePipeFile(pipeFile, path);
    const server: BridgeServer = await startBridgeServer({
      path,
      getToken: () => token,
      logger,
      // A busy endpoint is shown to the trader as a possible impostor; the app never moves to another name.
      busyRetryMs: 5_000,
    });
    cleanups.push(() => server.close());
    logger.info('app: bridge started', { path, tokenFile, pipeFile, state: server.listenState().kind });

    /**
     * A new pairing token: both token files are rewritten atomically, then every session ends, so each EA
     * re-reads the file and proves itself with the new token; a process that learnt the old one loses access.
     */

    const events = createIpcEventHub((error) => {
      logger.error('app: event sink failed', { error });
    });
    let simulator: RunningSimulator | null = null;
    const market = createBridgeMarket({
      server,
      events,
      logger,
      isOwnClientOrderId: (id) => journal.getByClientOrderId(id) !== undefined,
      isDemoRunning: () => simulator !== null,
      isPaperKey: (key) => isPaperKey(key),
      isReplayKey,
    });
    cleanups.push(() => {
      market.dispose();
    });

    // The paper account (docs/paper-trading.md): its engine is given a read-only price source of the live terminal
    // and reaches the app only through the pipe, as another session.
    const paper = createPaperService({
      path,
      tokenFile,
      store: paperStore,
      logger,
      sessions: () =>
        server
          .sessions()
          .filter((s) => s.isOpen)
          .map((s) => ({ key: s.key, eaVersion: s.hello.eaVersion, openedAt: s.openedAt })),
      activeKey: () => market.activeKey(),
      select: (key) => market.selectSession(key),
      priceSource: (key) => sessionPriceSource(server, key),
      onSessionOpened: (listener) =>
        server.onSession((event) => {
          if (event.kind === 'opened') listener(event.session.key);
        }),
      onStatus: (status) => {
        events.emit('paper:status-changed', status);
        market.announceStatus();
      },
    });
    isPaperKey = (key) => paper.isPaperKey(key);
    cleanups.push(() => paper.dispose());

    let lastReplayKey: string | null = null;
    // Replay sessions (docs/replay.md): a file's prices on a simulated clock, joined to the pipe as another session
    // and given nothing of any other session.
    const replay = createReplayService({
      dataDir: options.dataDir,
      path,
      tokenFile,
      logger,
      activeKey: () => market.activeKey(),
      select: (key) => market.selectSession(key),
      isSessionOpen: (key) => server.session(key)?.isOpen === true,
      ...(options.chooseReplayFile === undefined ? {} : { chooseFile: options.chooseReplayFile }),
      onStatus: (status) => {
        events.emit('replay:status-changed', status);
        if (status.state === 'closed' || status.key !== lastReplayKey) market.announceStatus();
        lastReplayKey = status.key;
      },
    });
    cleanups.push(() => replay.dispose());

    const history = createDealHistory({
      server,
      activeKey: () => market.activeKey(),
      onDeals: (deals) => {
        events.emit('history:deals-added', { deals: [...deals] });
      },
      logger,
      clock,
      serverNow: (key) => replay.serverNow(key),
    });
    cleanups.push(() => {
      history.dispose();
    });

    const tradingBridge = createServerBridge(server, { activeSession: () => market.activeKey(), logger });
    cleanups.push(() => {
      tradingBridge.dispose();
    });
    const executor = new Executor({ bridge: tradingBridge, journal, settings, logger, clock });
    cleanups.push(() => {
      executor.close();
    });
    executor.onOrderResult(() => {
      market.refreshTrading();
    });
    journal.onChanged((entry) => {
      events.emit('journal:changed', { entry });
    });
    executor.onLateExecution(({ result, entry }) => {
      const answer = toOrderAnswer(result);
      if (answer.ok) events.emit('orders:executed-late', { result: answer.value, entry });
    });
    settings.onChanged((s) => {
      events.emit('settings:changed', s);
    });

    // Trailing stop and break-even run here, in main, while the app is open (docs/trade-management.md).
    const tradeRules = new TradeManager({
      store: new RuleStore(db, logger),
      market,
      modify: (input) => executor.modifyPosition(input),
      clock,
      logger,
    });
    cleanups.push(async () => {
      tradeRules.close();
      await tradeRules.idle();
    });
    tradeRules.onChanged((rules) => {
      events.emit('stops:rules-changed', { rules: [...rules], runsWhere: 'app' });
    });
    const offRuleTicks = server.onTick((tick, session) => {
      if (tick.bid > 0 && tick.ask > 0) {
        tradeRules.onQuote(
          { symbol: tick.symbol, bid: tick.bid, ask: tick.ask, timeMs: tick.timeMsc },
          session.key,
        );
      }
    });
    const offRuleTxns = server.onTradeChange((_change, session) => {
      if (session.key === market.activeKey()) void tradeRules.refresh();
    });
    // Tick recording (docs/user-guide.md, "Recording ticks"): only a live terminal's own ticks. The demo, a paper
    // account and a replay are simulator sessions replaying or following prices, and are never recorded again.
    const recorder = createTickRecorder({ dir: join(options.dataDir, 'recordings'), logger, platform });
    recorder.setEnabled(settings.peek().isTickRecordingEnabled === true);
    const offRecordSettings = settings.onChanged((s) => {
      recorder.setEnabled(s.isTickRecordingEnabled === true);
    });
    const offRecordTicks = server.onTick((tick, session) => {
      if (isSimulatorSession(session) || isPaperKey(session.key)) return;
      recorder.record({ symbol: tick.symbol, bid: tick.bid, ask: tick.ask, timeMs: tick.timeMsc });
    });
    cleanups.push(async () => {
      offRecordTicks();
      offRecordSettings();
      await recorder.close();
    });
    const offPaperStatus = server.onSession(() => {
      // Whether a paper account can open depends on which live terminals are connected.
      events.emit('paper:status-changed', paper.status());
    });
    const offRuleSessions = server.onSession((event) => {
      // After the market port has chosen the active session for this event.
      if (event.kind === 'opened') queueMicrotask(() => void tradeRules.refresh());
    });
    cleanups.push(() => {
      offRuleTicks();
      offRuleTxns();
      offRuleSessions();
      offPaperStatus();
    });

    const demo: DemoPort = {
      async start(req: IpcRequest<'demo:start'>): Promise<Result<BridgeStatus>> {
        if (simulator !== null) return ok(market.status());
        try {
          const started = await options.startSimulator({ path, token, ...req });
          simulator = started;
          logger.info('app: demo simulator started', { marginMode: req.marginMode, balance: req.balance });
          // The user asked for demo: it becomes the active terminal even if a real one is connected.
          const selected = market.selectSession(started.key);
          if (!selected.ok)
            logger.warn('app: demo session not selectable', { message: selected.error.message });
          market.announceStatus();
          return ok(market.status());
        } catch (error) {
          logger.error('app: demo simulator failed to start', { error });
          return err(
            appError('DEMO_FAILED', 'The demo simulator could not start; the details are in the log.'),
          );
        }
      },
      async stop(): Promise<Result<BridgeStatus>> {
        const running = simulator;
        if (running === null) return ok(market.status());
        simulator = null;
        // Announce only once the server has seen the session end, so the status never lists a ghost terminal.
        const closed = new Promise<void>((resolve) => {
          if (server.session(running.key)?.isOpen !== true) {
            resolve();
            return;
          }
          const timer = setTimeout(finish, 2_000);
          const off = server.onSession((event) => {
            if (event.kind === 'closed' && event.session.key === running.key) finish();
          });
          function finish(): void {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
        market.expectDemoStop(running.key);
        await running.stop();
        await closed;
        logger.info('app: demo simulator stopped');
        market.announceStatus();
        return ok(market.status());
      },
    };
    cleanups.push(async () => {
      await demo.stop();
    });

    const installer = createEaInstaller({
      eaSourceDir: options.eaSourceDir,
      appDataDir: env['APPDATA'],
      platform,
      pipeName: () => settings.get().pipeName,
      logger,
    });

    const cloudUrl = options.cloudUrl ?? nonEmpty(env['PIPDESK_CLOUD_URL']) ?? DEFAULT_CLOUD_URL;
    const cloud = new CloudSync({
      cloudUrl,
      db,
      journal,
      executor,
      accounts: bridgeAccounts(
        server,
        () => market.activeKey(),
        // A replay's money is simulated too: the cloud marks it like a paper account's.
        (key) => paper.isPaperKey(key) || isReplayKey(key),
      ),
      tokens: options.tokens ?? createFileTokenStore(join(options.dataDir, 'cloud-token.json')),
      logger,
      clock,
    });
    // Undo runs in reverse, so the sockets stop before the executor settles and the database closes; entries not
    // yet acknowledged stay in the outbox for the next run.
    cleanups.push(() => {
      cloud.close();
    });
    cloud.onState((state) => {
      events.emit('cloud:state-changed', state);
    });
    // Resuming a saved sign-in talks to the network: never hold the start-up for it.
    void cloud.start().catch((error: unknown) => {
      logger.error('app: cloud sync failed to resume', { error });
    });
    logger.info('app: cloud sync', { cloudUrl });

    const info = (): AppInfo => ({
      version: options.version,
      shell: options.shell,
      platform,
      dataDir: options.dataDir,
      logFile,
      ...(options.errorReporting === undefined ? {} : { errorReporting: options.errorReporting }),
    });

    const dispatcher = createIpcDispatcher(
      createIpcHandlers({
        info,
        market,
        trading: executor,
        journal: { query: (q) => journal.query(q) },
        settings,
        demo,
        pairing: {
          /**
           * A new pairing token: both token files are rewritten atomically, then every session ends, so each EA
           * re-reads the file and proves itself with the new token; whoever learnt the old one loses access.
           */
          async rotateToken(): Promise<Result<BridgeStatus>> {
            const next = generateToken();
            try {
              // token.txt first: it is what the EAs prove against. The app's own copy follows; if that write
              // failed, the next start would rewrite token.txt from the old copy (consistent, just not rotated).
              await writeTokenFile(tokenFile, next);
            } catch (error) {
              logger.error('app: token rotation failed', { error });
              return err(
                appError(
                  'TOKEN_ROTATION_FAILED',
                  'The new pairing token could not be written; the old one stays.',
                ),
              );
            }
            token = next;
            server.closeSessions('token_rotated', 'the pairing token was rotated; prove it again');
            logger.info('app: pairing token rotated', { tokenFile });
            try {
              await writeTokenFile(join(options.dataDir, 'bridge-token.txt'), next);
            } catch (error) {
              logger.error('app: the rotated token could not be kept for the next start', { error });
            }
            market.announceStatus();
            return ok(market.status());
          },
        },
        installer,
        cloud: cloudIpcHandlers(cloud),
        // A paper session has no bars of its own: its charts are the live terminal's it fills at.
        chart: chartIpcHandlers(
          createChartBars({
            server,
            activeKey: () => {
              const key = market.activeKey();
              const status = paper.status();
              return key !== undefined && key === status.key ? (status.sourceKey ?? key) : key;
            },
          }),
        ),
        tradeRules: tradeRulesIpcHandlers(tradeRules, {
          spec: (symbol) => market.spec(symbol),
          checkTradeRisk: (input) => executor.checkTradeRisk(input),
          openMarket: (input) => executor.openMarket(input),
        }),
        history: historyIpcHandlers(history, options.showNotification),
        paper: paperIpcHandlers(paper),
        recording: recordingIpcHandlers(recorder),
        report: reportIpcHandlers(options.saveReportFile, logger),
        replay: replayIpcHandlers(replay),
      }),
      logger,
    );

    let isClosed = false;
    return {
      dispatcher,
      events,
      logger,
      logFile,
      pipePath: path,
      tokenFile,
      pipeFile,
      market,
      demo,
      cloud,
      async close() {
        if (isClosed) return;
        isClosed = true;
        logger.info('app: shutting down');
        await undo();
      },
    };
  } catch (error) {
    logger.error('app: start-up failed', { error });
    await undo();
    throw error;
  }
}
