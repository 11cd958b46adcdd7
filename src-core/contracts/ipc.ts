import { z } from 'zod';
import { ErrorCode } from '../errors';
import type { AppError, Result } from '../result';
import { MarginMode, Quote, Side, SymbolSpec } from '../trading/symbol-spec';
import {
  CancelOrder,
  CloseAll,
  ClosePosition,
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  OrderFailure,
  OrderSuccess,
  PlacePendingOrder,
  SymbolName,
  Ticket,
} from './orders';
import { JournalEntry, JournalPage, JournalQuery } from './journal';
import { chartIpcChannels } from './ipc-chart';
import { paperIpcChannels, paperIpcEvents } from './ipc-paper';
import { recordingIpcChannels } from './ipc-recording';
import { replayIpcChannels, replayIpcEvents } from './ipc-replay';
import { tradeRulesIpcChannels, tradeRulesIpcEvents } from './ipc-trade-rules';
import { cloudIpcChannels, cloudIpcEvents } from './ipc-cloud';
import { historyIpcChannels, historyIpcEvents } from './ipc-history';
import { reportIpcChannels } from './ipc-report';
import { DEFAULT_NOTIFICATION_SETTINGS, NotificationSettings } from './notification-settings';
import { TimeDisplay, TimeOffsetSec } from '../time/clock-model';
import { ErrorReporting } from './error-reporting';

/**
 * The desktop IPC API, declared once. The renderer calls `invoke(channel, request)` and listens with
 * `on(event, listener)` through {@link createIpcClient} (ipc-client.ts); src-main implements one handler per
 * channel (a handler map checked with `satisfies`) and validates every request with the schema below, whatever
 * the transport (Electron IPC or the web host's WebSocket).
 *
 * Channel names are `area:verb-noun`. Stability: channels and fields are only ever added (optional fields or new
 * channels), never renamed or removed, so the renderer and main can be built at different moments.
 *
 * Every answer is `{ ok: true, value } | { ok: false, error: { code, message, details? } }`. Failures a trader
 * can act on (a refused order, no terminal connected) come back as `ok: false` with a SCREAMING_SNAKE code and
 * plain words; a bug in main becomes `INTERNAL` with a generic message (the stack is logged, never sent).
 *
 * Order channels (`orders:*` that change something) answer the same one layer: `{ ok: true, value: OrderSuccess }`
 * or `{ ok: false, error: OrderFailure }`, where the failure is an `AppError` that also carries the executor's
 * `retcode`, `clientOrderId`, `entryId` and close-all `items` when it has them. A request that never reached the
 * executor (`BAD_REQUEST`, `INTERNAL`, `TRANSPORT`) is an `OrderFailure` with only a code and a message.
 */

// ---------------------------------------------------------------------------------------------------------------
// Errors every channel can answer besides its own domain codes.

/**
 * The error half of every IPC answer (order channels add the order's ids, see `OrderFailure`). The IPC layer's own
 * codes are `BAD_REQUEST`, `UNKNOWN_CHANNEL`, `UNAUTHORIZED`, `INTERNAL` and, from the client, `TRANSPORT`; domain
 * codes pass through. All are in the one list of `src-core/errors.ts`.
 */
export const IpcError = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type IpcError = AppError;

// ---------------------------------------------------------------------------------------------------------------
// Shared value shapes.

const ticket = Ticket;
const symbolName = SymbolName;
const price = z.number().positive();
const optionalPrice = price.nullable();
const empty = z.strictObject({});

/** How the app reaches MT5 right now. */
export const BridgeState = z.enum([
  /** At least one real EA is connected. */
  'connected',
  /** The in-process simulator is connected (demo mode); no real money moves. */
  'demo',
  /** The paper account is the active one: live prices, simulated fills, nothing sent to the terminal. */
  'paper',
  /** A replay session is the active one: a file's prices on a simulated clock, simulated fills (docs/replay.md). */
  'replay',
  /** No terminal; `reason` says why in plain words. */
  'disconnected',
]);
export type BridgeState = z.infer<typeof BridgeState>;

