import { connect, createServer, type Server, type Socket } from 'node:net';
import { unlink } from 'node:fs/promises';
import { err, type Result } from '../../src-core/result';
import { Emitter } from '../../src-core/emitter';
import { FramedLink } from '../protocol/link';
import { silentLogger, type Logger } from '../../src-core/logger';
import {
  DEFAULT_DEADLINES_MS,
  HEARTBEAT_INTERVAL_MS,
  HELLO_TIMEOUT_MS,
  Hello,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  SILENCE_TIMEOUT_MS,
  type AccountEvent,
  type ParamsOf,
  type RefusalReason,
  type RequestType,
  type ResultOf,
  type TickEvent,
  type TxnEvent,
} from '../protocol/messages';
import { readTokenFile, tokensEqual } from './endpoint';
import {
  BridgeSession,
  sessionKey,
  type BridgeRequestError,
  type RequestOptions,
  type SessionCloseReason,
} from './session';

/** Where the expected pairing token comes from. */
export type TokenSource =
  /** A fixed token. */
  | { readonly token: string }
  /** A file re-read at every handshake (so rewriting it rotates the token). */
  | { readonly tokenFile: string }
  /** Anything else (e.g. the app's settings store). */
  | { readonly getToken: () => string | undefined | Promise<string | undefined> };

/** Options of {@link startBridgeServer}. */
export type BridgeServerOptions = TokenSource & {
  /** `\\.\pipe\<name>` on Windows or a Unix socket path (see `defaultEndpoint()`); never a TCP port. */
  readonly path: string;
  readonly logger?: Logger;
  /** Sent in welcome. Default {@link HEARTBEAT_INTERVAL_MS}. */
  readonly heartbeatMs?: number;
  /** Default {@link SILENCE_TIMEOUT_MS}. */
  readonly silenceMs?: number;
  /** Default {@link HELLO_TIMEOUT_MS}. */
  readonly helloTimeoutMs?: number;
  /** Default {@link MAX_FRAME_BYTES}. */
  readonly maxFrameBytes?: number;
  /** Overrides of the per-type deadlines. */
  readonly deadlines?: Partial<Record<RequestType, number>>;
  /** Bad frames within a minute after which a session is dropped. Default 20. */
  readonly maxBadFramesPerMinute?: number;
  /** Simultaneous connections (paired or not). Default 64. */
  readonly maxConnections?: number;
  /** The `app` string of welcome. */
  readonly appName?: string;
};

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
  /** Trade transactions from every session. */
  readonly onTransaction: (listener: (txn: TxnEvent, session: BridgeSession) => void) => () => void;
  /** Says bye to every session, stops listening and removes the socket file. */
  readonly close: () => Promise<void>;
}

/**
 * Starts the pipe server. Resolves once it listens. A stale Unix socket file left by a crashed run is removed;
 * a live one (another server) fails with EADDRINUSE.
 */
