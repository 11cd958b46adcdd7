import { connect, createServer, type Server, type Socket } from 'node:net';
import { unlink } from 'node:fs/promises';
import { err, type Result } from '../../src-core/result';
import { Emitter } from '../../src-core/emitter';
import { handshakeEndpoint } from '../protocol/handshake';
import type { FramedLink } from '../protocol/link';
import { silentLogger, type Logger } from '../../src-core/logger';
import { systemClock, type Clock, type Timers } from '../../src-core/clock';
import {
  AUTH_TIMEOUT_MS,
  DEFAULT_DEADLINES_MS,
  HEARTBEAT_INTERVAL_MS,
  HELLO_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  SILENCE_TIMEOUT_MS,
  type AccountEvent,
  type Hello,
  type ParamsOf,
  type RefusalReason,
  type RequestType,
  type ResultOf,
  type TickEvent,
  type TradeEventForm,
  type TxnEvent,
} from '../protocol/messages';
import { Connection } from './connection';
import { readTokenFile } from './endpoint';
import { RefusalLog } from './refusal-log';
import {
  BridgeSession,
  sessionKey,
  type BridgeRequestError,
  type RequestOptions,
  type SessionCloseReason,
} from './session';
import type { TradeChange } from './trade-change';

/** Where the expected pairing token comes from. */
export type TokenSource =
  /** A fixed token. */
  | { readonly token: string }
  /** A file re-read at every handshake (so rewriting it rotates the token). */
  | { readonly tokenFile: string }
  /** Anything else (e.g. the app's settings store). */
  | { readonly getToken: () => string | undefined | Promise<string | undefined> };

/** Node's timers for request deadlines (kept referenced: an awaited request keeps the process up until it ends). */
const NODE_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Options of {@link startBridgeServer}. */
export type BridgeServerOptions = TokenSource & {
  /** `\\.\pipe\<name>` on Windows or a Unix socket path (see `defaultEndpoint()`); never a TCP port. */
  readonly path: string;
  readonly logger?: Logger;
  /** Sent in welcome. Default {@link HEARTBEAT_INTERVAL_MS}. */
  readonly heartbeatMs?: number;
  /** Default {@link SILENCE_TIMEOUT_MS}. */
  readonly silenceMs?: number;
  /** Time from connecting to hello. Default {@link HELLO_TIMEOUT_MS}. */
  readonly helloTimeoutMs?: number;
  /** Time from the challenge to auth. Default {@link AUTH_TIMEOUT_MS}. */
  readonly authTimeoutMs?: number;
  /** Default {@link MAX_FRAME_BYTES}. */
  readonly maxFrameBytes?: number;
  /** Overrides of the per-type deadlines. */
  readonly deadlines?: Partial<Record<RequestType, number>>;
  /**
   * The clock a request's `expiresAt` is stamped on (the app's clock, UTC) and the timers that end its wait at the
   * deadline. Default the wall clock and Node's timers; a test that moves its own clock decides when a deadline
   * passes instead of the machine's load.
   */
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** Bad frames within a minute after which a session is dropped. Default 20. */
  readonly maxBadFramesPerMinute?: number;
  /** Paired sessions (terminals) at once. Default 64. */
  readonly maxSessions?: number;
  /**
   * Connections still in their handshake at once, apart from the session slots. When full, the oldest unpaired
   * connection is dropped to make room, so idle or stalled connections can never lock a correct EA out.
   * Default 16.
   */
  readonly maxUnpaired?: number;
  /** Refusals are summarised in one log line per this interval. Default 60 s. */
  readonly refusalLogIntervalMs?: number;
  /**
   * When the endpoint is already in use: absent (the default), start-up fails with EADDRINUSE; a number, the
   * server starts anyway in the `busy` state, retries every this many ms, and reports both through
   * `listenState` / `onListenState` (the app shows a possible impostor to the trader; it never moves aside).
   */
  readonly busyRetryMs?: number;
  /** The `app` string of welcome. */
  readonly appName?: string;
  /**
   * How each session's EA should report trade transactions. `changes` (the default): the server asks for
   * coalesced `trade` events as the session opens (an EA that predates the request keeps sending `txn` events);
   * `txn`: it asks nothing, and the EA sends a `txn` per transaction (`npm run bridge -- --txn`, tests of them).
   * {@link BridgeServer.onTradeChange} reports both forms.
   */
  readonly tradeEvents?: TradeEventForm;
};

