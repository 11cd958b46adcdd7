import { describe, expect, it } from 'vitest';
import {
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  totpCode,
  totpCodeAt,
  totpUri,
} from './totp';

const seed = (text: string) => new TextEncoder().encode(text);
// RFC 6238 Appendix B: note the seed length differs per algorithm (20, 32 and 64 bytes).
const SEEDS = {
  SHA1: seed('12345678901234567890'),
  SHA256: seed('12345678901234567890123456789012'),
  SHA512: seed('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;

const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  it.each(VECTORS)('matches RFC 6238 Appendix B at T=%d', (seconds, sha1, sha256, sha512) => {
    expect(totpCode(SEEDS.SHA1, seconds * 1000, 'SHA1', 8)).toBe(sha1);
    expect(totpCode(SEEDS.SHA256, seconds * 1000, 'SHA256', 8)).toBe(sha256);
    expect(totpCode(SEEDS.SHA512, seconds * 1000, 'SHA512', 8)).toBe(sha512);
  });

  it('accepts the current step and one either side, once each', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(secret, totpCodeAt(secret, now), now, null)).toBe(step);
    expect(matchTotp(secret, totpCodeAt(secret, now - 30_000), now, null)).toBe(step - 1);
    expect(matchTotp(secret, totpCodeAt(secret, now + 30_000), now, null)).toBe(step + 1);
    expect(matchTotp(secret, totpCodeAt(secret, now - 60_000), now, null)).toBeNull();
    // Replay: a step at or before the last accepted one is refused.
    expect(matchTotp(secret, totpCodeAt(secret, now), now, step)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, now + 30_000), now, step)).toBe(step + 1);
  });

  it('refuses malformed codes', () => {
    const secret = newTotpSecret();
    for (const code of ['', '1', '12345', '1234567', 'abcdef', ' 123456']) {
      expect(matchTotp(secret, code, Date.now(), null)).toBeNull();
    }
  });

  it('makes 160-bit secrets and a scannable otpauth URI', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totpUri(secret, 'me@example.com')).toBe(
      `otpauth://totp/Pipdesk:me%40example.com?issuer=Pipdesk&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('makes ten distinct 120-bit recovery codes that normalise back', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^([A-Z2-7]{4}-){5}[A-Z2-7]{4}$/);
      expect(normalizeRecoveryCode(code.toLowerCase().replace(/-/g, ' '))).toBe(code.replace(/-/g, ''));
    }
    expect(normalizeRecoveryCode('not-a-code')).toBeNull();
  });
});