/** One connected terminal (an EA or the simulator), identified by login and server. */
export const BridgeSession = z.object({
  /** Stable for the life of the connection; `login@server`. */
  id: z.string(),
  login: z.string(),
  server: z.string(),
  company: z.string(),
  currency: z.string(),
  leverage: z.number().int().positive(),
  marginMode: MarginMode,
  /** The broker account kind as MT5 reports it. */
  accountTradeMode: z.enum(['demo', 'contest', 'real']),
  eaVersion: z.string(),
  terminalBuild: z.number().int().nonnegative(),
  /** The terminal's "Algo Trading" button and the account allow automated trading. */
  isTradeAllowed: z.boolean(),
  /** True for the in-process demo simulator. */
  isSimulator: z.boolean(),
  /** True for the app's paper account (docs/paper-trading.md); absent means false. */
  isPaper: z.boolean().optional(),
  /** True for a replay session (docs/replay.md); absent means false. */
  isReplay: z.boolean().optional(),
  connectedAtMs: z.number().int().nonnegative(),
  /** The trade server's clock minus UTC, seconds (docs/clock-model.md); 0 when the EA does not say. */
  timeOffsetSec: TimeOffsetSec,
});
export type BridgeSession = z.infer<typeof BridgeSession>;

/** What the status bar shows about the link to MT5. */
export const BridgeStatus = z.object({
  state: BridgeState,
  /** Why there is no terminal (or why the last one dropped), in plain words; null when connected. */
  reason: z.string().nullable(),
  /** The pipe (Windows) or socket path the app listens on (the EA reads it from `Pipdesk\\pipe.txt`). */
  pipePath: z.string(),
  /**
   * Set while another process holds the pipe name (possibly an impostor waiting for the EA): shown to the
   * trader, never worked around by moving to another name.
   */
  pipeWarning: z.string().optional(),
  sessions: z.array(BridgeSession),
  /** The session market and trading calls go to; null when none. */
  activeSessionId: z.string().nullable(),
  isDemoRunning: z.boolean(),
});
export type BridgeStatus = z.infer<typeof BridgeStatus>;

/** The account of the active session, live. `marginLevel` is null when no margin is used. */
export const AccountInfo = z.object({
  login: z.string(),
  server: z.string(),
  name: z.string(),
  company: z.string(),
  currency: z.string(),
  /** Decimals of the account currency, for showing money. */
  currencyDigits: z.number().int().min(0).max(8),
  leverage: z.number().int().positive(),
  marginMode: MarginMode,
  accountTradeMode: z.enum(['demo', 'contest', 'real']),
  balance: z.number(),
  equity: z.number(),
  profit: z.number(),
  margin: z.number(),
  freeMargin: z.number(),
  marginLevel: z.number().nullable(),
  isTradeAllowed: z.boolean(),
  /**
   * The trade server's clock minus UTC, seconds: position, order and deal times are on the server's clock
   * (docs/clock-model.md). 0 when the EA does not report it.
   */
  timeOffsetSec: TimeOffsetSec,
  /**
   * The broker's margin call level in percent (ACCOUNT_MARGIN_SO_CALL when the account states levels in %);
   * null when it states them in money or gives none. Absent from older mains.
   */
  marginCallPercent: z.number().nonnegative().nullable().optional(),
});
export type AccountInfo = z.infer<typeof AccountInfo>;

/** A symbol as the market watch lists it; the full specification comes from `symbols:get-spec`. */
export const SymbolSummary = z.object({
  name: symbolName,
  description: z.string(),
  /** Known once the symbol's spec has been read (the terminal's list does not carry it); null until then. */
  digits: z.number().int().min(0).max(10).nullable(),
  /** Shown in MT5's market watch. */
  isVisible: z.boolean(),
  /** The broker's folder for it, e.g. `Forex\\Majors\\EURUSD` (for grouping and search). */
  path: z.string().optional(),
});
export type SymbolSummary = z.infer<typeof SymbolSummary>;

