import type { Result } from '../../src-core/result';
import type {
  AccountInfo,
  AppInfo,
  BridgeStatus,
  EaInstallResult,
  IpcRequest,
  Mt5Scan,
  PendingOrder,
  Position,
  Settings,
  SettingsPatch,
  SymbolSummary,
} from '../../src-core/contracts/ipc';
import type { Quote, SymbolSpec } from '../../src-core/trading/symbol-spec';
import type {
  CancelOrder,
  CloseAll,
  ClosePosition,
  ExecutionResult,
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  PlacePendingOrder,
} from '../../src-core/contracts/orders';
import type { JournalPage, JournalQuery } from '../../src-core/contracts/journal';
import type { ChartIpcHandlers } from '../services/chart/chart-bars';
import type { CloudIpcHandlers } from '../services/cloud-sync/ipc-handlers';
import type { TradeRulesIpcHandlers } from '../services/trade-rules/ipc-handlers';
import type { HistoryIpcHandlers } from '../services/history/deal-history';
import type { ReportIpcHandlers } from '../services/report/report-ipc';
import type { PaperIpcHandlers } from '../services/paper/paper-service';
import type { RecordingIpcHandlers } from '../services/recording/ipc-handlers';
import type { ReplayIpcHandlers } from '../services/replay/replay-service';

/** Something that may answer now or later. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What the IPC handlers need from the rest of main, one port per area. src-main/app adapts the bridge server,
 * the executor, the journal and the settings store to these; tests can build them from real parts too.
 */

/** Market data and terminal state of the active bridge session. */
export interface MarketPort {
  status(): BridgeStatus;
  selectSession(sessionId: string): Result<BridgeStatus>;
  account(): Promise<Result<AccountInfo>>;
  symbols(): Promise<Result<readonly SymbolSummary[]>>;
  spec(symbol: string): Promise<Result<SymbolSpec>>;
  quotes(symbols: readonly string[]): Promise<Result<readonly Quote[]>>;
  /** Adds to the live feed; answers the whole subscribed set. */
  subscribe(symbols: readonly string[]): Promise<Result<readonly string[]>>;
  unsubscribe(symbols: readonly string[]): Promise<Result<readonly string[]>>;
  positions(): Promise<Result<readonly Position[]>>;
  orders(): Promise<Result<readonly PendingOrder[]>>;
  calcMargin(request: IpcRequest<'margin:calc'>): Promise<Result<{ margin: number; currency: string }>>;
}

/** The trade executor (docs/order-lifecycle.md); each call answers with its own result, refusals included. */
export interface TradingPort {
  openMarket(input: OpenMarketOrder): Promise<ExecutionResult>;
  placePending(input: PlacePendingOrder): Promise<ExecutionResult>;
  modifyPosition(input: ModifyPosition): Promise<ExecutionResult>;
  modifyOrder(input: ModifyOrder): Promise<ExecutionResult>;
  closePosition(input: ClosePosition): Promise<ExecutionResult>;
  closeAll(input: CloseAll): Promise<ExecutionResult>;
  cancelOrder(input: CancelOrder): Promise<ExecutionResult>;
}

/** The trade journal, read side. */
export interface JournalPort {
  query(query: JournalQuery): MaybePromise<JournalPage>;
}

/** The user's settings. */
export interface SettingsPort {
  get(): Settings;
  set(patch: SettingsPatch): MaybePromise<Result<Settings>>;
}

/** The built-in simulator (demo mode). */
export interface DemoPort {
  start(options: IpcRequest<'demo:start'>): Promise<Result<BridgeStatus>>;
  stop(): Promise<Result<BridgeStatus>>;
}

/** The pairing between the app and the EAs. */
export interface PairingPort {
  /** Rotates the pairing token (see docs/bridge-protocol.md, "Pairing token and pipe name"). */
  rotateToken(): Promise<Result<BridgeStatus>>;
}

/** The EA installer. */
export interface InstallerPort {
  find(): Promise<Mt5Scan>;
  install(dataPath: string): Promise<Result<EaInstallResult>>;
}

/** Every port the handlers use. */
export interface DesktopPorts {
  readonly info: () => AppInfo;
  readonly market: MarketPort;
  readonly trading: TradingPort;
  readonly journal: JournalPort;
  readonly settings: SettingsPort;
  readonly demo: DemoPort;
  readonly pairing: PairingPort;
  readonly installer: InstallerPort;
  /** Cloud sync's handlers (`cloudIpcHandlers(sync)` from services/cloud-sync), merged as they are. */
  readonly cloud: CloudIpcHandlers;
  /** Chart bars (`chartIpcHandlers` from services/chart), merged as they are. */
  readonly chart: ChartIpcHandlers;
  /** Trailing/break-even rules and split orders (`tradeRulesIpcHandlers` from services/trade-rules). */
  readonly tradeRules: TradeRulesIpcHandlers;
  /** Deal history and OS notifications (`historyIpcHandlers` from services/history), merged as they are. */
  readonly history: HistoryIpcHandlers;
  /** The paper account (`paperIpcHandlers` from services/paper), merged as they are. */
  readonly paper: PaperIpcHandlers;
  /** Tick recording's status and files (`recordingIpcHandlers` from services/recording). */
  readonly recording: RecordingIpcHandlers;
  /** Saving exported reports (`reportIpcHandlers` from services/report), merged as they are. */
  readonly report: ReportIpcHandlers;
  /** Replay sessions (`replayIpcHandlers` from services/replay), merged as they are. */
  readonly replay: ReplayIpcHandlers;
}
