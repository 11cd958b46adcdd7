/**
 * The EA's handshake cryptography (Include/Pipdesk/Auth.mqh, compiled with g++): HMAC-SHA256 built on the shim's
 * CryptEncode(CRYPT_HASH_SHA256), held to RFC 4231 and node:crypto; the shim's SHA-256 held to the NIST examples
 * and node:crypto; the handshake proofs and the constant-time comparison.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
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

function run(mode: string, lines: readonly string[]): string[] {
  const out = execFileSync(driver, [mode], { input: lines.join('\n') + '\n', maxBuffer: 64 * 1024 * 1024 });
  return out.toString('utf8').split('\n').slice(0, lines.length);
}

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

describe('SHA-256 behind the shim’s CryptEncode', () => {
  it('matches the NIST example vectors', () => {
    const vectors: readonly [string, string][] = [
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      [hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      [
        hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      ],
      [
        hex(
          'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
        ),
        'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
      ],
      [hex('a'.repeat(1_000_000)), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
    ];
    expect(
      run(
        'sha256',
        vectors.map(([input]) => input),
      ),
    ).toEqual(vectors.map(([, digest]) => digest));
  });

  it('matches node:crypto on random data, including every length around the 55/56/64-byte padding edges', () => {
    const inputs = [
      ...Array.from({ length: 130 }, (_, n) => Buffer.alloc(n, n & 0xff)),
      ...fc.sample(fc.uint8Array({ maxLength: 600 }), { numRuns: 200, seed: 7 }).map((b) => Buffer.from(b)),
    ];
    const got = run(
      'sha256',
      inputs.map((b) => b.toString('hex')),
    );
    expect(got).toEqual(inputs.map((b) => createHash('sha256').update(b).digest('hex')));
  });
});

describe('HMAC-SHA256 in MQL5 (PdHmacSha256)', () => {
  it('matches the RFC 4231 test cases whose key fits one block (1-5)', () => {
    const cases: readonly { key: string; data: string; mac: string }[] = [
      {
        key: '0b'.repeat(20),
        data: hex('Hi There'),
        mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      },
      {
        key: hex('Jefe'),
        data: hex('what do ya want for nothing?'),
        mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      },
      {
        key: 'aa'.repeat(20),
        data: 'dd'.repeat(50),
        mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      },
      {
        key: '0102030405060708090a0b0c0d0e0f10111213141516171819',
        data: 'cd'.repeat(50),
        mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
      },
      // Test case 5 gives only the first 128 bits.
      { key: '0c'.repeat(20), data: hex('Test With Truncation'), mac: 'a3b6167473100ee06e0c796c2955552b' },
    ];
    const got = run(
      'hmac',
      cases.map((c) => `${c.key} ${c.data}`),
    );
    cases.forEach((c, i) => {
      expect(got[i]?.slice(0, c.mac.length), `case ${i + 1}`).toBe(c.mac);
    });
  });

  it('refuses keys longer than one block (RFC 4231 cases 6 and 7) rather than hashing them untested', () => {
    expect(
      run('hmac', [`${'aa'.repeat(131)} ${hex('Test Using Larger Than Block-Size Key - Hash Key First')}`]),
    ).toEqual(['error']);
  });

  it('matches node:crypto for random keys up to 64 bytes and random messages', () => {
    const pairs = fc.sample(fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 400 })), {
      numRuns: 300,
      seed: 11,
    });
    const got = run(
      'hmac',
      pairs.map(
        ([k, m]) => `${Buffer.from(k).toString('hex') || '-'} ${Buffer.from(m).toString('hex') || '-'}`,
      ),
    );
    expect(got).toEqual(pairs.map(([k, m]) => createHmac('sha256', k).update(m).digest('hex')));
  });
});

describe('the handshake proofs and their comparison', () => {
  /** The proof as docs/bridge-protocol.md defines it, computed by node:crypto. */
  const expectedProof = (token: string, role: string, endpoint: string, eaNonce: string, appNonce: string) =>
    createHmac('sha256', Buffer.from(token, 'ascii'))
      .update(`pipdesk/2\n${role}\n${endpoint}\n${eaNonce}\n${appNonce}`, 'utf8')
      .digest('hex');

  it('computes both roles’ proofs exactly as node:crypto does', () => {
    const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
    const endpoint = fc.oneof(
      hex64.map((h) => `pipdesk-${h.slice(0, 16)}`),
      fc.stringMatching(/^\/[a-z0-9/._-]{1,60}\.sock$/),
    );
    const cases = fc.sample(fc.tuple(hex64, fc.constantFrom('app', 'ea'), endpoint, hex64, hex64), {
      numRuns: 200,
      seed: 5,
    });
    const got = run(
      'proof',
      cases.map((c) => c.join(' ')),
    );
    expect(got).toEqual(cases.map((c) => expectedProof(...c)));
    // The two roles never give the same proof: a proof cannot be reflected back.
    const [token, , ep, ea, app] = cases[0] ?? [];
    const [asApp, asEa] = run('proof', [`${token} app ${ep} ${ea} ${app}`, `${token} ea ${ep} ${ea} ${app}`]);
    expect(asApp).not.toBe(asEa);
  });

  it('gives no proof for a token that is not 64 bytes', () => {
    expect(run('proof', [`short app pipdesk-x ${'1'.repeat(64)} ${'2'.repeat(64)}`])).toEqual(['']);
  });

  it('compares 64-hex strings exactly, and only those', () => {
    const a = 'ab'.repeat(32);
    const lastDiffers = `${a.slice(0, 63)}c`;
    const firstDiffers = `c${a.slice(1)}`;
    expect(
      run('equal', [
        `${a} ${a}`,
        `${a} ${lastDiffers}`,
        `${a} ${firstDiffers}`,
        `${a}0 ${a}0`,
        `${a.toUpperCase()} ${a}`,
      ]),
    ).toEqual(['equal hex64', 'different hex64', 'different hex64', 'different other', 'different other']);
  });
});
