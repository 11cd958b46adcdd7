import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NdjsonDecoder, encodeFrame, type FrameError } from './ndjson';

function collect(maxFrameBytes?: number): { decoder: NdjsonDecoder; frames: string[]; errors: FrameError[] } {
  const frames: string[] = [];
  const errors: FrameError[] = [];
  const decoder = new NdjsonDecoder({
    ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
    onFrame: (text) => frames.push(text),
    onError: (error) => errors.push(error),
  });
  return { decoder, frames, errors };
}

/** Splits bytes at the given (sorted, deduplicated) cut points. */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    parts.push(bytes.subarray(start, p));
    start = p;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

describe('NdjsonDecoder', () => {
  it('delivers several frames from one chunk and skips empty lines and trailing CR', () => {
    const { decoder, frames, errors } = collect();
    decoder.push(Buffer.from('{"a":1}\n\n{"b":2}\r\n{"c"'));
    decoder.push(Buffer.from(':3}\n'));
    expect(frames).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(errors).toEqual([]);
  });

  it('reassembles a multi-byte character split across reads', () => {
    const { decoder, frames } = collect();
    const bytes = Buffer.from('{"s":"€ 😀 ü"}\n', 'utf8');
    const euro = bytes.indexOf(0xe2);
    decoder.push(bytes.subarray(0, euro + 1));
    decoder.push(bytes.subarray(euro + 1, euro + 2));
    decoder.push(bytes.subarray(euro + 2));
    expect(frames).toEqual(['{"s":"€ 😀 ü"}']);
  });

  it('reports invalid UTF-8 and carries on with the next frame', () => {
    const { decoder, frames, errors } = collect();
    decoder.push(
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"ok":1}\n')]),
    );
    expect(errors.map((e) => e.code)).toEqual(['BAD_UTF8']);
    expect(frames).toEqual(['{"ok":1}']);
  });

  it('rejects an oversized frame once, discards it to the next newline and recovers', () => {
    const { decoder, frames, errors } = collect(16);
    decoder.push(Buffer.from('{"x":"0123456789'));
    decoder.push(Buffer.from('abcdef'));
    decoder.push(Buffer.from('ghijkl"}\n{"y":1}\n'));
    expect(errors.map((e) => e.code)).toEqual(['FRAME_TOO_LARGE']);
    expect(frames).toEqual(['{"y":1}']);
  });

  it('keeps memory bounded for a frame that never ends', () => {
    const { decoder, errors } = collect(1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 200; i += 1) {
      decoder.push(chunk);
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(1024);
    }
    expect(errors).toHaveLength(1);
  });

  it('accepts a frame of exactly the maximum size', () => {
    const { decoder, frames, errors } = collect(10);
    decoder.push(Buffer.from('0123456789\n'));
    expect(frames).toEqual(['0123456789']);
    expect(errors).toEqual([]);
  });

  it('property: any messages, any split points → the same messages in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (values, cuts) => {
          const { decoder, frames, errors } = collect();
          const encoded = values.map((v) => {
            const frame = encodeFrame(v);
            if (!frame.ok) throw new Error(frame.error.message);
            return Buffer.from(frame.value, 'utf8');
          });
          for (const part of splitAt(Buffer.concat(encoded), cuts)) decoder.push(part);
          expect(errors).toEqual([]);
          expect(frames.map((f) => JSON.parse(f) as unknown)).toEqual(
            values.map((v) => JSON.parse(JSON.stringify(v)) as unknown),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: random bytes never throw, never buffer more than the limit, and resync on newlines', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (bytes, cuts) => {
          const { decoder, frames, errors } = collect(256);
          for (const part of splitAt(Buffer.from(bytes), cuts)) {
            decoder.push(part);
            expect(decoder.bufferedBytes).toBeLessThanOrEqual(256);
          }
          // A valid frame after a newline always comes through, whatever came before.
          decoder.push(Buffer.from('\n{"after":true}\n'));
          expect(frames.at(-1)).toBe('{"after":true}');
          for (const e of errors) expect(['FRAME_TOO_LARGE', 'BAD_UTF8']).toContain(e.code);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: huge frames among good ones are rejected without losing the good ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('big'), fc.constant('ok')), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (kinds, cuts) => {
          const { decoder, frames, errors } = collect(1000);
          const text = kinds
            .map((k, i) => (k === 'big' ? `"${'x'.repeat(5000)}"\n` : `{"i":${i}}\n`))
            .join('');
          for (const part of splitAt(Buffer.from(text), cuts)) decoder.push(part);
          expect(errors).toHaveLength(kinds.filter((k) => k === 'big').length);
          expect(frames).toEqual(kinds.flatMap((k, i) => (k === 'ok' ? [`{"i":${i}}`] : [])));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('NdjsonDecoder ASCII fast path', () => {
  /** Frames and errors, in the order they came, for bytes pushed as the given chunks. */
  function decode(chunks: readonly Buffer[], maxFrameBytes: number): string[] {
    const events: string[] = [];
    const decoder = new NdjsonDecoder({
      maxFrameBytes,
      onFrame: (text) => events.push(`frame ${JSON.stringify(text)}`),
      onError: (error) => events.push(`error ${error.code}: ${error.message}`),
    });
    for (const chunk of chunks) decoder.push(chunk);
    events.push(`buffered ${decoder.bufferedBytes}`);
    return events;
  }

  /** One byte per push: a chunk of one byte never has a whole frame before its last newline, so this is the byte path. */
  function bytePath(bytes: Buffer, maxFrameBytes: number): string[] {
    return decode(
      Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
      maxFrameBytes,
    );
  }

  // What frames are made of: JSON text, the bytes the decoder treats specially (LF, CR, NUL), non-ASCII UTF-8
  // (which sends a chunk down the byte path), invalid UTF-8, and runs long enough to pass a small frame limit.
  const piece = fc.oneof(
    fc.constantFrom('{"type":"txn","price":1e308}', '{"a":"\u0000"}', '\n', '\r', '\r\n', '\n\n', '\0', '"'),
    fc.constantFrom('€', 'ü', '😀'),
    fc.string({ maxLength: 12 }),
    fc.nat({ max: 300 }).map((n) => 'x'.repeat(n)),
  );
  const bytesArb = fc.tuple(fc.array(piece, { maxLength: 40 }), fc.boolean()).map(([parts, hasBadByte]) => {
    const text = Buffer.from(parts.join(''), 'utf8');
    return hasBadByte ? Buffer.concat([text, Buffer.from([0xc3, 0x28, 0x0a])]) : text;
  });

  it('property: whole chunks give the same frames, errors and buffered bytes as the byte path', () => {
    fc.assert(
      fc.property(
        bytesArb,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(16, 64, 1024),
        (bytes, cuts, max) => {
          expect(decode(splitAt(bytes, cuts), max)).toEqual(bytePath(bytes, max));
          expect(decode([bytes], max)).toEqual(bytePath(bytes, max));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses an oversized ASCII frame in a chunk of good ones with the byte path's error, and keeps NUL bytes", () => {
    const bytes = Buffer.from(`{"a":1}\n"${'y'.repeat(40)}"\r\n{"b":"\u0000"}\n\0\n{"c":1e308}\n{"d"`);
    const events = decode([bytes], 32);
    const frame = (text: string): string => `frame ${JSON.stringify(text)}`;
    expect(events).toEqual([
      frame('{"a":1}'),
      'error FRAME_TOO_LARGE: frame longer than 32 bytes',
      frame('{"b":"\u0000"}'),
      frame('\u0000'),
      frame('{"c":1e308}'),
      'buffered 4',
    ]);
    expect(events).toEqual(bytePath(bytes, 32));
  });
});

describe('encodeFrame', () => {
  it('escapes newlines inside strings so a frame is one line', () => {
    const frame = encodeFrame({ s: 'a\nb\u2028c' });
    expect(frame.ok && frame.value.indexOf('\n')).toBe(frame.ok ? frame.value.length - 1 : -1);
  });

  it('refuses a message over the limit, counting UTF-8 bytes', () => {
    expect(encodeFrame({ s: 'x'.repeat(100) }, 50).ok).toBe(false);
    // 20 euro signs are 60 bytes of UTF-8 in 20 UTF-16 units.
    expect(encodeFrame('€'.repeat(20), 61).ok).toBe(false);
    expect(encodeFrame('€'.repeat(20), 62).ok).toBe(true);
  });
});
