import { z } from 'zod';
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

/** What the host sends. Trusted by the page (it came from main), so only typed, not re-validated. */
export type WebHostFrame =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly response: unknown }
  | { readonly type: 'event'; readonly event: string; readonly payload: unknown };

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
      let frame: WebHostFrame;
      try {
        frame = JSON.parse(data) as WebHostFrame;
      } catch {
        return;
      }
      switch (frame.type) {
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
          const p = inFlight.get(frame.id);
          inFlight.delete(frame.id);
          p?.resolve(frame.response);
          return;
        }
        case 'event':
          for (const l of listeners.get(frame.event) ?? []) l(frame.payload);
          return;
        default:
          return;
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