/** Whether the server holds its endpoint. */
export type ListenState =
  | { readonly kind: 'listening' }
  /** Another process holds the endpoint: possibly an impostor waiting for the EA. */
  | { readonly kind: 'busy'; readonly since: number; readonly message: string }
  | { readonly kind: 'closed' };

/** A change in the set of sessions. */
export type SessionEvent =
  | { readonly kind: 'opened'; readonly session: BridgeSession }
  | { readonly kind: 'closed'; readonly session: BridgeSession; readonly reason: SessionCloseReason }
  | {
      readonly kind: 'refused';
      readonly reason: RefusalReason;
      readonly message: string;
      /** What the EA claimed to be, when its hello was readable. */
      readonly login?: string;
      readonly server?: string;
      readonly eaVersion?: string;
    }
  /**
   * An EA said hello, got the challenge and closed without proving anything: the app's proof did not match
   * its token, so its token file is stale (or it is not our EA).
   */
  | {
      readonly kind: 'abandoned';
      readonly login?: string;
      readonly server?: string;
      readonly eaVersion?: string;
    };

/** The app side of the bridge. Every member is a plain function, safe to pass around unbound. */
export interface BridgeServer {
  /** The pipe or socket path it listens on. */
  readonly path: string;
  /** The open sessions. */
  readonly sessions: () => BridgeSession[];
  /** The open session of a terminal (`login@server`), if any. */
  readonly session: (key: string) => BridgeSession | undefined;
  /**
   * Sends a request to the terminal's current session; NOT_CONNECTED (delivered: false) when it has none.
   * Stable across reconnects, unlike holding a {@link BridgeSession}.
   */
  readonly request: <T extends RequestType>(
    key: string,
    type: T,
    params: ParamsOf<T>,
    options?: RequestOptions,
  ) => Promise<Result<ResultOf<T>, BridgeRequestError>>;
  /** Sessions opened, closed and handshakes refused. */
  readonly onSession: (listener: (event: SessionEvent) => void) => () => void;
  /** Ticks from every session. */
  readonly onTick: (listener: (tick: TickEvent, session: BridgeSession) => void) => () => void;
  /** Account changes from every session. */
  readonly onAccount: (listener: (account: AccountEvent, session: BridgeSession) => void) => () => void;
  /** Trade transactions from every session whose EA sends `txn` events (see `tradeEvents`). */
  readonly onTransaction: (listener: (txn: TxnEvent, session: BridgeSession) => void) => () => void;
  /** Trade state changes from every session, whichever form its EA sends: what the app's services follow. */
  readonly onTradeChange: (listener: (change: TradeChange, session: BridgeSession) => void) => () => void;
  /** Ends every open session with this reason (e.g. `token_rotated`: every EA proves itself again). */
  readonly closeSessions: (reason: SessionCloseReason, message: string) => void;
  /** Whether the server holds its endpoint. */
  readonly listenState: () => ListenState;
  /** Changes of {@link listenState}. */
  readonly onListenState: (listener: (state: ListenState) => void) => () => void;
  /** Says bye to every session, stops listening and removes the socket file. */
  readonly close: () => Promise<void>;
}

/**
 * Starts the pipe server. Resolves once it listens (or, with `busyRetryMs`, once it knows the endpoint is
 * busy). A stale Unix socket file left by a crashed run is removed; a live one (another server) is EADDRINUSE.
 */
