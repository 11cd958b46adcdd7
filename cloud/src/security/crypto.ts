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

/** The secrets keys are derived from; each purpose gets its own HKDF output (docs/security.md, "Keys and rotation"). */
export interface KeySecrets {
  /** Signs access tokens only. */
  readonly jwtSecret: string;
  /** Seals TOTP secrets and keys recovery-code hashes. */
  readonly totpSealingKey: string;
  /** The sealing key before a rotation: opens what it sealed, and its recovery-code hashes still match. */
  readonly totpSealingKeyPrevious?: string | undefined;
  /** What sealed 2FA secrets before the split (`v1` seals): JWT_SECRET of that release. */
  readonly legacyJwtSecret: string;
}

interface SealKey {
  /** Names the key in a sealed value without revealing anything about it. */
  readonly id: string;
  readonly seal: Buffer;
  readonly pepper: Buffer;
}

const derive = (secret: string, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'pipdesk', purpose, 32));

function sealKey(secret: string): SealKey {
  const seal = derive(secret, 'totp-secret-aes-256-gcm');
  return {
    id: createHmac('sha256', seal).update('key-id').digest('base64url').slice(0, 8),
    seal,
    pepper: derive(secret, 'recovery-code-hmac'),
  };
}

/**
 * Keys bound to their purpose. TOTP secrets are sealed `v2.<key id>.<iv>.<tag>.<ciphertext>` with the current
 * sealing key; `v1.<iv>.<tag>.<ciphertext>` values (sealed with a key derived from JWT_SECRET before the keys
 * were split) and values of the previous sealing key still open, and {@link needsReseal} says which to
 * re-seal at start (`db/reseal.ts`).
 */
export class Keys {
  readonly jwt: Uint8Array;
  private readonly current: SealKey;
  private readonly previous: SealKey | undefined;
  /** The pre-split keys: same derivation labels, from JWT_SECRET. */
  private readonly legacy: SealKey;

  constructor(secrets: KeySecrets) {
    this.jwt = new Uint8Array(derive(secrets.jwtSecret, 'jwt-hs256'));
    this.current = sealKey(secrets.totpSealingKey);
    this.previous =
      secrets.totpSealingKeyPrevious === undefined ? undefined : sealKey(secrets.totpSealingKeyPrevious);
    this.legacy = sealKey(secrets.legacyJwtSecret);
  }

  /** AES-256-GCM, so a database dump does not reveal TOTP seeds. */
  sealText(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.seal, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      'v2',
      this.current.id,
      ...[iv, cipher.getAuthTag(), body].map((p) => p.toString('base64url')),
    ].join('.');
  }

  openText(sealed: string): string {
    const parts = sealed.split('.');
    let key: Buffer;
    let rest: string[];
    if (parts[0] === 'v1' && parts.length === 4) {
      key = this.legacy.seal;
      rest = parts.slice(1);
    } else if (parts[0] === 'v2' && parts.length === 5) {
      const found = [this.current, this.previous].find((k) => k?.id === parts[1]);
      if (found === undefined) {
        throw new Error('Sealed with a key that is neither TOTP_SEALING_KEY nor TOTP_SEALING_KEY_PREVIOUS');
      }
      key = found.seal;
      rest = parts.slice(2);
    } else {
      throw new Error('Sealed value has an unknown format');
    }
    const [iv = '', tag = '', body = ''] = rest;
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** True for a value not sealed with the current key (pre-split `v1`, or the previous sealing key). */
  needsReseal(sealed: string): boolean {
    return !sealed.startsWith(`v2.${this.current.id}.`);
  }

  /** Recovery codes carry 120 random bits, so a keyed hash is enough (ASVS 5.0 6.5.2 asks for a slow hash below 112). */
  recoveryCodeHash(normalized: string): string {
    return createHmac('sha256', this.current.pepper).update(normalized, 'utf8').digest('hex');
  }

  /**
   * The hashes a stored recovery code may have: under the current key, the previous one, and the pre-split key
   * (codes cannot be re-hashed without the codes themselves, so those keep matching).
   */
  recoveryCodeCandidates(normalized: string): string[] {
    const keys = [this.current, this.previous, this.legacy].filter((k) => k !== undefined);
    return [
      ...new Set(keys.map((k) => createHmac('sha256', k.pepper).update(normalized, 'utf8').digest('hex'))),
    ];
  }
}
