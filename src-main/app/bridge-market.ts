import { appError, err, ok, type AppError, type Result } from '../../src-core/result';
import type {
  AccountInfo,
  BridgeSession as SessionView,
  BridgeStatus,
  PendingOrder,
  PendingOrderType,
  Position,
  SymbolSummary,
} from '../../src-core/contracts/ipc';
import type { Quote, SymbolSpec } from '../../src-core/trading/symbol-spec';
import type { BridgeServer, SessionEvent } from '../../src-bridge/server/bridge-server';
import type { BridgeRequestError, BridgeSession, SessionCloseReason } from '../../src-bridge/server/session';
import type {
  AccountEvent,
  ParamsOf,
  RequestType,
  ResultOf,
  WireAccount,
  WireOrder,
  WirePosition,
} from '../../src-bridge/protocol/messages';
import { ORDER_TYPE_NAME, toSymbolSpec } from '../../src-bridge/protocol/enums';
import type { IpcEventHub } from '../ipc/events';
import type { MarketPort } from '../ipc/ports';
import type { Logger } from '../../src-core/logger';

/** How often batched ticks go to the renderer (at most), in ms: ~20 frames a second is smooth and cheap. */
export const TICK_BATCH_MS = 50;

const NOT_CONNECTED_MESSAGE =
  'No MetaTrader 5 terminal is connected. Attach the Pipdesk EA to a chart in MT5, or start demo mode.';

const CLOSE_REASON_WORDS: Readonly<Record<SessionCloseReason, string>> = {
  replaced: 'the terminal reconnected',
  silence: 'the terminal stopped answering (no heartbeat for 15 seconds)',
  disconnected: 'the terminal closed the connection (EA removed, MT5 closed or restarted)',
  bye: 'the EA said goodbye (removed from the chart or MT5 closing)',
  protocol_error: 'the terminal sent data Pipdesk could not read',
  shutdown: 'Pipdesk is shutting down',
  backpressure: 'the terminal stopped reading (too far behind)',
  token_rotated: 'the pairing token was rotated; the EA reconnects with the new one',
};

/** Options of {@link createBridgeMarket}. */
export interface BridgeMarketOptions {
  readonly server: BridgeServer;
  readonly events: IpcEventHub;
  readonly logger: Logger;
  /** Says whether a position/order comment is a client order id of ours (the journal knows). */
  readonly isOwnClientOrderId: (comment: string) => boolean;
  /** Whether the demo simulator is running in this process (for the status). */
  readonly isDemoRunning: () => boolean;
  /** Whether a session key is the app's paper account (docs/paper-trading.md); default none is. */
  readonly isPaperKey?: (key: string) => boolean;
  /** Whether a session key is a replay session (docs/replay.md); default none is. */
  readonly isReplayKey?: (key: string) => boolean;
  readonly tickBatchMs?: number;
}

/** The market port plus what the composition needs around it. */
export interface BridgeMarket extends MarketPort {
  /** The active session's key (`login@server`), for the executor's bridge. */
  activeKey(): string | undefined;
  /** Re-reads positions and orders now and pushes them (after an order result). */
  refreshTrading(): void;
  /** Pushes the status again (after demo start/stop). */
  announceStatus(): void;
  /**
   * Marks the demo simulator's coming disconnect as asked for: the status then says "Demo mode stopped." and the
   * newest real terminal, if any, becomes the active one (the status bar shows which).
   */
  expectDemoStop(key: string): void;
  dispose(): void;
}

const nz = (v: number): number | null => (v === 0 ? null : v);

/** Whether a session is the built-in simulator rather than a real EA (its hello says `sim-…`). */
export function isSimulatorSession(session: BridgeSession): boolean {
  return session.hello.eaVersion.startsWith('sim');
}

function toSessionView(s: BridgeSession, isPaper: boolean, isReplay: boolean): SessionView {
  const { account, terminal } = s.hello;
  return {
    isPaper,
    ...(isReplay ? { isReplay } : {}),
    id: s.key,
    login: account.login,
    server: account.server,
    company: account.company ?? terminal.company,
    currency: account.currency,
    leverage: Math.max(1, account.leverage),
    marginMode: account.marginMode,
    accountTradeMode: account.tradeMode,
    eaVersion: s.hello.eaVersion,
    terminalBuild: terminal.build,
    isTradeAllowed: terminal.tradeAllowed,
    isSimulator: isSimulatorSession(s),
    connectedAtMs: s.openedAt,
    timeOffsetSec: s.timeOffsetSec,
  };
}