/** An open position (hedging: one per deal; netting: one per symbol). Tickets are strings (64-bit). */
export const Position = z.object({
  ticket,
  symbol: symbolName,
  side: Side,
  volume: z.number().positive(),
  priceOpen: price,
  priceCurrent: price,
  sl: optionalPrice,
  tp: optionalPrice,
  /** Floating profit in the account currency, swap and commission excluded. */
  profit: z.number(),
  swap: z.number(),
  commission: z.number(),
  /** On the trade server's clock (docs/clock-model.md). */
  openTimeMs: z.number().int().nonnegative(),
  magic: z.string(),
  comment: z.string(),
  /** The client order id of the intent that opened it, when it was opened by Pipdesk. */
  clientOrderId: z.string().nullable(),
});
export type Position = z.infer<typeof Position>;

/** Pending order kinds. */
export const PendingOrderType = z.enum([
  'buy_limit',
  'sell_limit',
  'buy_stop',
  'sell_stop',
  'buy_stop_limit',
  'sell_stop_limit',
]);
export type PendingOrderType = z.infer<typeof PendingOrderType>;

/** A pending order waiting on the trade server. */
export const PendingOrder = z.object({
  ticket,
  symbol: symbolName,
  type: PendingOrderType,
  volume: z.number().positive(),
  priceOpen: price,
  /** The limit price of a stop-limit order, else null. */
  priceStopLimit: optionalPrice,
  sl: optionalPrice,
  tp: optionalPrice,
  /** null = good till cancelled. On the trade server's clock, as is `setupTimeMs` (docs/clock-model.md). */
  expirationMs: z.number().int().nonnegative().nullable(),
  setupTimeMs: z.number().int().nonnegative(),
  magic: z.string(),
  comment: z.string(),
  clientOrderId: z.string().nullable(),
});
export type PendingOrder = z.infer<typeof PendingOrder>;

/** Limits the executor checks before anything is sent (docs/order-lifecycle.md). */
export const RiskLimits = z.object({
  /** Largest volume of one order, in lots. */
  maxLotSize: z.number().positive().max(1_000_000),
  maxOpenPositions: z.number().int().positive().max(10_000),
  /** Largest money at risk of one order as % of equity; null = no limit. */
  maxRiskPercent: z.number().positive().max(100).nullable(),
  /** Retry a retryable outcome (requote, price changed) with a fresh price. */
  isRetryAllowed: z.boolean(),
  /** How many such retries at most. */
  maxRetries: z.number().int().min(0).max(5),
});
export type RiskLimits = z.infer<typeof RiskLimits>;

/** UI colour scheme. */
export const Theme = z.enum(['system', 'dark', 'light']);
export type Theme = z.infer<typeof Theme>;

/** The user's settings as main stores them. */
export const Settings = z.object({
  riskLimits: RiskLimits,
  /** One-click trading: when false, every order asks for confirmation first. */
  isOneClickEnabled: z.boolean(),
  /**
   * The trader has read the one-time warning about one-click trading (orders go out without a confirmation), so
   * turning it on again does not ask (docs/user-guide.md, One-click trading).
   */
  isOneClickRiskAcknowledged: z.boolean(),
  /**
   * The pipe name the EA connects to (`pipdesk-1a2b…` → `\\.\pipe\pipdesk-1a2b…` on Windows; a socket of that
   * name elsewhere). Random per install (chosen at first start, replacing the old fixed `pipdesk`) and written
   * to `Pipdesk\\pipe.txt`, which the EA reads.
   */
  pipeName: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash or underscore'),
  theme: Theme,
  /** Symbols shown in the market watch, in order. */
  watchlist: z.array(symbolName).max(200),
  /** Default volume in the one-click panel. */
  defaultVolume: z.number().positive(),
  /** Default deviation (slippage) in points for market orders. */
  defaultDeviationPoints: z.number().int().min(0).max(10_000),
  /** The clock times are shown and typed in: the trade server's or this computer's (docs/clock-model.md). */
  timeDisplay: TimeDisplay,
  /** Which events notify, and how (notification-settings.ts); absent in older files, read as the defaults. */
  notifications: NotificationSettings.default(DEFAULT_NOTIFICATION_SETTINGS),
  /**
   * Record the live terminal's ticks to `recordings/<day>.csv` in the data folder, for replays and backtests
   * (docs/user-guide.md, "Recording ticks"). Off by default; absent (older files) is off.
   */
  isTickRecordingEnabled: z.boolean().optional(),
});
export type Settings = z.infer<typeof Settings>;

