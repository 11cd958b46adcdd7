import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import * as argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import { Semaphore } from './semaphore';

const pbkdf2Async = promisify(pbkdf2);

/** argon2id cost. The default is RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes). */
export interface Argon2Params {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = { memoryCost: 65_536, timeCost: 3, parallelism: 4 };

export type HashScheme = 'argon2id' | 'bcrypt' | 'pbkdf2_sha256' | 'unknown';

export interface VerifyOutcome {
  readonly isValid: boolean;
  /** The hash is legacy or weaker than the current parameters: store a fresh argon2id hash now. */
  readonly needsRehash: boolean;
  readonly scheme: HashScheme;
}

/** Which scheme a stored hash uses, by its prefix. */
export function hashScheme(stored: string): HashScheme {
  if (stored.startsWith('$argon2id$')) return 'argon2id';
  if (/^\$2[aby]\$\d\d\$/.test(stored)) return 'bcrypt';
  if (stored.startsWith('$pbkdf2-sha256$')) return 'pbkdf2_sha256';
  return 'unknown';
}

/**
 * Hashes and verifies passwords. Every hash and verify (argon2id, and the legacy bcrypt and passlib
 * pbkdf2_sha256 checks) waits for a slot of one semaphore: each argon2id computation holds `memoryCost` KiB,
 * so a burst of logins queues instead of exhausting memory.
 */
export class PasswordHasher {
  private readonly slots: Semaphore;
  private dummy: Promise<string> | undefined;

  constructor(
    readonly params: Argon2Params = DEFAULT_ARGON2,
    concurrency = 4,
  ) {
    this.slots = new Semaphore(concurrency);
  }

  get load(): { readonly active: number; readonly waiting: number } {
    return this.slots.load;
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2.hash(password, { type: argon2.argon2id, ...this.params }));
  }

  async verify(stored: string, password: string): Promise<VerifyOutcome> {
    const scheme = hashScheme(stored);
    switch (scheme) {
      case 'argon2id': {
        const isValid = await this.slots.run(() => argon2.verify(stored, password).catch(() => false));
        return { isValid, scheme, needsRehash: isValid && argon2.needsRehash(stored, this.params) };
      }
      case 'bcrypt': {
        // bcrypt ignores bytes past 72; verifying such a password would accept a truncated one (ASVS 5.0 6.2.8).
        if (bcrypt.truncates(password)) return { isValid: false, scheme, needsRehash: false };
        const isValid = await this.slots.run(() => bcrypt.compare(password, stored));
        return { isValid, scheme, needsRehash: isValid };
      }
      case 'pbkdf2_sha256': {
        const isValid = await this.slots.run(() => verifyPasslibPbkdf2(stored, password));
        return { isValid, scheme, needsRehash: isValid };
      }
      case 'unknown':
        return { isValid: false, scheme, needsRehash: false };
    }
  }

  /**
   * Spends the time of a real verification against a throw-away hash, for requests naming an unknown account,
   * so response time does not reveal which emails exist (ASVS 5.0 6.3.8).
   */
  async verifyDummy(password: string): Promise<void> {
    this.dummy ??= this.hash('dummy password never matches anything');
    await this.verify(await this.dummy, password);
  }
}

/** passlib's "ab64": standard base64 with `.` for `+` and no padding. */
function ab64Decode(text: string): Buffer {
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

/** `$pbkdf2-sha256$<rounds>$<salt ab64>$<checksum ab64>` as passlib writes it. */
async function verifyPasslibPbkdf2(stored: string, password: string): Promise<boolean> {
  const match = /^\$pbkdf2-sha256\$(\d{1,7})\$([A-Za-z0-9./]*)\$([A-Za-z0-9./]{43})$/.exec(stored);
  if (match === null) return false;
  const [, roundsText, saltText, checksumText] = match;
  const rounds = Number(roundsText);
  if (rounds < 1) return false;
  const expected = ab64Decode(checksumText ?? '');
  const actual = await pbkdf2Async(
    Buffer.from(password, 'utf8'),
    ab64Decode(saltText ?? ''),
    rounds,
    32,
    'sha256',
  );
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
