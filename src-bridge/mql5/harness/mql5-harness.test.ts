/**
 * Runs the EA's own JSON and pipe code. Json.mqh and Pipe.mqh are translated to C++ (translate-mql.ts), compiled
 * with g++ against mql5-shim.h (bounds-checked arrays stand in for MQL5's "array out of range" stop; a fake pipe
 * fails any read larger than FileSize reported) and fed generated and hostile input from fast-check. What this
 * cannot show: MetaEditor accepting the code, or the real terminal's FileOpen/FileSize behaviour on a pipe.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildHarness } from './build-harness';

let buildDir = '';
let driver = '';

beforeAll(() => {
  const built = buildHarness('driver');
  buildDir = built.dir;
  driver = built.binary;
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (buildDir !== '') rmSync(buildDir, { recursive: true, force: true });
});

function run(mode: string, input: string | Buffer, args: readonly string[] = []): string {
  return execFileSync(driver, [mode, ...args], { input, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
}

function outputLines(out: string): unknown[] {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

// Strings without NUL (MQL5 strings end at NUL) and without lone surrogates (not representable in UTF-8).
const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000'));
const scalar = fc.oneof(
  text,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }));
const entries = fc.uniqueArray(
  fc.tuple(
    text.filter((k) => k.length > 0),
    value,
  ),
  {
    selector: ([k]) => k,
    maxLength: 12,
  },
);
const spacing = fc.constantFrom('', ' ', '\t', '  ');

interface Field {
  k: string;
  t: number;
  got?: boolean;
  v?: unknown;
  n?: number;
  l?: string;
  items?: { t: number; v: string }[];
}
interface ParseOutput {
  ok?: boolean;
  error?: string;
  violation?: string;
  fields?: Field[];
}

function typeCode(v: unknown): number {
  if (typeof v === 'string') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'boolean') return 3;
  if (v === null) return 4;
  return 5;
}

describe('the EA JSON reader (Json.mqh, compiled)', () => {
  it('reads every flat object the app can send exactly as JSON.parse does', () => {
    const samples = fc.sample(fc.tuple(entries, spacing), { numRuns: 400, seed: 20261128 });
    const lines = samples.map(([es, sp]) => {
      const body = es
        .map(([k, v]) => `${sp}${JSON.stringify(k)}${sp}:${sp}${JSON.stringify(v)}${sp}`)
        .join(',');
      return `${sp}{${body}}${sp}`;
    });
    const results = outputLines(run('json', lines.join('\n') + '\n')) as ParseOutput[];
    expect(results).toHaveLength(samples.length);
    samples.forEach(([es], i) => {
      const r = results[i];
      expect(r?.violation, lines[i]).toBeUndefined();
      expect(r?.ok, `${lines[i] ?? ''} → ${r?.error ?? ''}`).toBe(true);
      const fields = r?.fields ?? [];
      expect(fields.map((f) => f.k)).toEqual(es.map(([k]) => k));
      es.forEach(([, v], j) => {
        const f = fields[j];
        expect(f?.t).toBe(typeCode(v));
        if (typeof v === 'string' || typeof v === 'boolean') expect(f?.v).toBe(v);
        if (typeof v === 'number') {
          expect(f?.n).toBe(v === 0 ? 0 : v);
          const textForm = JSON.stringify(v);
          if (/^-?\d{1,18}$/.test(textForm)) expect(f?.l).toBe(textForm);
        }
        if (Array.isArray(v)) {
          expect(f?.items?.map((it) => it.t)).toEqual(v.map(typeCode));
          expect(f?.items?.map((it) => it.v)).toEqual(
            v.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))),
          );
        }
      });
    });
  });

  it('never accepts what JSON.parse rejects, and never goes out of range on hostile input', () => {
    const token = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"a"',
      '"b\\"',
      '"\\u12',
      '"\\ud83d\\ude00"',
      '"\\x"',
      '1',
      '-',
      '01',
      '1.',
      '.5',
      '1e',
      '1e+5',
      'true',
      'tru',
      'null',
      'nul',
      ' ',
      '\t',
      '"',
      '\\',
      'é',
      '\u0001',
    );
    const hostile = fc.oneof(
      fc.array(token, { maxLength: 30 }).map((ts) => ts.join('')),
      fc.string({ unit: 'binary', maxLength: 60 }),
      // a valid object with one character deleted, duplicated or replaced
      fc
        .tuple(
          entries,
          fc.nat(),
          fc.constantFrom('del', 'dup', 'sub'),
          fc.constantFrom('"', ',', '}', '{', ':', '\\'),
        )
        .map(([es, at, op, ch]) => {
          const s = `{${es.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
          const i = at % s.length;
          if (op === 'del') return s.slice(0, i) + s.slice(i + 1);
          if (op === 'dup') return s.slice(0, i) + s.charAt(i) + s.slice(i);
          return s.slice(0, i) + ch + s.slice(i + 1);
        }),
      // deep nesting beyond the reader's limit
      fc.integer({ min: 1, max: 40 }).map((d) => `{"a":${'['.repeat(d)}${']'.repeat(d)}}`),
    );
    const samples = fc
      .sample(hostile, { numRuns: 1500, seed: 7 })
      .map((s) => s.replace(/[\n\r]/g, ' '))
      .filter((s) => !s.includes('\u0000'));
    const results = outputLines(run('json', samples.join('\n') + '\n')) as ParseOutput[];
    expect(results).toHaveLength(samples.length);
    samples.forEach((s, i) => {
      const r = results[i];
      expect(r?.violation, s).toBeUndefined();
      if (r?.ok === true) {
        const parsed = JSON.parse(s) as unknown;
        expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), s).toBe(true);
      }
    });
  });

  it('rejects duplicate keys, NUL, too many fields and too deep nesting', () => {
    const many = `{${Array.from({ length: 129 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    const deep = `{"a":${'['.repeat(9)}${']'.repeat(9)}}`;
    const lines = ['{"a":1,"a":2}', '{"a":"\\u0000"}', many, deep, '{"a":1} {"b":2}'];
    const results = outputLines(run('json', lines.join('\n') + '\n')) as ParseOutput[];
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false, false]);
  });
});

describe('the EA JSON writer (Json.mqh, compiled)', () => {
  it('quotes any string so that JSON.parse gives it back, with no raw control characters', () => {
    const samples = fc.sample(
      text.filter((s) => !/[\n\r]/.test(s)),
      { numRuns: 500, seed: 11 },
    );
    samples.push('a"b\\c', '\t\b\f\u0001\u001f\u007f', '\u2028\u2029', '😀 é 中');
    const out = run('quote', samples.join('\n') + '\n').split('\n');
    samples.forEach((s, i) => {
      const quoted = out[i] ?? '';
      const raw = Array.from({ length: quoted.length }, (_, k) => quoted.charCodeAt(k)).filter(
        (code) => code < 0x20 || code === 0x2028 || code === 0x2029,
      );
      expect(raw, quoted).toEqual([]);
      expect(JSON.parse(quoted)).toBe(s);
    });
  });

  it('writes numbers as JSON with at most the given decimals, null for NaN and infinity', () => {
    const cases = fc.sample(
      fc.tuple(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 10 })),
      {
        numRuns: 500,
        seed: 3,
      },
    );
    const input = cases.map(([v, d]) => `${v.toPrecision(17)} ${d}`);
    input.push('nan 2', 'inf 2', '-inf 5');
    const out = run('number', input.join('\n') + '\n').split('\n');
    cases.forEach(([v, d], i) => {
      const written = out[i] ?? '';
      expect(written, `${v} ${d}`).toMatch(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/);
      expect(written).not.toBe('-0');
      expect(Math.abs(Number(written) - v)).toBeLessThanOrEqual(
        0.5 * 10 ** -d * (1 + 1e-9) + Math.abs(v) * 1e-15,
      );
    });
    expect(out.slice(cases.length, cases.length + 3)).toEqual(['null', 'null', 'null']);
  });

  it('parses and writes 64-bit tickets as decimal strings, rejecting anything else', () => {
    const max = 2n ** 64n - 1n;
    const good = fc.sample(fc.bigInt({ min: 0n, max }), { numRuns: 200, seed: 5 }).map(String);
    const bad = [
      '',
      '-1',
      '+1',
      ' 1',
      '1 ',
      '1.0',
      '0x10',
      (max + 1n).toString(),
      '123456789012345678901',
      'abc',
    ];
    const out = outputLines(run('u64', [...good, ...bad].join('\n') + '\n')) as { ok: boolean; v?: string }[];
    expect(out).toHaveLength(good.length + bad.length);
    good.forEach((g, i) => {
      expect(out[i]).toEqual({ ok: true, v: g });
    });
    bad.forEach((b, i) => {
      expect(out[good.length + i]?.ok, JSON.stringify(b)).toBe(false);
    });
  });
});

describe('the EA pipe framing (Pipe.mqh, compiled, fake pipe)', () => {
  const frame = fc.oneof(
    text.filter((s) => !s.includes('\n')).map((s) => Buffer.from(s, 'utf8')),
    text.filter((s) => !s.includes('\n')).map((s) => Buffer.from(`${s}\r`, 'utf8')),
    fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b.filter((x) => x !== 0x0a))),
  );

  function expected(frames: readonly Buffer[], maxFrame: number): unknown[] {
    const out: unknown[] = [];
    for (const f of frames) {
      const body = f.length > 0 && f[f.length - 1] === 0x0d ? f.subarray(0, f.length - 1) : f;
      if (body.length > maxFrame) {
        out.push({ tooLarge: true });
        return out;
      }
      let line = '';
      // A NUL byte is refused like invalid UTF-8: an MQL5 string would end there and the frame be read cut short.
      let utf8 = !body.includes(0x00);
      try {
        if (utf8) line = new TextDecoder('utf-8', { fatal: true }).decode(body);
      } catch {
        utf8 = false;
      }
      out.push({ line: utf8 ? line : '', utf8 });
    }
    return out;
  }

  it('splits frames on 0x0A before decoding, whatever the read sizes, and stops at the size limit', () => {
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 8, max: 200 }),
        (frames, chunks, maxFrame) => {
          const bytes = Buffer.concat(frames.flatMap((f) => [f, Buffer.from('\n')]));
          const got = outputLines(run('frames', bytes, [String(maxFrame), chunks.join(',')]));
          expect(got).toEqual(expected(frames, maxFrame));
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });

  it('reports a frame that never ends once the buffer passes the limit, and never reads past FileSize', () => {
    const endless = Buffer.alloc(5000, 0x61);
    expect(outputLines(run('frames', endless, ['1000', '7,300,1']))).toEqual([{ tooLarge: true }]);
    const big = Buffer.concat([Buffer.alloc(300_000, 0x62), Buffer.from('\n{"a":1}\n')]);
    expect(outputLines(run('frames', big, ['400000', '300000']))).toEqual([
      { line: 'b'.repeat(300_000), utf8: true },
      { line: '{"a":1}', utf8: true },
    ]);
  });

  it('refuses a frame holding a NUL byte instead of reading it cut short at the NUL', () => {
    const withNul = Buffer.concat([
      Buffer.from('{"type":"account","id":"a"}'),
      Buffer.from([0x00]),
      Buffer.from('{"x":1}\n{"ok":true}\n'),
    ]);
    expect(outputLines(run('frames', withNul, ['1000', '5,100']))).toEqual([
      { line: '', utf8: false },
      { line: '{"ok":true}', utf8: true },
    ]);
  });

  it('writes each frame as its UTF-8 bytes and one newline', () => {
    const lines = fc.sample(
      text.filter((s) => !/[\n\r]/.test(s)),
      { numRuns: 200, seed: 9 },
    );
    const written = Buffer.from(run('send', lines.join('\n') + '\n'), 'utf8');
    expect(written.equals(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'))).toBe(true);
  });
});
