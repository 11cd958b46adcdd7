import type { Socket } from 'node:net';
import { MAX_FRAME_BYTES } from './messages';
import { NdjsonDecoder, encodeFrame } from './ndjson';

/** Why a link ended. */
export type LinkCloseCause = 'eof' | 'error' | 'local' | 'backpressure';

/** What a {@link FramedLink} reports. */
export interface FramedLinkHandlers {
  /** A frame that parsed as a JSON object. `type` is its `type` field when that is a string. */
  readonly onMessage: (message: Record<string, unknown>, type: string | undefined) => void;
  /** A frame that could not be parsed (BAD_JSON) or was too large (the caller should close the link). */
  readonly onBadFrame: (code: 'BAD_JSON' | 'FRAME_TOO_LARGE', message: string) => void;
  /** The peer sent nothing for `silenceMs`. */
  readonly onSilence: () => void;
  /** The socket is gone (exactly once). */
  readonly onClose: (cause: LinkCloseCause, error?: Error) => void;
}

/** Options of {@link FramedLink}. */
export interface FramedLinkOptions {
  readonly maxFrameBytes?: number;
  /** Bytes queued for writing beyond which the peer is considered stuck and the link is closed. */
  readonly maxWriteBufferBytes?: number;
}

const HEARTBEAT_FRAME = Buffer.from('{"type":"hb"}\n', 'utf8');

/**
 * One NDJSON link over a connected socket, used by both the server and the simulator: framing, JSON parsing,
 * heartbeats when idle, a silence watchdog, and a bound on what may pile up unsent.
 */
export class FramedLink {
  readonly #socket: Socket;
  readonly #handlers: FramedLinkHandlers;
  readonly #maxFrameBytes: number;
  readonly #maxWriteBuffer: number;
  readonly #decoder: NdjsonDecoder;
  #closed = false;
  #lastSentAt = Date.now();
  #lastReceivedAt = Date.now();
  #timer: NodeJS.Timeout | undefined;
  #heartbeatMs = 0;
  #silenceMs = 0;
  #isHeartbeatEnabled = true;
  #isCorked = false;
  readonly #uncork = (): void => {
    this.#isCorked = false;
    this.#socket.uncork();
  };

  constructor(socket: Socket, handlers: FramedLinkHandlers, options: FramedLinkOptions = {}) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#maxWriteBuffer = options.maxWriteBufferBytes ?? 16 * MAX_FRAME_BYTES;
    this.#decoder = new NdjsonDecoder({
      maxFrameBytes: this.#maxFrameBytes,
      onFrame: (text) => {
        this.#onFrame(text);
      },
      onError: (error) => {
        this.#handlers.onBadFrame(error.code === 'BAD_UTF8' ? 'BAD_JSON' : error.code, error.message);
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#lastReceivedAt = Date.now();
      if (!this.#closed) this.#decoder.push(chunk);
    });
    socket.on('end', () => {
      this.#finish('eof');
    });
    socket.on('close', () => {
      this.#finish('eof');
    });
    socket.on('error', (error) => {
      this.#finish('error', error);
    });
  }

  /** Whether the link can still send. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /** When the last frame was received (ms since 1970). */
  get lastReceivedAt(): number {
    return this.#lastReceivedAt;
  }

  /**
   * Starts heartbeats (an `hb` whenever nothing was sent for `heartbeatMs`) and the silence watchdog
   * (`onSilence` after `silenceMs` without receiving anything). 0 disables either.
   */
  startTimers(heartbeatMs: number, silenceMs: number): void {
    this.#heartbeatMs = heartbeatMs;
    this.#silenceMs = silenceMs;
    this.#lastReceivedAt = Date.now();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    const shortest = Math.min(...[heartbeatMs, silenceMs].filter((v) => v > 0));
    if (!Number.isFinite(shortest) || this.#closed) return;
    this.#timer = setInterval(
      () => {
        this.#tick();
      },
      Math.max(5, Math.floor(shortest / 4)),
    );
    this.#timer.unref();
  }

  /** Turns automatic heartbeats off or on (the simulator's no-heartbeat fault). */
  setHeartbeatEnabled(isEnabled: boolean): void {
    this.#isHeartbeatEnabled = isEnabled;
  }

  /**
   * Sends one message. Returns false when the link is closed or the message is larger than the frame limit
   * (which is a bug in the caller: messages are built from bounded fields).
   */
  send(message: unknown): boolean {
    if (this.#closed) return false;
    const frame = encodeFrame(message, this.#maxFrameBytes);
    if (!frame.ok) return false;
    return this.sendRaw(frame.value);
  }

  /** Writes bytes (or a ready frame string) as they are (fault injection and benchmarks). */
  sendRaw(bytes: Uint8Array | string): boolean {
    if (this.#closed) return false;
    if (!this.#isCorked) {
      // Coalesce every frame written in this tick into one syscall: pipelined answers are many small frames.
      this.#isCorked = true;
      this.#socket.cork();
      process.nextTick(this.#uncork);
    }
    this.#socket.write(bytes);
    this.#lastSentAt = Date.now();
    if (this.#socket.writableLength > this.#maxWriteBuffer) {
      // The peer stopped reading: do not let its backlog grow without bound.
      this.#socket.destroy();
      this.#finish('backpressure');
      return false;
    }
    return true;
  }

  /** Sends `finalMessage` (if any), then closes the socket. */
  close(finalMessage?: unknown): void {
    if (this.#closed) return;
    if (finalMessage !== undefined) this.send(finalMessage);
    this.#stopTimers();
    this.#socket.end();
    // end() waits for the peer; do not let a peer that never reads keep the socket forever.
    setTimeout(() => this.#socket.destroy(), 1_000).unref();
    this.#finish('local');
  }

  /** Destroys the socket at once, without a goodbye (fault injection: a dropped link). */
  destroy(): void {
    this.#socket.destroy();
    this.#finish('local');
  }

  #tick(): void {
    const now = Date.now();
    if (this.#silenceMs > 0 && now - this.#lastReceivedAt >= this.#silenceMs) {
      this.#handlers.onSilence();
      return;
    }
    if (this.#isHeartbeatEnabled && this.#heartbeatMs > 0 && now - this.#lastSentAt >= this.#heartbeatMs) {
      this.sendRaw(HEARTBEAT_FRAME);
    }
  }

  #onFrame(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#handlers.onBadFrame('BAD_JSON', 'frame is not valid JSON');
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.#handlers.onBadFrame('BAD_JSON', 'frame is not a JSON object');
      return;
    }
    const message = value as Record<string, unknown>;
    const type = message['type'];
    this.#handlers.onMessage(message, typeof type === 'string' ? type : undefined);
  }

  #stopTimers(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #finish(cause: LinkCloseCause, error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    if (cause !== 'local') this.#socket.destroy();
    this.#handlers.onClose(cause, error);
  }
}