function toAccountInfo(a: WireAccount, session: BridgeSession): AccountInfo {
  return {
    login: a.login,
    server: a.server,
    name: a.name ?? '',
    company: a.company ?? session.hello.terminal.company,
    currency: a.currency,
    currencyDigits: a.currencyDigits,
    leverage: Math.max(1, a.leverage),
    marginMode: a.marginMode,
    accountTradeMode: a.tradeMode,
    balance: a.balance,
    equity: a.equity,
    profit: a.profit,
    margin: a.margin,
    freeMargin: a.marginFree,
    marginLevel: a.margin === 0 ? null : a.marginLevel,
    isTradeAllowed: a.tradeAllowed && a.tradeExpert && session.hello.terminal.tradeAllowed,
    // The account answer is newer than the hello (a daylight-saving change since the link opened).
    timeOffsetSec: a.timeOffsetSec ?? session.timeOffsetSec,
    marginCallPercent: a.marginSoMode === 'percent' && a.marginSoCall > 0 ? a.marginSoCall : null,
  };
}

const PENDING_TYPES: ReadonlyMap<string, PendingOrderType> = new Map([
  ['BUY_LIMIT', 'buy_limit'],
  ['SELL_LIMIT', 'sell_limit'],
  ['BUY_STOP', 'buy_stop'],
  ['SELL_STOP', 'sell_stop'],
  ['BUY_STOP_LIMIT', 'buy_stop_limit'],
  ['SELL_STOP_LIMIT', 'sell_stop_limit'],
]);

/** The client order id a comment carries: the comment itself, minus a retry suffix (`.2`), when it is ours. */
function clientOrderIdOf(comment: string, isOwn: (id: string) => boolean): string | null {
  const base = comment.replace(/\.\d+$/, '');
  return base !== '' && isOwn(base) ? base : null;
}

function bridgeError(e: BridgeRequestError): AppError {
  switch (e.code) {
    case 'NOT_CONNECTED':
      return appError('NOT_CONNECTED', NOT_CONNECTED_MESSAGE);
    case 'TIMEOUT':
      return appError(
        'TERMINAL_TIMEOUT',
        'MetaTrader 5 did not answer in time. Is the terminal busy or frozen?',
      );
    case 'DISCONNECTED':
      return appError('NOT_CONNECTED', 'The connection to MetaTrader 5 dropped before it answered.');
    case 'EA_ERROR':
      if (e.eaCode === 'UNKNOWN_SYMBOL')
        return appError('SYMBOL_NOT_FOUND', `The terminal does not know this symbol.`);
      if (e.eaCode === 'NO_QUOTE')
        return appError('NO_QUOTE', 'The terminal has no price for this symbol yet.');
      return appError('TERMINAL_ERROR', `MetaTrader 5 could not answer: ${e.message}`);
    case 'INVALID_REQUEST':
    case 'BAD_RESPONSE':
      return appError('TERMINAL_ERROR', `The exchange with MetaTrader 5 failed: ${e.message}`);
  }
}

/**
 * The IPC market port over the pipe server: the active session's data, the live feed (ticks batched, account
 * changes, positions and orders re-read on every trade transaction), and the bridge status in plain words.
 */
