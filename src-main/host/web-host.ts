import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isIpcEvent, type IpcEvent } from '../../src-core/contracts/ipc';
import {
  WEB_IPC_PATH,
  WS_CLOSE_BAD_FRAME,
  WS_CLOSE_SHUTDOWN,
  WS_CLOSE_UNAUTHORIZED,
  WebClientFrame,
  type WebHostFrame,
} from '../../src-core/contracts/ipc-web-transport';
import type { IpcDispatcher } from '../ipc/dispatcher';
import type { IpcEventHub } from '../ipc/events';
import type { Logger } from '../../src-core/logger';
import { contentSecurityPolicy } from './csp';
import { readStatic } from './static-files';

/** The only address the web host listens on: it serves a trading UI and must never be reachable off-machine. */
export const LOOPBACK = '127.0.0.1';
/** A page must authenticate within this time after opening the socket. */
export const AUTH_TIMEOUT_MS = 5_000;
/** Largest frame accepted from a page. */
export const MAX_FRAME_BYTES = 1_048_576;
/** A page that falls this far behind stops receiving ticks until it catches up (later ticks supersede them). */
const TICK_BACKLOG_BYTES = 4 * 1_048_576;

/**
 * Connection limits of the web host. A local process can open thousands of idle TCP connections; without a cap
 * they take every file descriptor and the UI stops loading (docs/security.md, connection floods).
 */
export interface WebHostLimits {
  /** Open sockets at most (pages, their WebSockets, and idle connections); excess are closed at accept. */
  readonly maxConnections: number;
  /** A connection that sends or receives nothing for this long is closed (WebSockets are exempt once upgraded). */
  readonly idleTimeoutMs: number;
  /** A request's headers must arrive within this time. */
  readonly headersTimeoutMs: number;
  /** A whole request must arrive within this time (at least {@link WebHostLimits.headersTimeoutMs}). */
  readonly requestTimeoutMs: number;
  /** A kept-alive connection waits this long for its next request. */
  readonly keepAliveTimeoutMs: number;
}

