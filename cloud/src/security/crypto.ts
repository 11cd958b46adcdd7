import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';

/** A random opaque token: 32 bytes (256 bits) from the CSPRNG, base64url (ASVS 5.0 7.2.3, 11.5.1). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Row ids: UUIDs are fine for identifiers, never for secrets. */
export function newId(): string {
  return randomUUID();
}

/**
 * SHA-256 of a high-entropy token, as stored. A fast hash suffices for 256-bit random tokens (nothing to
 * brute-force); it keeps a database leak from yielding usable reset or refresh tokens.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Keys derived from the one configured secret, each bound to its purpose. */
export class Keys {
  readonly jwt: Uint8Array;
  private readonly seal: Buffer;
  private readonly pepper: Buffer;

  constructor(secret: string) {
    const master = Buffer.from(secret, 'utf8');
    this.jwt = new Uint8Array(Buffer.from(hkdfSync('sha256', master, 'pipdesk', 'jwt-hs256', 32)));
    this.seal = Buffer.from(hkdfSync('sha256', master, 'pipdesk', 'totp-secret-aes-256-gcm', 32));
    this.pepper = Buffer.from(hkdfSync('sha256', master, 'pipdesk', 'recovery-code-hmac', 32));
  }

  /** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>` in base64url, so a database dump does not reveal TOTP seeds. */
  sealText(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.seal, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  openText(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('Sealed value has an unknown format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.seal, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** Recovery codes carry 120 random bits, so a keyed hash is enough (ASVS 5.0 6.5.2 asks for a slow hash below 112). */
  recoveryCodeHash(normalized: string): string {
    return createHmac('sha256', this.pepper).update(normalized, 'utf8').digest('hex');
  }
}
