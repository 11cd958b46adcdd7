import WebSocket from 'ws';
import {
  CONNECTOR_CLOSE,
  ConnectorServerMessage,
  type ConnectorClientMessage,
} from '../../../src-core/contracts/connector';
import type { Logger } from '../../../src-core/logger';

export interface BackoffOptions {
  /** First wait after a drop (default 500 ms). */
  readonly baseMs: number;
  /** Longest wait (default 30 s). */
  readonly maxMs: number;
}

/** "Full jitter" backoff: a random wait up to base·2^attempt, capped, so many desktops do not reconnect in step. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(options.baseMs / 2 + random() * (ceiling - options.baseMs / 2));
}

export type SocketState = 'connecting' | 'online' | 'offline';

export interface ConnectorSocketOptions {
  readonly cloudUrl: string;
  readonly connectionId: string;
  /** A valid access token, refreshed if needed; null when signed out (the socket then stays down). */
  readonly accessToken: (options: { forceRefresh: boolean }) => Promise<string | null>;
  readonly onMessage: (message: ConnectorServerMessage) => void;
  readonly onState: (state: SocketState) => void;
  /** The cloud says the connection is not this user's (deleted, or another account): stop trying. */
  readonly onForbidden: () => void;
  readonly logger: Logger;
  readonly backoff?: Partial<BackoffOptions>;
}

/**
 * One connector WebSocket (`/ws/connector?connection_id=…`), kept open: reconnects with backoff and jitter
 * after a drop, refreshes the access token after a 4001 close, and gives up only on 4003 or `stop()`.
 */
export class ConnectorSocket {
  #socket: WebSocket | null = null;
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #state: SocketState = 'offline';
  readonly #backoff: BackoffOptions;

  constructor(private readonly options: ConnectorSocketOptions) {
    this.#backoff = { baseMs: 500, maxMs: 30_000, ...options.backoff };
  }

  get state(): SocketState {
    return this.#state;
  }

  start(): void {
    this.#stopped = false;
    void this.#connect(false);
  }

  /** Sends a frame if the socket is open; false otherwise (the caller keeps the data for the next open). */
  send(message: ConnectorClientMessage): boolean {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== WebSocket.OPEN || this.#state !== 'online') return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#socket?.close(1000, 'signed out');
    this.#socket = null;
    this.#setState('offline');
  }

  /** Read through a method: `stop()` may run while awaiting, which TypeScript's narrowing cannot see. */
  #isStopped(): boolean {
    return this.#stopped;
  }

  #setState(state: SocketState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.options.onState(state);
  }

  async #connect(forceRefresh: boolean): Promise<void> {
    if (this.#stopped) return;
    this.#setState('connecting');
    const token = await this.options.accessToken({ forceRefresh });
    if (token === null || this.#isStopped()) {
      this.#setState('offline');
      return;
    }
    const url = `${this.options.cloudUrl.replace(/^http/, 'ws')}/ws/connector?connection_id=${encodeURIComponent(this.options.connectionId)}`;
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: 10_000,
    });
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      let message: ConnectorServerMessage;
      try {
        message = ConnectorServerMessage.parse(JSON.parse(data.toString('utf8')));
      } catch {
        this.options.logger.warn('cloud-sync: unreadable frame from the cloud', {
          connectionId: this.options.connectionId,
        });
        return;
      }
      if (message.type === 'welcome') {
        this.#attempt = 0;
        this.#setState('online');
      }
      this.options.onMessage(message);
    });
    socket.on('error', () => undefined); // the close event follows and decides
    socket.on('close', (code) => {
      if (this.#socket === socket) this.#socket = null;
      if (this.#stopped) return;
      this.#setState('offline');
      if (code === CONNECTOR_CLOSE.FORBIDDEN) {
        this.options.onForbidden();
        return;
      }
      this.#schedule(code === CONNECTOR_CLOSE.UNAUTHORIZED);
    });
  }

  #schedule(forceRefresh: boolean): void {
    const delay = backoffDelay(this.#attempt, this.#backoff);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#connect(forceRefresh);
    }, delay);
    this.#timer.unref();
  }
}