/** Generous for one trader's browser tabs, small enough that a flood cannot exhaust descriptors. */
export const DEFAULT_WEB_HOST_LIMITS: WebHostLimits = {
  maxConnections: 256,
  idleTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/** Options of {@link startWebHost}. */
export interface WebHostOptions {
  readonly dispatcher: IpcDispatcher;
  readonly events: IpcEventHub;
  readonly logger: Logger;
  /** The built renderer (`dist/renderer`); null or missing serves a page that says how to build it. */
  readonly staticDir: string | null;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** A fixed token (tests); a random 256-bit one otherwise. */
  readonly token?: string;
  /** Defaults to {@link AUTH_TIMEOUT_MS}. */
  readonly authTimeoutMs?: number;
  /** Overrides of {@link DEFAULT_WEB_HOST_LIMITS} (tests shorten the timeouts). */
  readonly limits?: Partial<WebHostLimits>;
  /** Extra origins the page may connect to: the error-report DSN's origin when reports are on, else none. */
  readonly connectSources?: readonly string[];
}

/** A running web host. */
export interface WebHost {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** The URL to open: the origin with the token in the fragment (`/#token=…`). */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/ipc`. */
  readonly wsUrl: string;
  /** Authenticated pages connected now. */
  readonly clientCount: () => number;
  /** TCP connections the host holds now (capped by {@link WebHostLimits.maxConnections}). */
  readonly connectionCount: () => Promise<number>;
  close(): Promise<void>;
}

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Pipdesk</title>
<body style="font:15px system-ui;margin:3em;max-width:40em">
<h1>Pipdesk: the interface is not built</h1>
<p>The web host is running, but <code>dist/renderer</code> has no <code>index.html</code>.
Run <code>npm run build</code> and reload this page.</p></body>`;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Starts the web host: the built renderer over HTTP and the IPC API over a WebSocket, both on 127.0.0.1 only.
 * Guards: the `Host` header must name this loopback origin (defeats DNS rebinding), a browser's `Origin` must be
 * this origin (another site cannot open the socket), and the first frame must carry the per-run token.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { dispatcher, events, logger } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  let port = 0;
  const allowedHosts = (): readonly string[] => [`${LOOPBACK}:${port}`, `localhost:${port}`];
  const allowedOrigins = (): readonly string[] => allowedHosts().map((h) => `http://${h}`);

  const isHostAllowed = (req: IncomingMessage): boolean =>
    req.headers.host !== undefined && allowedHosts().includes(req.headers.host.toLowerCase());

  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy': contentSecurityPolicy([
      `ws://${LOOPBACK}:${port}`,
      `ws://localhost:${port}`,
      ...(options.connectSources ?? []),
    ]),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isHostAllowed(req)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed');
      return;
    }
    const path = new URL(req.url ?? '/', `http://${LOOPBACK}`).pathname;
    const file = options.staticDir === null ? null : await readStatic(options.staticDir, path);
    if (file === null) {
      const isPage = path === '/' || path === '/index.html';
      res
        .writeHead(isPage ? 200 : 404, {
          ...securityHeaders(),
          'Content-Type': isPage ? 'text/html; charset=utf-8' : 'text/plain',
          'Cache-Control': 'no-store',
        })
        .end(req.method === 'HEAD' ? undefined : isPage ? NOT_BUILT_PAGE : 'Not found');
      return;
    }
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': file.contentType,
      'Content-Length': String(file.body.length),
      'Cache-Control': file.isImmutable ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const limits: WebHostLimits = { ...DEFAULT_WEB_HOST_LIMITS, ...options.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks header/request deadlines on this interval (30 s by default), far coarser than the deadlines.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    (req, res) => {
      onRequest(req, res).catch((error: unknown) => {
        logger.error('web host: request failed', { error });
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('Internal error');
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  // Without a 'timeout' listener Node destroys a socket idle this long: a connection that never sends a byte is
  // not covered by headersTimeout until a request starts. ws clears the timeout on upgrade, so pages keep theirs.
  server.setTimeout(limits.idleTimeoutMs);
  let refusedSinceLog = 0;
  server.on('drop', () => {
    // One warning per burst, not per refused socket: a flood must not rotate the logs away.
    if (refusedSinceLog++ === 0) {
      setTimeout(() => {
        logger.warn('web host: refused connections over the cap', {
          count: refusedSinceLog,
          maxConnections: limits.maxConnections,
        });
        refusedSinceLog = 0;
      }, 10_000).unref();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const subscriptions = new Map<WebSocket, Set<IpcEvent>>();

  const refuseUpgrade = (socket: Duplex, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', `http://${LOOPBACK}`).pathname;
    const origin = req.headers.origin;
    if (path !== WEB_IPC_PATH) {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (!isHostAllowed(req)) {
      refuseUpgrade(socket, 421, 'Misdirected Request');
      return;
    }
    // Browsers always send Origin; a local non-browser client (tests, tools) may not, and still needs the token.
    if (origin !== undefined && !allowedOrigins().includes(origin.toLowerCase())) {
      logger.warn('web host: refused a socket from another origin', { origin: origin.slice(0, 200) });
      refuseUpgrade(socket, 403, 'Forbidden');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      onConnection(ws);
    });
  });

  const sendFrame = (ws: WebSocket, frame: WebHostFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };

  function onConnection(ws: WebSocket): void {
    let isAuthed = false;
    const timer = setTimeout(() => {
      if (!isAuthed) ws.close(WS_CLOSE_UNAUTHORIZED, 'authentication timed out');
    }, options.authTimeoutMs ?? AUTH_TIMEOUT_MS);
    ws.on('close', () => {
      clearTimeout(timer);
      subscriptions.delete(ws);
    });
    ws.on('error', (error) => {
      logger.warn('web host: socket error', { message: error.message });
    });
    ws.on('message', (data, isBinary) => {
      let frame: WebClientFrame;
      try {
        if (isBinary) throw new Error('binary frame');
        const text = Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
        const parsed = WebClientFrame.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error('not a client frame');
        frame = parsed.data;
      } catch {
        ws.close(isAuthed ? WS_CLOSE_BAD_FRAME : WS_CLOSE_UNAUTHORIZED, 'bad frame');
        return;
      }
      if (!isAuthed) {
        if (frame.type !== 'auth' || !timingSafeEqual(digest(frame.token), tokenDigest)) {
          logger.warn('web host: refused a page with a wrong or missing token');
          ws.close(WS_CLOSE_UNAUTHORIZED, 'unauthorized');
          return;
        }
        isAuthed = true;
        clearTimeout(timer);
        subscriptions.set(ws, new Set());
        sendFrame(ws, { type: 'ready' });
        return;
      }
      switch (frame.type) {
        case 'auth':
          return;
        case 'subscribe':
          if (isIpcEvent(frame.event)) subscriptions.get(ws)?.add(frame.event);
          return;
        case 'unsubscribe':
          if (isIpcEvent(frame.event)) subscriptions.get(ws)?.delete(frame.event);
          return;
        case 'invoke': {
          const { id } = frame;
          dispatcher
            .invoke(frame.channel, frame.request, { via: 'web' })
            .then((response) => {
              sendFrame(ws, { type: 'result', id, response });
            })
            .catch((error: unknown) => {
              // The dispatcher never rejects; this is a bug in it, so answer and log rather than hang the page.
              logger.error('web host: dispatcher rejected', { error });
              sendFrame(ws, {
                type: 'result',
                id,
                response: { ok: false, error: { code: 'INTERNAL', message: 'Internal error.' } },
              });
            });
          return;
        }
      }
    });
  }

  const stopEvents = events.listen((event, payload) => {
    let text: string | null = null;
    for (const [ws, events] of subscriptions) {
      if (!events.has(event) || ws.readyState !== ws.OPEN) continue;
      if (event === 'quotes:tick' && ws.bufferedAmount > TICK_BACKLOG_BYTES) continue;
      text ??= JSON.stringify({ type: 'event', event, payload } satisfies WebHostFrame);
      ws.send(text);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK}:${port}`;
  logger.info('web host: listening', { origin, hasRenderer: options.staticDir !== null });

  return {
    origin,
    port,
    token,
    url: `${origin}/#token=${token}`,
    wsUrl: `ws://${LOOPBACK}:${port}${WEB_IPC_PATH}`,
    clientCount: () => subscriptions.size,
    connectionCount: () =>
      new Promise<number>((resolve, reject) => {
        server.getConnections((error, count) => {
          if (error === null) resolve(count);
          else reject(error);
        });
      }),
    async close() {
      stopEvents();
      for (const ws of wss.clients) ws.close(WS_CLOSE_SHUTDOWN, 'shutting down');
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
