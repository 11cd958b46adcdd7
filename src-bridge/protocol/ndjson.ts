import { isAscii, isUtf8 } from 'node:buffer';
import { err, ok, type Result } from '../../src-core/result';
import { MAX_FRAME_BYTES } from './messages';

/** Why the decoder rejected a frame. */
export type FrameErrorCode = 'FRAME_TOO_LARGE' | 'BAD_UTF8';

/** A frame the decoder could not deliver; decoding continues with the next frame. */
export interface FrameError {
  readonly code: FrameErrorCode;
  readonly message: string;
}

/** Options of {@link NdjsonDecoder}. */
export interface NdjsonDecoderOptions {
  /** Largest frame in bytes, excluding the newline (default {@link MAX_FRAME_BYTES}). */
  readonly maxFrameBytes?: number;
  /** Called with each complete frame's text (a trailing `\r` removed; empty lines skipped). */
  readonly onFrame: (text: string) => void;
  /** Called for an oversized frame (once, when it passes the limit) or one that is not valid UTF-8. */
  readonly onError: (error: FrameError) => void;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Streaming NDJSON splitter. Bytes are split on 0x0A *before* UTF-8 decoding, so a multi-byte character
 * split across reads is reassembled (0x0A never occurs inside a UTF-8 multi-byte sequence). Memory is
 * bounded: at most `maxFrameBytes` are buffered; an oversized frame is reported once and its remaining bytes
 * are discarded up to the next newline, whether or not that newline ever comes.
 */
export class NdjsonDecoder {
  readonly #max: number;
  readonly #onFrame: (text: string) => void;
  readonly #onError: (error: FrameError) => void;
  #parts: Buffer[] = [];
  #length = 0;
  #discarding = false;

  constructor(options: NdjsonDecoderOptions) {
    this.#max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#onFrame = options.onFrame;
    this.#onError = options.onError;
  }

  /** Bytes held for an incomplete frame (for tests of the memory bound). */
  get bufferedBytes(): number {
    return this.#length;
  }

  /** Feeds bytes as they arrive. Callbacks run synchronously, in frame order. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    let isFastPathTried = false;
    while (start < buf.length) {
      if (!isFastPathTried && !this.#discarding && this.#parts.length === 0) {
        isFastPathTried = true;
        const last = buf.lastIndexOf(NEWLINE);
        if (last > start && isAscii(buf.subarray(start, last))) {
          this.#deliverAscii(buf.toString('latin1', start, last));
          start = last + 1;
          continue;
        }
      }
      const nl = buf.indexOf(NEWLINE, start);
      const end = nl === -1 ? buf.length : nl;
      if (this.#discarding) {
        if (nl === -1) return;
        this.#discarding = false;
        start = nl + 1;
        continue;
      }
      const size = end - start;
      if (this.#length + size > this.#max) {
        this.#reset();
        this.#onError({
          code: 'FRAME_TOO_LARGE',
          message: `frame longer than ${this.#max} bytes`,
        });
        if (nl === -1) {
          this.#discarding = true;
          return;
        }
        start = nl + 1;
        continue;
      }
      if (nl === -1) {
        // Copy: the caller may reuse its buffer, and we must not pin large socket buffers.
        this.#parts.push(Buffer.from(buf.subarray(start, end)));
        this.#length += size;
        return;
      }
      let frame: Buffer;
      if (this.#parts.length === 0) {
        frame = buf.subarray(start, end);
      } else {
        this.#parts.push(buf.subarray(start, end));
        frame = Buffer.concat(this.#parts, this.#length + size);
        this.#reset();
      }
      start = nl + 1;
      this.#deliver(frame);
    }
  }

  /**
   * The fast path of {@link push}: whole frames whose bytes are all ASCII (what JSON.stringify of the protocol's
   * messages produces), decoded as one string and split on '\n' in it. ASCII is valid UTF-8 and one byte per
   * character, so the sizes, the CR/empty-line rules and the text delivered are exactly those of the byte path,
   * without a Buffer view, a UTF-8 check and a decode per frame.
   */
  #deliverAscii(text: string): void {
    let start = 0;
    const end = text.length;
    while (start <= end) {
      let nl = text.indexOf('\n', start);
      if (nl === -1) nl = end;
      let stop = nl;
      if (stop - start > this.#max) {
        this.#onError({ code: 'FRAME_TOO_LARGE', message: `frame longer than ${this.#max} bytes` });
      } else {
        if (stop > start && text.charCodeAt(stop - 1) === CR) stop -= 1;
        if (stop > start) this.#onFrame(text.slice(start, stop));
      }
      start = nl + 1;
    }
  }

  #deliver(frame: Buffer): void {
    let len = frame.length;
    if (len > 0 && frame[len - 1] === CR) len -= 1;
    if (len === 0) return;
    const bytes = frame.subarray(0, len);
    // isUtf8 (simdutf) then toString is several times faster than a fatal TextDecoder on small frames.
    if (!isUtf8(bytes)) {
      this.#onError({ code: 'BAD_UTF8', message: 'frame is not valid UTF-8' });
      return;
    }
    this.#onFrame(bytes.toString('utf8'));
  }

  #reset(): void {
    this.#parts = [];
    this.#length = 0;
  }
}

/** Why a message could not be encoded. */
export interface EncodeError {
  readonly code: 'FRAME_TOO_LARGE';
  readonly message: string;
}

/**
 * Encodes one message as a frame: JSON (which escapes every control character, so no raw newline can
 * appear inside) and a newline, as a string for the socket to write. Returns an error instead of a frame the
 * peer would reject.
 */
export function encodeFrame(
  message: unknown,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): Result<string, EncodeError> {
  const text = JSON.stringify(message);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only long texts need their byte length counted.
  if (text.length * 3 > maxFrameBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxFrameBytes) {
      return err({ code: 'FRAME_TOO_LARGE', message: `message of ${bytes} bytes exceeds ${maxFrameBytes}` });
    }
  }
  return ok(`${text}\n`);
}
