import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import type { Clock } from '../clock';

const AUDIENCE = 'pipdesk-api';
const TYPE = 'at+jwt';
const CLOCK_TOLERANCE_SEC = 5;
/** Tokens whose signature was checked, remembered so a client's next requests skip the HMAC. */
const MAX_VERIFIED = 10_000;

/** What an access token says, once its signature, type, audience, issuer and expiry are checked. */
export const AccessClaims = z.object({
  sub: z.string().min(1),
  sid: z.string().min(1),
  /** Issue time in milliseconds, compared with the user's cut-off (`iat` has only second precision). */
  iat_ms: z.number().int().nonnegative(),
});
export type AccessClaims = z.infer<typeof AccessClaims>;

/**
 * Short-lived HS256 JWTs (jose). Verification pins the algorithm, `typ`, issuer and audience (ASVS 5.0 9.1.2,
 * 9.2.2, 9.2.3) and uses the injected clock, so tests can expire tokens without waiting.
 */
export class AccessTokens {
  /** Imported once: given raw bytes, jose would import a key on every sign and verify. */
  private readonly key: KeyObject;
  /**
   * Token text → its claims and expiry. jose verifies through WebCrypto, an asynchronous job per call that
   * profiled as the largest share of an authenticated request's CPU (docs/operations.md, "Speed of
   * authenticated requests"); the same
   * text always verifies the same way, so only the expiry is checked again.
   */
  private readonly verified = new Map<string, { readonly claims: AccessClaims; readonly expSec: number }>();

  constructor(
    key: Uint8Array,
    private readonly issuer: string,
    readonly ttlSec: number,
    private readonly clock: Clock,
    /** Remember verified tokens (default true); the cloud bench switches it off to measure the cost. */
    private readonly isRemembering = true,
  ) {
    this.key = createSecretKey(key);
  }

  async sign(userId: string, sessionId: string): Promise<string> {
    const nowMs = this.clock.now();
    const nowSec = Math.floor(nowMs / 1000);
    return new SignJWT({ sid: sessionId, iat_ms: nowMs })
      .setProtectedHeader({ alg: 'HS256', typ: TYPE })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + this.ttlSec)
      .sign(this.key);
  }

  /**
   * The claims of a token this instance has verified before and that has not expired, without any crypto;
   * null otherwise (including for every token when not remembering). For planning work, e.g. which session's
   * mark to read early: {@link verify} still decides.
   */
  known(token: string): AccessClaims | null {
    const known = this.verified.get(token);
    if (known === undefined || this.clock.now() >= (known.expSec + CLOCK_TOLERANCE_SEC) * 1000) return null;
    return known.claims;
  }

  /** The claims, or null for any invalid token (the reason is not told to clients). */
  async verify(token: string): Promise<AccessClaims | null> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (this.clock.now() < (known.expSec + CLOCK_TOLERANCE_SEC) * 1000) return known.claims;
      this.verified.delete(token);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        typ: TYPE,
        issuer: this.issuer,
        audience: AUDIENCE,
        currentDate: new Date(this.clock.now()),
        clockTolerance: CLOCK_TOLERANCE_SEC,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      const claims = AccessClaims.safeParse(payload);
      if (!claims.success || payload.exp === undefined) return null;
      this.remember(token, claims.data, payload.exp);
      return claims.data;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  }

  private remember(token: string, claims: AccessClaims, expSec: number): void {
    if (!this.isRemembering) return;
    if (this.verified.size >= MAX_VERIFIED) {
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { claims, expSec });
  }
}
