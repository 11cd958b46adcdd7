import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import type { Clock } from '../clock';

const AUDIENCE = 'pipdesk-api';
const TYPE = 'at+jwt';

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

  constructor(
    key: Uint8Array,
    private readonly issuer: string,
    readonly ttlSec: number,
    private readonly clock: Clock,
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

  /** The claims, or null for any invalid token (the reason is not told to clients). */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        typ: TYPE,
        issuer: this.issuer,
        audience: AUDIENCE,
        currentDate: new Date(this.clock.now()),
        clockTolerance: 5,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      const claims = AccessClaims.safeParse(payload);
      return claims.success ? claims.data : null;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  }
}