/** A change to the settings: any subset of fields; `riskLimits` may also be partial. */
export const SettingsPatch = z.strictObject({
  riskLimits: RiskLimits.partial().strict().optional(),
  isOneClickEnabled: z.boolean().optional(),
  isOneClickRiskAcknowledged: z.boolean().optional(),
  pipeName: Settings.shape.pipeName.optional(),
  theme: Theme.optional(),
  watchlist: Settings.shape.watchlist.optional(),
  defaultVolume: Settings.shape.defaultVolume.optional(),
  defaultDeviationPoints: Settings.shape.defaultDeviationPoints.optional(),
  timeDisplay: TimeDisplay.optional(),
  /** Replaces all the notification switches at once. */
  notifications: NotificationSettings.optional(),
  isTickRecordingEnabled: z.boolean().optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** An MT5 data folder found on this machine. */
export const Mt5Terminal = z.object({
  /** The terminal's data folder (…\MetaQuotes\Terminal\<hash>). */
  dataPath: z.string(),
  /** The installation it belongs to, from origin.txt when present, else the folder name. */
  label: z.string(),
  isEaInstalled: z.boolean(),
});
export type Mt5Terminal = z.infer<typeof Mt5Terminal>;

/** What the EA installer found. */
export const Mt5Scan = z.object({
  /** False where MT5 cannot exist (not Windows): the UI explains instead of listing. */
  isSupported: z.boolean(),
  /** The folder that was searched. */
  searchedPath: z.string(),
  terminals: z.array(Mt5Terminal),
});
export type Mt5Scan = z.infer<typeof Mt5Scan>;

/** What was installed and what the user still has to do in MT5. */
export const EaInstallResult = z.object({
  installedFiles: z.array(z.string()),
  nextSteps: z.array(z.string()),
});
export type EaInstallResult = z.infer<typeof EaInstallResult>;

/** Facts about the running app, for the about box and the status bar. */
export const AppInfo = z.object({
  version: z.string(),
  /** `electron` inside the desktop window, `web` through the web host. */
  shell: z.enum(['electron', 'web']),
  platform: z.string(),
  dataDir: z.string(),
  logFile: z.string(),
  /** Present when error reports are on (docs/operations.md, "Error reports"): the renderer reports too. */
  errorReporting: ErrorReporting.optional(),
});
export type AppInfo = z.infer<typeof AppInfo>;

const symbolList = z.array(symbolName).min(1).max(500);

// ---------------------------------------------------------------------------------------------------------------
// Channels: request schema (validated in main) and value schema (documentation and tests; main is trusted).

const channel = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) => ({
  request,
  response,
});
/** An order channel: its answer is the order's own success or failure (one Result layer). */
const orderChannel = <Req extends z.ZodType>(request: Req) => ({
  request,
  response: OrderSuccess,
  error: OrderFailure,
});

/** Every invoke channel, its request and its success value. */
export const ipcChannels = {
  'app:get-info': channel(empty, AppInfo),

  'bridge:get-status': channel(empty, BridgeStatus),
  /** Which connected terminal market and trading calls go to. */
  'bridge:select-session': channel(z.strictObject({ sessionId: z.string().min(1) }), BridgeStatus),
  /**
   * A new pairing token: the token file is rewritten and every EA session ends, so each EA proves itself again
   * with the new token (whoever learnt the old one loses access). Ask the trader to confirm first.
   */
  'bridge:rotate-token': channel(empty, BridgeStatus),

  'account:get-info': channel(empty, AccountInfo),

  'symbols:list': channel(empty, z.object({ symbols: z.array(SymbolSummary) })),
  'symbols:get-spec': channel(z.strictObject({ symbol: symbolName }), SymbolSpec),

  'quotes:get-snapshot': channel(
    z.strictObject({ symbols: symbolList }),
    z.object({ quotes: z.array(Quote) }),
  ),
  /** Adds symbols to the live feed (`quotes:tick`); answers the full subscribed set. */
  'quotes:subscribe': channel(
    z.strictObject({ symbols: symbolList }),
    z.object({ symbols: z.array(symbolName) }),
  ),
  'quotes:unsubscribe': channel(
    z.strictObject({ symbols: symbolList }),
    z.object({ symbols: z.array(symbolName) }),
  ),

  'positions:list': channel(empty, z.object({ positions: z.array(Position) })),
  'orders:list-pending': channel(empty, z.object({ orders: z.array(PendingOrder) })),

  'orders:open-market': orderChannel(OpenMarketOrder),
  'orders:place-pending': orderChannel(PlacePendingOrder),
  'orders:modify-position': orderChannel(ModifyPosition),
  'orders:modify-order': orderChannel(ModifyOrder),
  'orders:close-position': orderChannel(ClosePosition),
  'orders:close-all': orderChannel(CloseAll),
  'orders:cancel-order': orderChannel(CancelOrder),

  /** Margin the terminal would require for this order, in the account currency. */
  'margin:calc': channel(
    z.strictObject({
      symbol: symbolName,
      side: Side,
      volume: z.number().positive(),
      /** Defaults to the current ask (buy) or bid (sell). */
      price: price.optional(),
    }),
    z.object({ margin: z.number().nonnegative(), currency: z.string() }),
  ),

  /** One page of the journal, newest first; pass `nextCursor` back as `cursor` for the next page. */
  'journal:query': channel(JournalQuery, JournalPage),

  'settings:get': channel(empty, Settings),
  /** Applies a patch and answers the full, stored settings. */
  'settings:set': channel(z.strictObject({ patch: SettingsPatch }), Settings),

  /** Starts the built-in MT5 simulator on the app's own pipe (demo mode). */
  'demo:start': channel(
    z.strictObject({
      marginMode: MarginMode.default('hedging'),
      balance: z.number().positive().max(1e9).default(10_000),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .default('USD'),
    }),
    BridgeStatus,
  ),
  'demo:stop': channel(empty, BridgeStatus),

  'installer:find-terminals': channel(empty, Mt5Scan),
  'installer:install-ea': channel(z.strictObject({ dataPath: z.string().min(1).max(1024) }), EaInstallResult),

  /** Cloud sign-in, account links and remote trading (ipc-cloud.ts, docs/cloud-sync.md). */
  ...cloudIpcChannels,
  /** Chart bars (ipc-chart.ts). */
  ...chartIpcChannels,
  /** Trailing stop, break-even and multiple take-profits (ipc-trade-rules.ts). */
  ...tradeRulesIpcChannels,
  /** Deal history and OS notifications (ipc-history.ts). */
  ...historyIpcChannels,
  /** The paper account on live prices (ipc-paper.ts). */
  ...paperIpcChannels,
  /** Tick recordings of the live terminal (ipc-recording.ts). */
  ...recordingIpcChannels,
  /** Saving an exported report (ipc-report.ts). */
  ...reportIpcChannels,
  /** Replay sessions on history files (ipc-replay.ts). */
  ...replayIpcChannels,
} as const;

/** Every event main pushes, with its payload schema. */
export const ipcEvents = {
  'bridge:status-changed': BridgeStatus,
  'account:changed': AccountInfo,
  /** Ticks of subscribed symbols, batched (at most one batch per animation-frame-ish interval). */
  'quotes:tick': z.object({ quotes: z.array(Quote) }),
  /** The full list after any change. */
  'positions:changed': z.object({ positions: z.array(Position) }),
  'orders:changed': z.object({ orders: z.array(PendingOrder) }),
  /** An entry was written or changed state. */
  'journal:changed': z.object({ entry: JournalEntry }),
  /**
   * An order whose outcome was unknown (the trader was told so, or the app stopped before answering) was found
   * executed: the UI must say so prominently, since the trader may think it did not go through.
   */
  'orders:executed-late': z.object({ result: OrderSuccess, entry: JournalEntry }),
  'settings:changed': Settings,
  /** Cloud sign-in state, links and connector states after any change (ipc-cloud.ts). */
  ...cloudIpcEvents,
  /** Trailing/break-even rules after any change (ipc-trade-rules.ts). */
  ...tradeRulesIpcEvents,
  /** New deals of the active terminal (ipc-history.ts). */
  ...historyIpcEvents,
  /** The paper account opened, closed or was reset (ipc-paper.ts). */
  ...paperIpcEvents,
  /** The replay opened, closed or moved (ipc-replay.ts). */
  ...replayIpcEvents,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Types derived from the maps.

export type IpcChannels = typeof ipcChannels;
export type IpcEvents = typeof ipcEvents;
/** An invoke channel name. */
export type IpcChannel = keyof IpcChannels;
/** An event channel name. */
export type IpcEvent = keyof IpcEvents;

/** What a caller sends (defaults may be left out). */
export type IpcRequestInput<K extends IpcChannel> = z.input<IpcChannels[K]['request']>;
/** What a handler receives, after validation and defaults. */
export type IpcRequest<K extends IpcChannel> = z.output<IpcChannels[K]['request']>;
/** The success value of a channel. */
export type IpcValue<K extends IpcChannel> = z.output<IpcChannels[K]['response']>;
/** The error half of a channel's answer: {@link IpcError}, or `OrderFailure` for order channels. */
export type IpcErrorOf<K extends IpcChannel> = IpcChannels[K] extends { readonly error: typeof OrderFailure }
  ? OrderFailure
  : IpcError;
/** The answer of a channel. */
export type IpcResponse<K extends IpcChannel> = Result<IpcValue<K>, IpcErrorOf<K>>;
/** The payload of an event. */
export type IpcEventPayload<E extends IpcEvent> = z.output<IpcEvents[E]>;

/** The channel names, for allow-lists (preload, web host). */
export const IPC_CHANNELS = Object.keys(ipcChannels) as readonly IpcChannel[];
/** The event names, for allow-lists. */
export const IPC_EVENTS = Object.keys(ipcEvents) as readonly IpcEvent[];

/** Narrows an untrusted string to a channel name. */
export function isIpcChannel(name: unknown): name is IpcChannel {
  return typeof name === 'string' && Object.hasOwn(ipcChannels, name);
}

/** Narrows an untrusted string to an event name. */
export function isIpcEvent(name: unknown): name is IpcEvent {
  return typeof name === 'string' && Object.hasOwn(ipcEvents, name);
}

/**
 * How a client reaches main: Electron's preload (`window.pipdesk`) and the web host's WebSocket both implement
 * it. `invoke` resolves with the raw answer (an `IpcResponse`) and rejects only when the transport itself fails;
 * `subscribe` returns an unsubscribe function.
 */
export interface IpcTransport {
  invoke(channel: string, request: unknown): Promise<unknown>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

/** The API the Electron preload exposes as `window.pipdesk` (the same shape as {@link IpcTransport}). */
export type PipdeskBridgeApi = IpcTransport;
