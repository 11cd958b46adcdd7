import { z } from 'zod';
import { ErrorCode } from '../errors';
import { err, missingCaseError, ok, type Result } from '../result';
import type { IpcTransport } from './ipc';

/**
 * The web host's wire: the IPC API over one loopback WebSocket (`ws://127.0.0.1:<port>/ipc`), JSON text frames.
 *
 * 1. The page learns the per-run token from its URL fragment (`#token=…`, never sent in an HTTP request) and sends
 *    `auth` as the first frame. The host answers `ready`, or closes with {@link WS_CLOSE_UNAUTHORIZED}.
 * 2. `invoke` frames carry an id; the host answers `result` with the same id and the `IpcResponse`.
 * 3. `subscribe`/`unsubscribe` choose which events the host pushes as `event` frames.
 *
 * DOM-free on purpose: the socket is created by a factory, so the renderer passes the browser's `WebSocket` and
 * Node tests pass the `ws` package's.
 */

/** Path of the IPC WebSocket on the web host. */
export const WEB_IPC_PATH = '/ipc';
/** Close code: the token was wrong or missing, or `auth` came too late. Do not reconnect. */
export const WS_CLOSE_UNAUTHORIZED = 4001;
/** Close code: a frame that is not one of {@link WebClientFrame}. */
export const WS_CLOSE_BAD_FRAME = 4002;
/** Close code: the host is shutting down. */
export const WS_CLOSE_SHUTDOWN = 4003;

const name = z.string().min(1).max(64);

/** What the page sends. */
export const WebClientFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().max(256) }),
  z.strictObject({
    type: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    channel: name,
    request: z.unknown(),
  }),
  z.strictObject({ type: z.literal('subscribe'), event: name }),
  z.strictObject({ type: z.literal('unsubscribe'), event: name }),
]);
export type WebClientFrame = z.infer<typeof WebClientFrame>;

/**
 * An IPC answer as it crosses the socket: a `Result` whose error carries at least a code and plain words (order
 * failures carry more, kept as they are). The page checks the shape, not each channel's value: main validated the
 * request and built the value from its own contract.
 */
export const WebIpcAnswer = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.looseObject({
    ok: z.literal(false),
    error: z.looseObject({
      code: ErrorCode,
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
]);
export type WebIpcAnswer = z.infer<typeof WebIpcAnswer>;

/**
 * What the host sends. The page checks every frame with this schema before acting on it: a frame that is not one
 * of these (a bug, or a proxy or extension writing to the socket) is dropped and reported through `onBadFrame`,
 * and a `result` whose answer is malformed fails its call instead of handing the caller a wrong shape.
 */
export const WebHostFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('result'), id: z.number().int().nonnegative(), response: z.unknown() }),
  z.strictObject({ type: z.literal('event'), event: name, payload: z.unknown() }),
]);
export type WebHostFrame = z.infer<typeof WebHostFrame>;

/** The part of the WHATWG WebSocket the transport uses; the browser's and a thin `ws` adapter both fit. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((data: string) => void) | null;
  onclose: ((code: number, reason: string) => void) | null;
}

/** Connection state of the web transport, for a banner in the UI. */
export type WebTransportState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

/** Options of {@link createWebSocketTransport}. */
export interface WebTransportOptions {
  /** `ws://127.0.0.1:<port>/ipc`. */
  readonly url: string;
  readonly token: string;
  readonly connect: (url: string) => SocketLike;
  /** Waits before each reconnect attempt; the last one repeats. */
  readonly reconnectDelaysMs?: readonly number[];
  readonly onState?: (state: WebTransportState) => void;
  /** `setTimeout` of the host environment (src-core has no timers of its own). */
  readonly setTimer: (f: () => void, ms: number) => unknown;
  /** Told about each frame from the host that failed {@link WebHostFrame} (for the log or the console). */
  readonly onBadFrame?: (reason: string) => void;
}

