import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SEC = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now: one, for clock drift between phone and server. */
const DRIFT_STEPS = 1;

/** A new 160-bit secret (RFC 4226's recommended length) from the CSPRNG, base32. */
export function newTotpSecret(): string {
  return new Secret({ buffer: randomBytes(20).buffer }).base32;
}

/** The `otpauth://` URI an authenticator app scans. */
export function totpUri(secretBase32: string, account: string, issuer = 'Pipdesk'): string {
  return totp(secretBase32, account, issuer).toString();
}

function totp(secretBase32: string, label = 'Pipdesk', issuer = 'Pipdesk'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SEC,
    secret: Secret.fromBase32(secretBase32),
  });
}

/**
 * A TOTP for raw secret bytes with any of RFC 6238's algorithms and lengths: the same generator the service
 * uses (otpauth), exposed so the RFC 6238 Appendix B vectors can be checked against it.
 */
export function totpCode(
  secret: Uint8Array,
  timestampMs: number,
  algorithm: 'SHA1' | 'SHA256' | 'SHA512' = 'SHA1',
  digits = TOTP_DIGITS,
): string {
  const copy = new Uint8Array(secret);
  return new TOTP({
    algorithm,
    digits,
    period: TOTP_PERIOD_SEC,
    secret: new Secret({ buffer: copy.buffer }),
  }).generate({
    timestamp: timestampMs,
  });
}

/** The code for a given time (for tests and the RFC vectors). */
export function totpCodeAt(secretBase32: string, timestampMs: number): string {
  return totp(secretBase32).generate({ timestamp: timestampMs });
}

/**
 * Checks a 6-digit code against the server's clock (ASVS 5.0 6.5.8) and returns the time step it matched,
 * or null. A step at or before `lastStep` is refused, so a code is accepted once only (ASVS 5.0 6.5.1).
 */
export function matchTotp(
  secretBase32: string,
  code: string,
  nowMs: number,
  lastStep: number | null,
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const generator = totp(secretBase32);
  const current = Math.floor(nowMs / 1000 / TOTP_PERIOD_SEC);
  let matched: number | null = null;
  // Check every candidate step without returning early, so timing does not tell which step matched.
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step += 1) {
    const expected = generator.generate({ timestamp: step * TOTP_PERIOD_SEC * 1000 });
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code)) && (lastStep === null || step > lastStep)) {
      matched ??= step;
    }
  }
  return matched;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Ten recovery codes of 120 random bits each, written `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(15);
    let bits = 0;
    let value = 0;
    let out = '';
    for (const byte of bytes) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += BASE32[(value >>> (bits - 5)) & 31] ?? '';
        bits -= 5;
      }
    }
    return out.match(/.{4}/g)?.join('-') ?? out;
  });
}

/** Case and separators do not matter when a recovery code is typed back. */
export function normalizeRecoveryCode(code: string): string | null {
  const compact = code.toUpperCase().replace(/[\s-]/g, '');
  return /^[A-Z2-7]{24}$/.test(compact) ? compact : null;
}
