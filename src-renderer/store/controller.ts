import { markPaper } from '../features/paper/PaperMark';
import { sessionServerNowMs } from './session-clock';
import type { IpcClient } from '../../src-core/contracts/ipc-client';
import type {
  IpcChannel,
  IpcRequestInput,
  IpcResponse,
  IpcValue,
  Settings,
  SettingsPatch,
} from '../../src-core/contracts/ipc';
import type { RecordingFile, RecordingStatus } from '../../src-core/contracts/ipc-recording';
import type { JournalEntry } from '../../src-core/contracts/journal';
import type { PaperCosts, PaperStatus } from '../../src-core/contracts/ipc-paper';
import type { ReplayFileList, ReplayFileRef } from '../../src-core/contracts/ipc-replay';
import type { OpenSplitOrder, SplitOrderResult } from '../../src-core/contracts/ipc-trade-rules';
import type { StopRule } from '../../src-core/trading/stop-rules';
import type {
  CancelOrder,
  CloseAll,
  ClosePosition,
  OrderAnswer,
  OrderFailure,
  OrderSuccess,
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  PlacePendingOrder,
} from '../../src-core/contracts/orders';
import type { Quote } from '../../src-core/trading/symbol-spec';
import type { AppStore } from './app-store';
import type { ErrorPlace } from './ui-slice';
import { createTickBatcher, type FrameScheduler } from './tick-batcher';
import { resolveSymbolName } from '../../src-core/trading/symbol-names';

/**
 * The one place the renderer talks to main. It loads what the screens need, pushes every IPC event into the
 * store with plain setState calls (ticks through a per-frame batcher), and runs the user's actions, putting each
 * failure next to the control that caused it. Components never call the client themselves.
 */
export interface Controller {
  /** Loads everything and subscribes to events; resolves when the first picture is in the store. */
  start(): Promise<void>;
  /** Loads everything again (after the link to the app came back). */
  resync(): Promise<void>;
  stop(): void;
  openMarket(place: ErrorPlace, input: OpenMarketOrder): Promise<OrderAnswer | null>;
  placePending(place: ErrorPlace, input: PlacePendingOrder): Promise<OrderAnswer | null>;
  modifyPosition(place: ErrorPlace, input: ModifyPosition): Promise<OrderAnswer | null>;
  modifyOrder(place: ErrorPlace, input: ModifyOrder): Promise<OrderAnswer | null>;
  closePosition(place: ErrorPlace, input: ClosePosition): Promise<OrderAnswer | null>;
  closeAll(place: ErrorPlace, input: CloseAll): Promise<OrderAnswer | null>;
  cancelOrder(place: ErrorPlace, input: CancelOrder): Promise<OrderAnswer | null>;
  updateSettings(place: ErrorPlace, patch: SettingsPatch): Promise<boolean>;
  /** Sets (or re-arms) a position's trailing/break-even rule; true when main kept it. */
  setStopRule(place: ErrorPlace, ticket: string, rule: StopRule): Promise<boolean>;
  removeStopRule(place: ErrorPlace, ticket: string): Promise<boolean>;
  /** Opens a trade split into parts with their own TPs; the answer says which parts opened. */
  openSplit(place: ErrorPlace, input: OpenSplitOrder): Promise<SplitOrderResult | null>;
  addSymbol(symbol: string): Promise<void>;
  removeSymbol(symbol: string): Promise<void>;
  /** Loads a spec on demand (calculator or ticket on a symbol outside the watchlist). */
  ensureSpec(symbol: string): Promise<void>;
  startDemo(): Promise<void>;
  /** Makes another connected terminal the one market and trading calls go to. */
  selectSession(sessionId: string): Promise<void>;
  /** Rotates the pairing token (the trader confirmed it): every EA reconnects and proves the new one. */
  rotatePairingToken(): Promise<boolean>;
  stopDemo(): Promise<void>;
  /** Opens the paper account on the live terminal's prices and switches trading to it (docs/paper-trading.md). */
  openPaper(): Promise<void>;
  /** Starts the paper account again from its starting balance (the trader confirmed it); true when done. */
  resetPaper(): Promise<boolean>;
  /** Tick recording's status and the recorded days (Settings → Recording ticks); null when main did not answer. */
  loadRecordings(): Promise<{ status: RecordingStatus; files: RecordingFile[] } | null>;
  /** The paper account's status, its costs among it; null when main did not answer. */
  paperStatus(): Promise<PaperStatus | null>;
  /** Sets the open paper account's commission and slippage; the new status, or null (the error is on `paper-costs`). */
  setPaperCosts(costs: PaperCosts): Promise<PaperStatus | null>;
  /** The files a replay can open (docs/replay.md); null after a failure (shown at `replay`). */
  listReplayFiles(): Promise<ReplayFileList | null>;
  /** Electron: the system's file dialog copies a file into `replays/`; its name, or null (cancelled, failed). */
  importReplayFile(): Promise<ReplayFileRef | null>;
  /** Opens a file as a replay session and switches trading to it; true when it opened. */
  openReplay(file: ReplayFileRef): Promise<boolean>;
  /** Closes the replay; trading goes back to the account that was active before it. */
  closeReplay(): Promise<void>;
  /** Play, pause, one step, a speed or a jump; a refusal is shown at `replay`. */
  controlReplay(action: ReplayAction): Promise<void>;
  /** Loads older journal entries than those in memory. */
  loadJournal(): Promise<void>;
  /** Cloud sign-in; answers the error code on failure (`TOTP_REQUIRED` asks for the code), null on success. */
  cloudSignIn(input: { email: string; password: string; totpCode?: string }): Promise<string | null>;
  cloudSignOut(): Promise<void>;
  /** Registers an MT5 account as a cloud connection (the user confirmed it). */
  cloudLinkAccount(accountKey: string): Promise<void>;
  cloudSetRemoteTrading(accountKey: string, isOn: boolean): Promise<void>;
  readonly client: IpcClient;
}

