import type { IpcTransport, PipdeskBridgeApi } from '../../src-core/contracts/ipc';
import {
  createWebSocketTransport,
  hashWithoutToken,
  tokenFromHash,
  WEB_IPC_PATH,
  type SocketLike,
  type WebTransportState,
} from '../../src-core/contracts/ipc-web-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the page is served by the web host. */
    readonly pipdesk?: PipdeskBridgeApi;
  }
}

/** The browser's WebSocket seen through the transport's small socket interface. */
function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const socket: SocketLike = {
    send: (data) => {
      ws.send(data);
    },
    close: (code, reason) => {
      ws.close(code, reason);
    },
    onopen: null,
    onmessage: null,
    onclose: null,
  };
  ws.onopen = () => socket.onopen?.();
  ws.onmessage = (e: MessageEvent) => socket.onmessage?.(typeof e.data === 'string' ? e.data : '');
  ws.onclose = (e) => socket.onclose?.(e.code, e.reason);
  return socket;
}

export type TransportChoice =
  | { readonly kind: 'electron'; readonly transport: IpcTransport }
  | { readonly kind: 'web'; readonly transport: IpcTransport }
  | { readonly kind: 'none'; readonly reason: string };

/** Where a tab keeps the web host's token across a reload once it left the address bar. */
const TOKEN_KEY = 'pipdesk.webHostToken';

/**
 * The token from the URL fragment, then taken out of the address bar with `history.replaceState`: left there it
 * shows in screenshots, screen shares, bookmarks and the browser's history (docs/desktop.md, web host). The tab
 * keeps it in sessionStorage (this tab only, gone when it closes) so a reload still connects.
 */
function takeToken(): string | null {
  const fromHash = tokenFromHash(window.location.hash);
  let stored: string | null = null;
  try {
    if (fromHash !== null) sessionStorage.setItem(TOKEN_KEY, fromHash);
    stored = sessionStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage refused (privacy mode): the token lives in memory only and a reload needs the printed address.
  }
  if (fromHash !== null) {
    const { pathname, search, hash } = window.location;
    window.history.replaceState(window.history.state, '', `${pathname}${search}${hashWithoutToken(hash)}`);
    return fromHash;
  }
  return stored === null ? null : tokenFromHash(`#token=${stored}`);
}

/**
 * Electron's preload API when it is there, else the web host's WebSocket on this page's own origin with the
 * token from the URL fragment (or, after a reload, from this tab's session storage).
 */
export function chooseTransport(onState: (state: WebTransportState) => void): TransportChoice {
  if (window.pipdesk !== undefined) return { kind: 'electron', transport: window.pipdesk };
  const token = takeToken();
  if (token === null) {
    return {
      kind: 'none',
      reason: 'This page needs the address Pipdesk printed when it started (it ends with #token=…).',
    };
  }
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const transport = createWebSocketTransport({
    url: `${scheme}://${window.location.host}${WEB_IPC_PATH}`,
    token,
    connect: browserSocket,
    onState,
    setTimer: (f, ms) => setTimeout(f, ms),
  });
  return { kind: 'web', transport };
}