export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const logger = options.logger ?? silentLogger;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS;
  const silenceMs = options.silenceMs ?? SILENCE_TIMEOUT_MS;
  const helloTimeoutMs = options.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const deadlines = { ...DEFAULT_DEADLINES_MS, ...options.deadlines };
  const appName = options.appName ?? 'pipdesk/0.1.0';
  const sessions = new Map<string, BridgeSession>();
  const sockets = new Set<Socket>();
  let isClosing = false;
  let sessionCounter = 0;

  const onListenerError = (error: unknown): void => {
    logger.error('bridge: listener threw', { error: String(error) });
  };
  const sessionEvents = new Emitter<[SessionEvent]>(onListenerError);
  const ticks = new Emitter<[TickEvent, BridgeSession]>(onListenerError);
  const accounts = new Emitter<[AccountEvent, BridgeSession]>(onListenerError);
  const txns = new Emitter<[TxnEvent, BridgeSession]>(onListenerError);

  const expectedToken = async (): Promise<string | undefined> => {
    if ('token' in options) return options.token;
    if ('tokenFile' in options) return readTokenFile(options.tokenFile);
    return options.getToken();
  };

  const wiring = {
    logger,
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
    onClosed: (session: BridgeSession, reason: SessionCloseReason) => {
      if (sessions.get(session.key) === session) sessions.delete(session.key);
      sessionEvents.emit({ kind: 'closed', session, reason });
    },
  };

  const handleConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let session: BridgeSession | undefined;
    let isHandshaking = false;
    let isRefused = false;

    const refuse = (
      reason: RefusalReason,
      message: string,
      claimed: { login?: string; server?: string; eaVersion?: string } = {},
    ): void => {
      if (isRefused) return;
      isRefused = true;
      clearTimeout(helloTimer);
      logger.warn('bridge: handshake refused', { reason, message, ...claimed });
      link.close({ type: 'refused', reason, message, supported: String(PROTOCOL_VERSION) });
      sessionEvents.emit({ kind: 'refused', reason, message, ...claimed });
    };

    const handshake = async (message: Record<string, unknown>): Promise<void> => {
      const protocol = message['protocol'];
      const parsed = Hello.safeParse(message);
      const claimed = parsed.success
        ? {
            login: parsed.data.account.login,
            server: parsed.data.account.server,
            eaVersion: parsed.data.eaVersion,
          }
        : {};
      if (typeof protocol === 'number' && protocol !== PROTOCOL_VERSION) {
        refuse(
          'UNSUPPORTED_PROTOCOL',
          `protocol ${protocol} is not supported; this app speaks ${PROTOCOL_VERSION}`,
          claimed,
        );
        return;
      }
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        refuse(
          'BAD_HELLO',
          `invalid hello: ${issue === undefined ? '' : `${issue.path.join('.')}: ${issue.message}`}`,
        );
        return;
      }
      const expected = await expectedToken();
      if (!link.isOpen) return;
      if (expected === undefined || !tokensEqual(parsed.data.token, expected)) {
        refuse('BAD_TOKEN', 'pairing token does not match; re-read Pipdesk\\token.txt', claimed);
        return;
      }
      if (isClosing) {
        refuse('SHUTTING_DOWN', 'the app is shutting down', claimed);
        return;
      }
      clearTimeout(helloTimer);
      sessionCounter += 1;
      const created = new BridgeSession(`s-${sessionCounter}`, parsed.data, link, wiring);
      const previous = sessions.get(created.key);
      if (previous !== undefined) {
        previous.close('replaced', `a newer connection for ${created.key} took over`);
      }
      sessions.set(created.key, created);
      session = created;
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
      logger.info('bridge: session opened', {
        session: created.key,
        id: created.id,
        eaVersion: parsed.data.eaVersion,
        build: parsed.data.terminal.build,
        marginMode: parsed.data.account.marginMode,
        tradeMode: parsed.data.account.tradeMode,
      });
      sessionEvents.emit({ kind: 'opened', session: created });
    };

    const link = new FramedLink(
      socket,
      {
        onMessage: (message, type) => {
          if (session !== undefined) {
            try {
              session.handleMessage(message, type);
            } catch (error) {
              // A bug in our handling must not take the app down: log the stack, tell the EA without it.
              logger.error('bridge: failed to handle a frame', {
                session: session.key,
                type,
                stack: error instanceof Error ? error.stack : String(error),
              });
              link.send({
                type: 'error',
                code: 'BAD_MESSAGE',
                message: 'the app could not handle this frame',
              });
            }
            return;
          }
          if (isHandshaking || isRefused) return;
          if (type !== 'hello') {
            refuse('BAD_HELLO', 'the first frame must be hello');
            return;
          }
          isHandshaking = true;
          handshake(message).catch((error: unknown) => {
            logger.error('bridge: handshake failed', { error: String(error) });
            refuse('BAD_HELLO', 'internal error during handshake');
          });
        },
        onBadFrame: (code, message) => {
          if (session !== undefined) {
            session.handleBadFrame(code, message);
            return;
          }
          refuse('BAD_HELLO', `first frame unreadable: ${message}`);
        },
        onSilence: () => {
          session?.close('silence', `nothing received for ${silenceMs} ms`);
        },
        onClose: (cause, error) => {
          clearTimeout(helloTimer);
          if (error !== undefined) logger.debug('bridge: socket error', { error: error.message });
          session?.close(cause === 'backpressure' ? 'backpressure' : 'disconnected');
        },
      },
      { maxFrameBytes },
    );

    const helloTimer = setTimeout(() => {
      if (session === undefined && !isHandshaking) {
        refuse('HELLO_TIMEOUT', `no hello within ${helloTimeoutMs} ms`);
      }
    }, helloTimeoutMs);
    helloTimer.unref();
  };

  const server: Server = createServer({ noDelay: true }, handleConnection);
  server.maxConnections = options.maxConnections ?? 64;
  await listen(server, options.path);
  logger.info('bridge: listening', { path: options.path });

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
    close: async () => {
      if (isClosing) return;
      isClosing = true;
      for (const session of [...sessions.values()]) session.close('shutdown', 'the app is shutting down');
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      for (const socket of sockets) socket.destroy();
      await closed;
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
