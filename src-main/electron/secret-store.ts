import { z } from 'zod';
import { appError, err, ok, type Result } from '../../src-core/result';
import { readJsonFile, writeJsonFileAtomic } from '../services/json-file';

/** The part of Electron's `safeStorage` the store uses (injected, so the store is testable without Electron). */
export interface Cipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: `basic_text` means no keyring, i.e. a hard-coded key: not a secret store. */
  getSelectedStorageBackend?(): string;
}

/** Encrypted secrets on disk: name → base64 ciphertext. */
const SecretFile = z.record(z.string().regex(/^[a-z0-9_.-]{1,64}$/), z.string().max(16_384));

/** Secrets (the cloud refresh token, docs/cloud-sync.md) kept encrypted by the OS through Electron's safeStorage. */
export interface SecretStore {
  /** Whether secrets can be stored safely here; false on Linux without a keyring (then keep them in memory). */
  isAvailable(): boolean;
  save(name: string, secret: string): Result<void>;
  /** `ok(null)` when absent; `SECRET_UNREADABLE` when it cannot be decrypted (another user/machine): sign in again. */
  load(name: string): Result<string | null>;
  remove(name: string): void;
}

/**
 * Builds the store over a JSON file of ciphertexts. Call only after Electron's `ready` (Windows' DPAPI key is
 * not available before). Ciphertext does not survive a move to another machine or Windows user, so a failed
 * decrypt is an expected outcome, not a crash.
 */
export function createSecretStore(file: string, cipher: Cipher): SecretStore {
  const read = (): Record<string, string> => readJsonFile(file, SecretFile) ?? {};
  const write = (data: Record<string, string>): void => {
    writeJsonFileAtomic(file, data);
  };
  const isAvailable = (): boolean =>
    cipher.isEncryptionAvailable() && cipher.getSelectedStorageBackend?.() !== 'basic_text';
  const validName = (name: string): boolean => /^[a-z0-9_.-]{1,64}$/.test(name);

  return {
    isAvailable,
    save(name, secret) {
      if (!validName(name))
        return err(appError('SECRET_UNAVAILABLE', `Bad secret name ${JSON.stringify(name)}.`));
      if (!isAvailable()) {
        return err(
          appError('SECRET_UNAVAILABLE', 'This system has no keyring, so the secret is not stored on disk.'),
        );
      }
      const data = read();
      data[name] = cipher.encryptString(secret).toString('base64');
      write(data);
      return ok(undefined);
    },
    load(name) {
      const stored = read()[name];
      if (stored === undefined) return ok(null);
      if (!isAvailable()) return err(appError('SECRET_UNAVAILABLE', 'The keyring is not available now.'));
      try {
        return ok(cipher.decryptString(Buffer.from(stored, 'base64')));
      } catch {
        return err(
          appError('SECRET_UNREADABLE', 'The saved sign-in cannot be read on this account; sign in again.'),
        );
      }
    },
    remove(name) {
      const data = read();
      if (!(name in data)) return;
      const { [name]: _removed, ...rest } = data;
      write(rest);
    },
  };
}