/** What the replay bar asks of the replay (docs/replay.md). */
export type ReplayAction =
  | { readonly kind: 'play' | 'pause' | 'step' }
  | { readonly kind: 'speed'; readonly speed: number }
  | { readonly kind: 'jump'; readonly timeMs: number };

/** A fresh key per user action: the executor answers a repeated key with the first result (double clicks). */
export function newRequestKey(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `ui-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A failed order's words, with the trade server's retcode when it gave one. */
export function describeFailure(result: OrderFailure): string {
  return result.retcode === undefined ? result.message : `${result.message} (retcode ${result.retcode})`;
}

type TradeChannel =
  | 'orders:open-market'
  | 'orders:place-pending'
  | 'orders:modify-position'
  | 'orders:modify-order'
  | 'orders:close-position'
  | 'orders:close-all'
  | 'orders:cancel-order';

export function createController(client: IpcClient, store: AppStore, schedule: FrameScheduler): Controller {
  const unsubscribers: (() => void)[] = [];
  const batcher = createTickBatcher<Quote>((quotes) => {
    store.getState().applyQuotes(quotes);
  }, schedule);
  let loadGeneration = 0;

  const state = () => store.getState();

  /** Calls a read channel; a failure goes to `place` and yields null. */
  async function read<K extends IpcChannel>(
    place: ErrorPlace,
    channel: K,
    request?: IpcRequestInput<K>,
  ): Promise<IpcValue<K> | null> {
    // The client's rest-parameter typing cannot be spread from a generic K; the call is checked by this signature.
    const invoke = client.invoke.bind(client) as (c: IpcChannel, r?: unknown) => Promise<IpcResponse<K>>;
    const answer = await invoke(channel, request);
    noteTransport(answer.ok ? null : answer.error.code);
    if (!answer.ok) {
      state().setError(place, answer.error.message);
      return null;
    }
    return answer.value;
  }

  function noteTransport(code: string | null): void {
    const next = code === 'TRANSPORT' ? 'lost' : 'open';
    if (state().transport !== next) state().setTransport(next);
  }

  async function loadSpecs(symbols: readonly string[]): Promise<void> {
    const missing = symbols.filter((s) => state().specs[s] === undefined);
    await Promise.all(
      missing.map(async (symbol) => {
        const spec = await read('app', 'symbols:get-spec', { symbol });
        if (spec !== null) state().setSpec(spec);
      }),
    );
  }

  /** Everything that belongs to the connected terminal; called at start and whenever a terminal (re)connects. */
  async function loadTerminal(): Promise<void> {
    const generation = ++loadGeneration;
    const [account, list, positions, orders] = await Promise.all([
      read('app', 'account:get-info'),
      read('app', 'symbols:list'),
      read('app', 'positions:list'),
      read('app', 'orders:list-pending'),
    ]);
    if (generation !== loadGeneration) return;
    if (account !== null) state().setAccount(account);
    if (list !== null) state().setSymbolList(list.symbols);
    if (positions !== null) state().setPositions(positions.positions);
    if (orders !== null) state().setPendingOrders(orders.orders);
    const listed = (list?.symbols ?? []).map((s) => s.name);
    // A watchlist saved on another broker (or the default one) names the instrument as that account did: it is
    // shown under this broker's name (EURUSD → EURUSDm, src-core/trading/symbol-names.ts), or not at all when this
    // broker lacks it. Settings keep the saved names, for when that broker's terminal is back.
    // The saved list, not the one on screen: after a replay (which shows only its file's symbols) or another
    // broker, the trader's own list comes back whole.
    const saved = state().settings?.watchlist ?? state().watchlist;
    const watch =
      listed.length === 0
        ? [...saved]
        : state().bridge?.state === 'replay'
          ? listed
          : saved.flatMap((s) => {
              const name = resolveSymbolName(s, listed);
              return name === undefined ? [] : [name];
            });
    if (watch.join() !== state().watchlist.join()) state().setWatchlist(watch);
    if (watch.length > 0) {
      await loadSpecs(watch);
      const snapshot = await read('app', 'quotes:get-snapshot', { symbols: [...watch] });
      if (snapshot !== null) state().applyQuotes(snapshot.quotes);
      await read('app', 'quotes:subscribe', { symbols: [...watch] });
    }
    state().setError('app', null);
  }

  async function loadJournal(): Promise<void> {
    const oldest = state().journal.at(-1);
    const page = await read('app', 'journal:query', {
      limit: 200,
      ...(oldest === undefined ? {} : { to: oldest.createdAt }),
    });
    if (page !== null) state().upsertJournal(page.entries);
  }

  function applySettings(settings: Settings): void {
    const before = state().settings;
    state().setSettings(settings);
    if (before === null || before.watchlist.join() !== settings.watchlist.join()) {
      state().setWatchlist(settings.watchlist);
    }
  }

  /**
   * The trade server's answer already says which position opened, at what price and size: show it at once
   * rather than after main's next position list (a round trip to the terminal later). On a netting account the
   * position may be an existing one that grew; that one is left for the list to update.
   */
  function showOpened(result: OrderSuccess, input: OpenMarketOrder): void {
    const { position, price, volume } = result;
    if (position === undefined || price === undefined || volume === undefined) return;
    if (state().account?.marginMode === 'netting') return;
    // A position's open time is on the trade server's clock, as main's list will have it: a replay's clock during
    // a replay (years back), the wall clock at the server's offset otherwise; never the bare wall clock.
    const now = sessionServerNowMs(state(), Date.now());
    state().addOpenedPosition({
      ticket: position,
      symbol: input.symbol,
      side: input.side,
      volume,
      priceOpen: price,
      priceCurrent: price,
      sl: result.sl ?? null,
      tp: result.tp ?? null,
      profit: 0,
      swap: 0,
      commission: 0,
      openTimeMs: now,
      magic: '',
      comment: '',
      clientOrderId: result.clientOrderId,
    });
  }

  async function trade<K extends TradeChannel>(
    place: ErrorPlace,
    channel: K,
    input: IpcRequestInput<K>,
  ): Promise<OrderAnswer | null> {
    if (state().busy[place] === true) return null;
    state().setBusy(place, true);
    state().setError(place, null);
    try {
      const request = { requestKey: newRequestKey(), ...input } as IpcRequestInput<K>;
      const invoke = client.invoke.bind(client) as (
        c: IpcChannel,
        r: unknown,
      ) => Promise<IpcResponse<TradeChannel>>;
      const answer = await invoke(channel, request);
      noteTransport(answer.ok ? null : answer.error.code);
      if (answer.ok) {
        state().notify('ok', markPaper(state(), answer.value.message));
        if (channel === 'orders:open-market') showOpened(answer.value, input as OpenMarketOrder);
        // Show where the new position or order went, as MT5's toolbox does.
        if (channel === 'orders:open-market') state().setBottomTab('positions');
        if (channel === 'orders:place-pending') state().setBottomTab('orders');
      } else {
        const words = describeFailure(answer.error);
        state().setError(place, words);
        state().notify('error', markPaper(state(), words));
      }
      return answer;
    } finally {
      state().setBusy(place, false);
    }
  }

  async function resync(): Promise<void> {
    const [info, settings, bridge, cloud, rules, replay] = await Promise.all([
      read('app', 'app:get-info'),
      read('app', 'settings:get'),
      read('app', 'bridge:get-status'),
      read('cloud', 'cloud:get-state'),
      read('app', 'stops:list-rules'),
      read('replay', 'replay:get-status'),
    ]);
    if (replay !== null) state().setReplay(replay);
    if (info !== null) state().setAppInfo(info);
    if (rules !== null) state().setStopRules(rules.rules);
    if (cloud !== null) state().setCloud(cloud);
    if (settings !== null) applySettings(settings);
    if (bridge !== null) state().setBridge(bridge);
    await Promise.all([
      bridge !== null && bridge.state !== 'disconnected' ? loadTerminal() : Promise.resolve(),
      loadJournal(),
    ]);
  }

  return {
    client,
    async start() {
      unsubscribers.push(
        client.on('bridge:status-changed', (status) => {
          const before = state().bridge;
          state().setBridge(status);
          noteTransport(null);
          const wasUp = before !== null && before.state !== 'disconnected';
          const isUp = status.state !== 'disconnected';
          if (isUp && (!wasUp || before.activeSessionId !== status.activeSessionId)) {
            void loadTerminal();
          }
          // Settings → Notifications may turn the in-app notice off (features/notifications adds OS and sound).
          if (wasUp && !isUp && state().settings?.notifications.linkLoss.isInApp !== false)
            state().notify('error', `MT5 link lost: ${status.reason ?? 'no terminal connected'}`);
          if (!wasUp && isUp && before !== null) state().notify('ok', 'MT5 link is back.');
        }),
        // The paper account takes symbols added to the live Market Watch while it is open: list them.
        client.on('paper:status-changed', (paper) => {
          if (paper.key === null || paper.key !== state().bridge?.activeSessionId) return;
          void read('app', 'symbols:list').then((list) => {
            if (list !== null && state().bridge?.activeSessionId === paper.key)
              state().setSymbolList(list.symbols);
          });
        }),
        client.on('account:changed', (account) => {
          state().setAccount(account);
        }),
        client.on('quotes:tick', ({ quotes }) => {
          for (const quote of quotes) batcher.push(quote);
        }),
        client.on('positions:changed', ({ positions }) => {
          state().setPositions(positions);
        }),
        client.on('orders:changed', ({ orders }) => {
          state().setPendingOrders(orders);
        }),
        client.on('journal:changed', ({ entry }: { entry: JournalEntry }) => {
          state().upsertJournal([entry]);
        }),
        client.on('orders:executed-late', ({ result }) => {
          // The trader was told "unknown" (or nothing, before a restart) and may think it did not go through.
          const text =
            `An order Pipdesk could not confirm was executed after all (${result.clientOrderId}): ` +
            `${result.message} Check your positions before placing anything again.`;
          state().setError('app', text);
          state().notify('error', text);
        }),
        client.on('settings:changed', (settings) => {
          applySettings(settings);
        }),
        client.on('cloud:state-changed', (cloud) => {
          state().setCloud(cloud);
        }),
        client.on('stops:rules-changed', ({ rules }) => {
          state().setStopRules(rules);
        }),
        client.on('replay:status-changed', (replay) => {
          state().setReplay(replay);
        }),
        () => {
          batcher.dispose();
        },
      );
      await resync();
    },
    resync,
    stop() {
      for (const off of unsubscribers.splice(0)) off();
    },
    openMarket: (place, input) => trade(place, 'orders:open-market', input),
    placePending: (place, input) => trade(place, 'orders:place-pending', input),
    modifyPosition: (place, input) => trade(place, 'orders:modify-position', input),
    modifyOrder: (place, input) => trade(place, 'orders:modify-order', input),
    closePosition: (place, input) => trade(place, 'orders:close-position', input),
    closeAll: (place, input) => trade(place, 'orders:close-all', input),
    cancelOrder: (place, input) => trade(place, 'orders:cancel-order', input),
    async updateSettings(place, patch) {
      const settings = await read(place, 'settings:set', { patch });
      if (settings === null) return false;
      state().setError(place, null);
      applySettings(settings);
      return true;
    },
    async setStopRule(place, ticket, rule) {
      state().setBusy(place, true);
      try {
        const saved = await read(place, 'stops:set-rule', { ticket, rule });
        if (saved === null) return false;
        state().setError(place, null);
        return true;
      } finally {
        state().setBusy(place, false);
      }
    },
    async removeStopRule(place, ticket) {
      const rules = await read(place, 'stops:remove-rule', { ticket });
      if (rules === null) return false;
      state().setError(place, null);
      state().setStopRules(rules.rules);
      return true;
    },
    async openSplit(place, input) {
      if (state().busy[place] === true) return null;
      state().setBusy(place, true);
      state().setError(place, null);
      try {
        const result = await read(place, 'orders:open-split', { requestKey: newRequestKey(), ...input });
        if (result === null) return null;
        if (result.isComplete) {
          state().notify('ok', markPaper(state(), result.message));
          state().setBottomTab('positions');
        } else {
          state().setError(place, result.message);
          state().notify('error', result.message);
        }
        return result;
      } finally {
        state().setBusy(place, false);
      }
    },
    async addSymbol(symbol) {
      state().addToWatchlist(symbol);
      state().selectSymbol(symbol);
      await loadSpecs([symbol]);
      const snapshot = await read('app', 'quotes:get-snapshot', { symbols: [symbol] });
      if (snapshot !== null) state().applyQuotes(snapshot.quotes);
      await read('app', 'quotes:subscribe', { symbols: [symbol] });
      await read('app', 'settings:set', { patch: { watchlist: [...state().watchlist] } });
    },
    async removeSymbol(symbol) {
      state().removeFromWatchlist(symbol);
      await read('app', 'settings:set', { patch: { watchlist: [...state().watchlist] } });
      // Keep ticking symbols that an open position or order still shows.
      const inUse =
        state().positions.some((p) => p.symbol === symbol) ||
        state().pendingOrders.some((o) => o.symbol === symbol);
      if (!inUse) await read('app', 'quotes:unsubscribe', { symbols: [symbol] });
    },
    async ensureSpec(symbol) {
      await loadSpecs([symbol]);
      if (state().quotes[symbol] === undefined) {
        const snapshot = await read('app', 'quotes:get-snapshot', { symbols: [symbol] });
        if (snapshot !== null) state().applyQuotes(snapshot.quotes);
        await read('app', 'quotes:subscribe', { symbols: [symbol] });
      }
    },
    async rotatePairingToken() {
      state().setBusy('pairing', true);
      try {
        const status = await read('pairing', 'bridge:rotate-token');
        if (status === null) return false;
        state().setError('pairing', null);
        state().setBridge(status);
        return true;
      } finally {
        state().setBusy('pairing', false);
      }
    },
    async startDemo() {
      state().setBusy('demo', true);
      try {
        const status = await read('demo', 'demo:start', {});
        if (status !== null) {
          state().setError('demo', null);
          state().setBridge(status);
          await loadTerminal();
        }
      } finally {
        state().setBusy('demo', false);
      }
    },
    async selectSession(sessionId) {
      const status = await read('app', 'bridge:select-session', { sessionId });
      if (status === null) return;
      state().setBridge(status);
      await loadTerminal();
    },
    listReplayFiles: () => read('replay', 'replay:list-files'),
    async importReplayFile() {
      const imported = await read('replay', 'replay:import-file');
      return imported?.file ?? null;
    },
    async openReplay(file) {
      state().setBusy('replay', true);
      try {
        const opened = await read('replay', 'replay:open', { file });
        if (opened === null) return false;
        state().setError('replay', null);
        state().setReplay(opened);
        const status = await read('replay', 'bridge:get-status');
        if (status !== null) state().setBridge(status);
        await loadTerminal();
        return true;
      } finally {
        state().setBusy('replay', false);
      }
    },
    async closeReplay() {
      const closed = await read('replay', 'replay:close');
      if (closed === null) return;
      state().setReplay(closed);
      const status = await read('replay', 'bridge:get-status');
      if (status !== null) state().setBridge(status);
      await loadTerminal();
    },
    async controlReplay(action) {
      const answer =
        action.kind === 'speed'
          ? await read('replay', 'replay:set-speed', { speed: action.speed })
          : action.kind === 'jump'
            ? await read('replay', 'replay:jump-to', { timeMs: action.timeMs })
            : await read('replay', `replay:${action.kind}`);
      if (answer === null) return;
      state().setError('replay', null);
      state().setReplay(answer);
    },
    async openPaper() {
      state().setBusy('paper', true);
      try {
        const opened = await read('paper', 'paper:open', {});
        if (opened === null) return;
        state().setError('paper', null);
        const status = await read('paper', 'bridge:get-status');
        if (status !== null) state().setBridge(status);
        await loadTerminal();
      } finally {
        state().setBusy('paper', false);
      }
    },
    async loadRecordings() {
      const status = await read('recording', 'recording:get-status');
      const list = await read('recording', 'recording:list');
      if (status === null || list === null) return null;
      state().setError('recording', null);
      return { status, files: list.files };
    },
    async resetPaper() {
      state().setBusy('paper-reset', true);
      try {
        const reset = await read('paper-reset', 'paper:reset', { isConfirmed: true });
        if (reset === null) return false;
        state().setError('paper-reset', null);
        const status = await read('paper-reset', 'bridge:get-status');
        if (status !== null) state().setBridge(status);
        await loadTerminal();
        return true;
      } finally {
        state().setBusy('paper-reset', false);
      }
    },
    paperStatus: () => read('paper-costs', 'paper:get-status'),
    async setPaperCosts(costs) {
      state().setBusy('paper-costs', true);
      try {
        const status = await read('paper-costs', 'paper:set-costs', costs);
        if (status !== null) state().setError('paper-costs', null);
        return status;
      } finally {
        state().setBusy('paper-costs', false);
      }
    },
    async stopDemo() {
      const status = await read('demo', 'demo:stop');
      if (status !== null) state().setBridge(status);
    },
    loadJournal,
    async cloudSignIn(input) {
      if (state().busy['cloud-sign-in'] === true) return null;
      state().setBusy('cloud-sign-in', true);
      state().setError('cloud-sign-in', null);
      try {
        const answer = await client.invoke('cloud:sign-in', input);
        noteTransport(answer.ok ? null : answer.error.code);
        if (!answer.ok) {
          // Asking for the code is a step of the form, not an error to show.
          if (answer.error.code !== 'TOTP_REQUIRED') state().setError('cloud-sign-in', answer.error.message);
          return answer.error.code;
        }
        state().setCloud(answer.value);
        return null;
      } finally {
        state().setBusy('cloud-sign-in', false);
      }
    },
    async cloudSignOut() {
      const cloud = await read('cloud', 'cloud:sign-out');
      if (cloud !== null) state().setCloud(cloud);
    },
    async cloudLinkAccount(accountKey) {
      const place = `cloud-account:${accountKey}`;
      state().setBusy(place, true);
      try {
        const cloud = await read(place, 'cloud:link-account', { accountKey });
        if (cloud !== null) {
          state().setError(place, null);
          state().setCloud(cloud);
        }
      } finally {
        state().setBusy(place, false);
      }
    },
    async cloudSetRemoteTrading(accountKey, isOn) {
      const place = `cloud-account:${accountKey}`;
      const cloud = await read(place, 'cloud:set-remote-trading', { accountKey, isOn });
      if (cloud !== null) {
        state().setError(place, null);
        state().setCloud(cloud);
      }
    },
  };
}