export function createBridgeMarket(options: BridgeMarketOptions): BridgeMarket {
  const { server, events, logger } = options;
  const isPaperKey = options.isPaperKey ?? ((): boolean => false);
  const isReplayKey = options.isReplayKey ?? ((): boolean => false);
  /** A live terminal: neither the demo simulator nor the paper account. */
  const isLive = (s: BridgeSession): boolean => !isSimulatorSession(s) && !isPaperKey(s.key);
  const batchMs = options.tickBatchMs ?? TICK_BATCH_MS;
  const subscribed = new Set<string>();
  const digitsBySymbol = new Map<string, number>();
  /**
   * The terminal market and trading calls go to. Sticky on purpose: another terminal connecting (a real account
   * while the demo runs, or the reverse) never takes over silently; only the first terminal, an explicit
   * `bridge:select-session`, or stopping the demo changes it. A reconnect keeps it (same `login@server`).
   */
  let activeKey: string | undefined;
  let stoppingDemoKey: string | undefined;
  let lastReason: string | null = null;
  let lastAccount: AccountInfo | null = null;
  let pendingTicks = new Map<string, Quote>();
  let tickTimer: NodeJS.Timeout | null = null;
  let isRefreshing = false;
  /** Bumped by every refresh request; a pass that ends with a different value runs again. */
  let refreshRequests = 0;

  const openSessions = (): BridgeSession[] => server.sessions().filter((s) => s.isOpen);

  const activeSession = (): BridgeSession | undefined =>
    activeKey === undefined ? undefined : openSessions().find((s) => s.key === activeKey);

  const newest = (list: readonly BridgeSession[]): BridgeSession | undefined =>
    list.reduce<BridgeSession | undefined>(
      (a, b) => (a === undefined || b.openedAt >= a.openedAt ? b : a),
      undefined,
    );

  /** Why there is no active terminal, with a hint when another one is connected. */
  const disconnectedReason = (): string => {
    const base =
      lastReason ??
      'No MetaTrader 5 terminal has connected yet. Attach the Pipdesk EA to a chart, or start demo mode.';
    const others = openSessions().map((s) => s.key);
    return others.length === 0
      ? base
      : `${base} Connected now: ${others.join(', ')}; choose one to trade there.`;
  };

  /** A busy endpoint: another process holds the pipe, possibly an impostor waiting for the EA. */
  const pipeWarning = (): string | undefined => {
    const listen = server.listenState();
    return listen.kind === 'busy'
      ? `Warning: another program already holds the pipe ${server.path}. It may be an impostor waiting for the EA; ` +
          'Pipdesk keeps the EA safe (the EA checks the pairing token before it obeys anything) and takes the pipe ' +
          'when it is free. Close other Pipdesk copies; if none is running, check this computer for unwanted software.'
      : undefined;
  };

  const status = (): BridgeStatus => {
    const active = activeSession();
    const sessions = openSessions().map((s) => toSessionView(s, isPaperKey(s.key), isReplayKey(s.key)));
    return {
      state:
        active === undefined
          ? 'disconnected'
          : isPaperKey(active.key)
            ? 'paper'
            : isReplayKey(active.key)
              ? 'replay'
              : isSimulatorSession(active)
                ? 'demo'
                : 'connected',
      reason: active !== undefined ? null : (pipeWarning() ?? disconnectedReason()),
      pipePath: server.path,
      ...(pipeWarning() === undefined ? {} : { pipeWarning: pipeWarning() }),
      sessions,
      activeSessionId: active?.key ?? null,
      isDemoRunning: options.isDemoRunning(),
    };
  };

  async function call<T extends RequestType>(type: T, params: ParamsOf<T>): Promise<Result<ResultOf<T>>> {
    const active = activeSession();
    if (active === undefined) return err(appError('NOT_CONNECTED', NOT_CONNECTED_MESSAGE));
    const r = await server.request(active.key, type, params);
    return r.ok ? ok(r.value) : err(bridgeError(r.error));
  }

  const toPosition = (p: WirePosition): Position => ({
    ticket: p.ticket,
    symbol: p.symbol,
    side: p.type === 0 ? 'buy' : 'sell',
    volume: p.volume,
    priceOpen: p.priceOpen,
    priceCurrent: p.priceCurrent,
    sl: nz(p.sl),
    tp: nz(p.tp),
    profit: p.profit,
    swap: p.swap,
    commission: 0,
    openTimeMs: p.timeMsc,
    magic: p.magic,
    comment: p.comment,
    clientOrderId: clientOrderIdOf(p.comment, options.isOwnClientOrderId),
  });

  const toPendingOrder = (o: WireOrder): PendingOrder | null => {
    const type = PENDING_TYPES.get(ORDER_TYPE_NAME.get(o.type) ?? '');
    if (type === undefined || o.volumeCurrent <= 0) return null;
    return {
      ticket: o.ticket,
      symbol: o.symbol,
      type,
      volume: o.volumeCurrent,
      priceOpen: o.priceOpen,
      priceStopLimit: nz(o.priceStopLimit),
      sl: nz(o.sl),
      tp: nz(o.tp),
      expirationMs: o.expirationMs === 0 ? null : o.expirationMs,
      setupTimeMs: o.timeSetupMsc,
      magic: o.magic,
      comment: o.comment,
      clientOrderId: clientOrderIdOf(o.comment, options.isOwnClientOrderId),
    };
  };

  const positions = async (): Promise<Result<readonly Position[]>> => {
    const r = await call('positions', {});
    return r.ok ? ok(r.value.positions.map(toPosition)) : r;
  };

  const orders = async (): Promise<Result<readonly PendingOrder[]>> => {
    const r = await call('orders', {});
    return r.ok ? ok(r.value.orders.map(toPendingOrder).filter((o): o is PendingOrder => o !== null)) : r;
  };

  const account = async (): Promise<Result<AccountInfo>> => {
    const active = activeSession();
    const r = await call('account', {});
    if (!r.ok || active === undefined)
      return r.ok ? err(appError('NOT_CONNECTED', NOT_CONNECTED_MESSAGE)) : r;
    lastAccount = toAccountInfo(r.value, active);
    return ok(lastAccount);
  };

  /** Re-reads positions and orders, coalescing bursts: one read in flight, one more queued at most. */
  const refreshTrading = (): void => {
    refreshRequests += 1;
    if (isRefreshing) return;
    isRefreshing = true;
    void (async () => {
      try {
        let seen: number;
        do {
          seen = refreshRequests;
          const [p, o] = await Promise.all([positions(), orders()]);
          if (p.ok) events.emit('positions:changed', { positions: [...p.value] });
          if (o.ok) events.emit('orders:changed', { orders: [...o.value] });
        } while (seen !== refreshRequests);
      } catch (error) {
        logger.error('market: refresh failed', { error });
      } finally {
        isRefreshing = false;
      }
    })();
  };

  const flushTicks = (): void => {
    tickTimer = null;
    if (pendingTicks.size === 0) return;
    const quotes = [...pendingTicks.values()];
    pendingTicks = new Map();
    events.emit('quotes:tick', { quotes });
  };

  const resubscribe = async (): Promise<void> => {
    for (const symbol of subscribed) {
      const r = await call('subscribe', { symbol });
      if (!r.ok) logger.warn('market: resubscribe failed', { symbol, code: r.error.code });
    }
  };

  const onSessionOpened = async (): Promise<void> => {
    events.emit('bridge:status-changed', status());
    const a = await account();
    if (a.ok) events.emit('account:changed', a.value);
    refreshTrading();
    await resubscribe();
  };

  /** Shows why no terminal is connected; repeats change nothing on screen, so they are not re-sent. */
  const showReason = (reason: string): void => {
    if (reason === lastReason) return;
    lastReason = reason;
    events.emit('bridge:status-changed', status());
  };

  const offSession = server.onSession((event: SessionEvent) => {
    switch (event.kind) {
      case 'opened':
        logger.info('market: terminal connected', {
          key: event.session.key,
          ea: event.session.hello.eaVersion,
        });
        activeKey ??= event.session.key;
        if (activeSession() === event.session) {
          lastReason = null;
          onSessionOpened().catch((error: unknown) => {
            logger.error('market: session start-up failed', { error });
          });
        } else {
          events.emit('bridge:status-changed', status());
        }
        return;
      case 'closed':
        logger.info('market: terminal disconnected', { key: event.session.key, reason: event.reason });
        if (event.session.key === stoppingDemoKey) {
          stoppingDemoKey = undefined;
          if (event.session.key === activeKey) {
            lastReason = 'Demo mode stopped.';
            activeKey = newest(openSessions().filter(isLive))?.key;
            if (activeKey !== undefined) {
              onSessionOpened().catch((error: unknown) => {
                logger.error('market: switch after demo failed', { error });
              });
              return;
            }
          }
        } else if (event.reason !== 'replaced' && event.session.key === activeKey) {
          lastReason = `Disconnected: ${CLOSE_REASON_WORDS[event.reason]}.`;
        }
        events.emit('bridge:status-changed', status());
        if (activeSession() === undefined) {
          events.emit('positions:changed', { positions: [] });
          events.emit('orders:changed', { orders: [] });
        } else {
          refreshTrading();
        }
        return;
      case 'refused':
        // The bridge already logs refusals, aggregated: a connect loop must not flood the log.
        logger.debug('market: terminal refused', {
          reason: event.reason,
          login: event.login,
          server: event.server,
        });
        showReason(`A terminal was refused (${event.reason}): ${event.message}`);
        return;
      case 'abandoned':
        showReason(
          `An EA (${event.login ?? '?'}@${event.server ?? '?'}) could not verify Pipdesk's pairing token and ` +
            'left. Its token file is probably stale: remove the EA from the chart and attach it again.',
        );
        return;
    }
  });

  const offListen = server.onListenState(() => {
    events.emit('bridge:status-changed', status());
  });

  const offTick = server.onTick((tick, session) => {
    if (session !== activeSession() || !subscribed.has(tick.symbol) || tick.bid <= 0 || tick.ask <= 0) return;
    pendingTicks.set(tick.symbol, {
      symbol: tick.symbol,
      bid: tick.bid,
      ask: tick.ask,
      timeMs: tick.timeMsc,
    });
    tickTimer ??= setTimeout(flushTicks, batchMs);
  });

  const offAccount = server.onAccount((a: AccountEvent, session) => {
    if (session !== activeSession() || lastAccount === null) return;
    lastAccount = {
      ...lastAccount,
      balance: a.balance,
      equity: a.equity,
      profit: a.profit,
      margin: a.margin,
      freeMargin: a.marginFree,
      marginLevel: a.margin === 0 ? null : a.marginLevel,
      leverage: Math.max(1, a.leverage),
      isTradeAllowed: a.tradeAllowed && session.hello.terminal.tradeAllowed,
      timeOffsetSec: a.timeOffsetSec ?? lastAccount.timeOffsetSec,
    };
    events.emit('account:changed', lastAccount);
  });

  const offTxn = server.onTradeChange((_change, session) => {
    if (session === activeSession()) refreshTrading();
  });

  return {
    status,
    activeKey: () => activeSession()?.key,
    selectSession(sessionId) {
      const found = openSessions().find((s) => s.key === sessionId);
      if (found === undefined) {
        return err(appError('SESSION_NOT_FOUND', `No connected terminal is called ${sessionId}.`));
      }
      activeKey = found.key;
      onSessionOpened().catch((error: unknown) => {
        logger.error('market: session switch failed', { error });
      });
      return ok(status());
    },
    account,
    async symbols() {
      const r = await call('symbols', {});
      if (!r.ok) return r;
      return ok(
        r.value.symbols.map((s): SymbolSummary => ({
          name: s.name,
          description: s.description,
          digits: digitsBySymbol.get(s.name) ?? null,
          isVisible: s.selected,
          path: s.path,
        })),
      );
    },
    async spec(symbol): Promise<Result<SymbolSpec>> {
      const r = await call('symbol_spec', { symbol });
      if (!r.ok) return r;
      const spec = toSymbolSpec(r.value);
      if (spec.ok) digitsBySymbol.set(symbol, spec.value.digits);
      return spec;
    },
    async quotes(symbols) {
      const answers = await Promise.all(symbols.map((symbol) => call('quote', { symbol })));
      const quotes: Quote[] = [];
      for (const a of answers) {
        if (!a.ok) {
          if (a.error.code === 'NOT_CONNECTED') return a;
          continue;
        }
        if (a.value.bid > 0 && a.value.ask > 0) {
          quotes.push({
            symbol: a.value.symbol,
            bid: a.value.bid,
            ask: a.value.ask,
            timeMs: a.value.timeMsc,
          });
        }
      }
      return ok(quotes);
    },
    async subscribe(symbols) {
      for (const symbol of symbols) {
        if (subscribed.has(symbol)) continue;
        // Added first: the EA pushes the current tick as it subscribes, possibly before its answer arrives.
        subscribed.add(symbol);
        const r = await call('subscribe', { symbol });
        if (!r.ok) {
          subscribed.delete(symbol);
          return r;
        }
      }
      return ok([...subscribed]);
    },
    async unsubscribe(symbols) {
      for (const symbol of symbols) {
        if (!subscribed.delete(symbol)) continue;
        const r = await call('unsubscribe', { symbol });
        if (!r.ok && r.error.code !== 'NOT_CONNECTED') return r;
      }
      return ok([...subscribed]);
    },
    positions,
    orders,
    async calcMargin(req) {
      const active = activeSession();
      if (active === undefined) return err(appError('NOT_CONNECTED', NOT_CONNECTED_MESSAGE));
      let price = req.price;
      if (price === undefined) {
        const q = await call('quote', { symbol: req.symbol });
        if (!q.ok) return q;
        price = req.side === 'buy' ? q.value.ask : q.value.bid;
        if (price <= 0) return err(appError('NO_QUOTE', `There is no price for ${req.symbol} right now.`));
      }
      const orderType = req.side === 'buy' ? 'BUY' : 'SELL';
      const r = await call('calc_margin', { symbol: req.symbol, orderType, volume: req.volume, price });
      return r.ok ? ok({ margin: r.value.margin, currency: active.hello.account.currency }) : r;
    },
    refreshTrading,
    announceStatus: () => {
      events.emit('bridge:status-changed', status());
    },
    expectDemoStop(key) {
      stoppingDemoKey = key;
    },
    dispose() {
      offSession();
      offTick();
      offAccount();
      offTxn();
      offListen();
      if (tickTimer !== null) clearTimeout(tickTimer);
    },
  };
}