/** The transport plus its lifecycle. */
export interface WebTransport extends IpcTransport {
  readonly state: () => WebTransportState;
  /** Closes for good: pending calls fail, no reconnect. */
  close(): void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The renderer's transport through the web host. Calls made while (re)connecting wait for `ready`; calls in
 * flight when the socket drops fail with an error (the typed client turns it into `TRANSPORT`); the socket is
 * reopened with backoff and subscriptions are renewed. A refused token stops it: retrying cannot help.
 */
export function createWebSocketTransport(options: WebTransportOptions): WebTransport {
  const delays = options.reconnectDelaysMs ?? [250, 500, 1000, 2000];
  const setTimer = options.setTimer;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const inFlight = new Map<number, Pending>();
  let waiting: { frame: WebClientFrame; pending: Pending }[] = [];
  let socket: SocketLike | null = null;
  let state: WebTransportState = 'connecting';
  let attempt = 0;
  let nextId = 1;

  const setState = (next: WebTransportState): void => {
    if (state === next) return;
    state = next;
    options.onState?.(next);
  };

  const send = (frame: WebClientFrame): void => {
    socket?.send(JSON.stringify(frame));
  };

  const failAll = (message: string): void => {
    const error = new Error(message);
    for (const p of inFlight.values()) p.reject(error);
    inFlight.clear();
    for (const w of waiting) w.pending.reject(error);
    waiting = [];
  };

  const open = (): void => {
    const s = options.connect(options.url);
    socket = s;
    s.onopen = () => {
      s.send(JSON.stringify({ type: 'auth', token: options.token } satisfies WebClientFrame));
    };
    s.onmessage = (data) => {
      const frame = parseHostFrame(data);
      if (!frame.ok) {
        options.onBadFrame?.(frame.error);
        return;
      }
      switch (frame.value.type) {
        case 'ready': {
          attempt = 0;
          setState('open');
          for (const event of listeners.keys()) send({ type: 'subscribe', event });
          const queued = waiting;
          waiting = [];
          for (const w of queued) {
            if (w.frame.type === 'invoke') inFlight.set(w.frame.id, w.pending);
            send(w.frame);
          }
          return;
        }
        case 'result': {
          const { id, response } = frame.value;
          const p = inFlight.get(id);
          inFlight.delete(id);
          const answer = WebIpcAnswer.safeParse(response);
          if (answer.success) {
            p?.resolve(answer.data);
          } else {
            const reason = `result ${id} is not an IPC answer: ${answer.error.issues[0]?.message ?? 'invalid'}`;
            options.onBadFrame?.(reason);
            p?.reject(new Error('The app sent an answer this page cannot read.'));
          }
          return;
        }
        case 'event':
          for (const l of listeners.get(frame.value.event) ?? []) l(frame.value.payload);
          return;
        default:
          throw missingCaseError(frame.value);
      }
    };
    s.onclose = (code) => {
      if (socket !== s) return;
      socket = null;
      if (state === 'closed') return;
      if (code === WS_CLOSE_UNAUTHORIZED) {
        setState('unauthorized');
        failAll(
          'The app refused this page: its access token is wrong or expired. Open the URL the app printed.',
        );
        return;
      }
      failAll('The connection to the app was lost.');
      setState('reconnecting');
      const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
      attempt += 1;
      setTimer(() => {
        if (state === 'reconnecting') open();
      }, delay);
    };
  };

  open();

  return {
    state: () => state,
    invoke(channel, request) {
      return new Promise<unknown>((resolve, reject) => {
        const frame: WebClientFrame = { type: 'invoke', id: nextId++, channel, request };
        const pending = { resolve, reject };
        if (state === 'open') {
          inFlight.set(frame.id, pending);
          send(frame);
        } else if (state === 'unauthorized' || state === 'closed') {
          reject(new Error(state === 'closed' ? 'The connection is closed.' : 'The app refused this page.'));
        } else {
          waiting.push({ frame, pending });
        }
      });
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
        if (state === 'open') send({ type: 'subscribe', event });
      }
      const own = (payload: unknown): void => {
        listener(payload);
      };
      set.add(own);
      return () => {
        const current = listeners.get(event);
        if (current === undefined) return;
        current.delete(own);
        if (current.size === 0) {
          listeners.delete(event);
          if (state === 'open') send({ type: 'unsubscribe', event });
        }
      };
    },
    close() {
      setState('closed');
      failAll('The connection is closed.');
      socket?.close(1000, 'closed by the page');
      socket = null;
    },
  };
}

/** One text frame from the host, parsed and checked, or why not. */
export function parseHostFrame(data: string): Result<WebHostFrame, string> {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return err('a frame that is not JSON');
  }
  const frame = WebHostFrame.safeParse(json);
  if (!frame.success) {
    const issue = frame.error.issues[0];
    const where =
      issue === undefined || issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `;
    return err(`a frame that is not a host frame (${where}${issue?.message ?? 'invalid'})`);
  }
  return ok(frame.data);
}

/**
 * The fragment without its `token=` parameter (`''` when nothing else is left), so the page can drop the token
 * from the address bar once read; other fragment parameters are kept in order.
 */
export function hashWithoutToken(hash: string): string {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const rest = body.split('&').filter((part) => part !== '' && part.split('=', 1)[0] !== 'token');
  return rest.length === 0 ? '' : `#${rest.join('&')}`;
}

/** Reads the token from a URL fragment such as `#token=abc` (other fragment parameters are ignored). */
export function tokenFromHash(hash: string): string | null {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of body.split('&')) {
    const [key, value] = part.split('=', 2);
    // The token is base64url, so it never needs decoding; anything else is not ours.
    if (key === 'token' && value !== undefined && /^[A-Za-z0-9_-]{16,256}$/.test(value)) return value;
  }
  return null;
}