export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const logger = options.logger ?? silentLogger;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS;
  const silenceMs = options.silenceMs ?? SILENCE_TIMEOUT_MS;
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const deadlines = { ...DEFAULT_DEADLINES_MS, ...options.deadlines };
  const appName = options.appName ?? 'pipdesk/0.1.0';
  const maxSessions = options.maxSessions ?? 64;
  const maxUnpaired = options.maxUnpaired ?? 16;
  const sessions = new Map<string, BridgeSession>();
  const sockets = new Set<Socket>();
  /** Unpaired connections, oldest first (a Map keeps insertion order). */
  const unpaired = new Map<Connection, true>();
  const refusals = new RefusalLog(logger, options.refusalLogIntervalMs ?? 60_000);
  let isClosing = false;
  let sessionCounter = 0;
  let state: ListenState = { kind: 'closed' };
  let busyTimer: NodeJS.Timeout | undefined;

  const onListenerError = (error: unknown): void => {
    logger.error('bridge: listener threw', { error: String(error) });
  };
  const sessionEvents = new Emitter<[SessionEvent]>(onListenerError);
  const ticks = new Emitter<[TickEvent, BridgeSession]>(onListenerError);
  const accounts = new Emitter<[AccountEvent, BridgeSession]>(onListenerError);
  const txns = new Emitter<[TxnEvent, BridgeSession]>(onListenerError);
  const tradeChanges = new Emitter<[TradeChange, BridgeSession]>(onListenerError);
  const listenStates = new Emitter<[ListenState]>(onListenerError);

  const expectedToken = async (): Promise<string | undefined> => {
    if ('token' in options) return options.token;
    if ('tokenFile' in options) return readTokenFile(options.tokenFile);
    return options.getToken();
  };

  const wiring = {
    logger,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? NODE_TIMERS,
    deadlines,
    maxBadFramesPerMinute: options.maxBadFramesPerMinute ?? 20,
    onTick: (tick: TickEvent, session: BridgeSession) => {
      ticks.emit(tick, session);
    },
    onAccount: (account: AccountEvent, session: BridgeSession) => {
      accounts.emit(account, session);
    },
    onTransaction: (txn: TxnEvent, session: BridgeSession) => {
      txns.emit(txn, session);
    },
    onTradeChange: (change: TradeChange, session: BridgeSession) => {
      tradeChanges.emit(change, session);
    },
    onClosed: (session: BridgeSession, reason: SessionCloseReason) => {
      if (sessions.get(session.key) === session) sessions.delete(session.key);
      sessionEvents.emit({ kind: 'closed', session, reason });
    },
  };

  const openSession = (
    hello: Hello,
    link: FramedLink,
  ): { readonly session: BridgeSession } | { readonly refusal: RefusalReason; readonly message: string } => {
    if (isClosing) return { refusal: 'SHUTTING_DOWN', message: 'the app is shutting down' };
    const key = sessionKey(hello.account.login, hello.account.server);
    const previous = sessions.get(key);
    if (previous === undefined && sessions.size >= maxSessions) {
      return { refusal: 'BUSY', message: `all ${maxSessions} terminal slots are in use` };
    }
    sessionCounter += 1;
    const created = new BridgeSession(`s-${sessionCounter}`, hello, link, wiring);
    previous?.close('replaced', `a newer connection for ${created.key} took over`);
    sessions.set(created.key, created);
    link.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      sessionId: created.id,
      heartbeatMs,
      silenceMs,
      maxFrameBytes,
      app: appName,
    });
    link.startTimers(heartbeatMs, silenceMs);
    // The first request of the session, so the EA switches before it answers anything the app asks on `opened`.
    if ((options.tradeEvents ?? 'changes') === 'changes') void created.useTradeChanges();
    logger.info('bridge: session opened', {
      session: created.key,
      id: created.id,
      eaVersion: hello.eaVersion,
      build: hello.terminal.build,
      marginMode: hello.account.marginMode,
      tradeMode: hello.account.tradeMode,
      timeOffsetSec: hello.timeOffsetSec,
    });
    sessionEvents.emit({ kind: 'opened', session: created });
    return { session: created };
  };

  const connectionDeps = {
    logger,
    endpoint: handshakeEndpoint(options.path),
    helloTimeoutMs: options.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
    authTimeoutMs: options.authTimeoutMs ?? AUTH_TIMEOUT_MS,
    maxFrameBytes,
    silenceMs,
    expectedToken,
    onRefused: (
      reason: RefusalReason,
      message: string,
      claimed: { login?: string; server?: string; eaVersion?: string },
    ) => {
      refusals.record(reason, { message, ...claimed });
      sessionEvents.emit({ kind: 'refused', reason, message, ...claimed });
    },
    onAbandoned: (claimed: { login?: string; server?: string; eaVersion?: string }) => {
      refusals.record('ABANDONED', {
        message: 'the EA closed after the challenge: its token file may be stale',
        ...claimed,
      });
      sessionEvents.emit({ kind: 'abandoned', ...claimed });
    },
    onPaired: openSession,
    onSettled: (connection: Connection) => {
      unpaired.delete(connection);
    },
  };

  const handleConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (unpaired.size >= maxUnpaired) {
      // Make room by dropping the oldest: it has had the longest to finish, and a correct EA finishes its
      // handshake within a few round trips, so idle or stalled connections cannot lock it out.
      const oldest = unpaired.keys().next();
      if (oldest.done !== true) {
        oldest.value.evict();
        refusals.record('EVICTED', { message: 'unpaired connection dropped to make room' });
      }
    }
    const connection = new Connection(socket, connectionDeps);
    if (connection.isUnpaired) unpaired.set(connection, true);
  };

  const server: Server = createServer({ noDelay: true }, handleConnection);

  const setState = (next: ListenState): void => {
    state = next;
    listenStates.emit(next);
  };
  const tryListen = async (): Promise<void> => {
    await listen(server, options.path);
    if (busyTimer !== undefined) clearInterval(busyTimer);
    busyTimer = undefined;
    setState({ kind: 'listening' });
    logger.info('bridge: listening', { path: options.path });
  };
  try {
    await tryListen();
  } catch (error) {
    const busyRetryMs = options.busyRetryMs;
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || busyRetryMs === undefined) throw error;
    const message = `${options.path} is already in use by another process: possibly an impostor waiting for the EA`;
    logger.error('bridge: endpoint busy', { path: options.path });
    setState({ kind: 'busy', since: Date.now(), message });
    busyTimer = setInterval(() => {
      if (isClosing || state.kind !== 'busy') return;
      tryListen().catch(() => undefined);
    }, busyRetryMs);
    busyTimer.unref();
  }

  return {
    path: options.path,
    sessions: () => [...sessions.values()],
    session: (key) => sessions.get(key),
    request: (key, type, params, requestOptions) => {
      const session = sessions.get(key);
      if (session === undefined) {
        return Promise.resolve(
          err({ code: 'NOT_CONNECTED' as const, message: `no session for ${key}`, delivered: false }),
        );
      }
      return session.request(type, params, requestOptions);
    },
    onSession: (listener) => sessionEvents.on(listener),
    onTick: (listener) => ticks.on(listener),
    onAccount: (listener) => accounts.on(listener),
    onTransaction: (listener) => txns.on(listener),
    onTradeChange: (listener) => tradeChanges.on(listener),
    closeSessions: (reason, message) => {
      for (const session of [...sessions.values()]) session.close(reason, message);
    },
    listenState: () => state,
    onListenState: (listener) => listenStates.on(listener),
    close: async () => {
      if (isClosing) return;
      isClosing = true;
      if (busyTimer !== undefined) clearInterval(busyTimer);
      for (const session of [...sessions.values()]) session.close('shutdown', 'the app is shutting down');
      for (const connection of [...unpaired.keys()])
        connection.refuse('SHUTTING_DOWN', 'the app is shutting down');
      const closed = new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => {
          resolve();
        });
      });
      for (const socket of sockets) socket.destroy();
      await closed;
      refusals.close();
      setState({ kind: 'closed' });
      logger.info('bridge: stopped', { path: options.path });
    },
  };
}

/** Listens on a pipe or socket path, replacing a stale Unix socket file left by a crashed run. */
async function listen(server: Server, path: string): Promise<void> {
  const attempt = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        server.off('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(path);
    });
  try {
    await attempt();
  } catch (error) {
    if (process.platform === 'win32' || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (await isAlive(path)) throw error;
    await unlink(path);
    await attempt();
  }
}

/** Whether something accepts connections on a Unix socket path. */
function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => {
      resolve(false);
    });
  });
}

export { sessionKey };
