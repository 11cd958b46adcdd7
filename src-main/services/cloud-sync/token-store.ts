import { rmSync } from 'node:fs';
import { z } from 'zod';
import { appError, err, ok, type Result } from '../../../src-core/result';
import { readJsonFile, writeJsonFileAtomic } from '../json-file';

/** The token file: name → secret. Entries that are not strings are ignored rather than failing the whole file. */
const TokenFile = z
  .record(z.string(), z.unknown())
  .transform((value) =>
    Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')),
  );

/**
 * Where the cloud refresh token is kept between runs. The shape is that of the Electron shell's safeStorage
 * store (src-main/electron/secret-store.ts), so the shell passes its store in as is; the web host uses
 * {@link createFileTokenStore}. Only the refresh token is stored: the access token lives in memory.
 */
export interface TokenStore {
  isAvailable(): boolean;
  save(name: string, secret: string): Result<void>;
  /** `ok(null)` when absent; an error when it cannot be read (then the user signs in again). */
  load(name: string): Result<string | null>;
  remove(name: string): void;
  /** Words for the settings screen, e.g. "in a file readable only by you". */
  readonly description?: string;
}

/**
 * The web host's store: a JSON file created with mode 0600 (readable and writable by the user only), written
 * atomically. Not encrypted: anyone who can read the user's files can read it, which the settings screen says.
 */
export function createFileTokenStore(file: string): TokenStore {
  const read = (): Record<string, string> => readJsonFile(file, TokenFile) ?? {};
  const write = (data: Record<string, string>): void => {
    writeJsonFileAtomic(file, data);
  };
  return {
    description: `in ${file}, a file readable only by your user account (not encrypted)`,
    isAvailable: () => true,
    save(name, secret) {
      if (!/^[a-z0-9_.-]{1,64}$/.test(name)) return err(appError('SECRET_UNAVAILABLE', 'Bad secret name.'));
      write({ ...read(), [name]: secret });
      return ok(undefined);
    },
    load(name) {
      return ok(read()[name] ?? null);
    },
    remove(name) {
      const data = read();
      if (!(name in data)) return;
      const { [name]: _gone, ...rest } = data;
      if (Object.keys(rest).length === 0) rmSync(file, { force: true });
      else write(rest);
    },
  };
}

/** Keeps nothing across runs (a system without a keyring): the user signs in again after a restart. */
export function createMemoryTokenStore(): TokenStore {
  const data = new Map<string, string>();
  return {
    description: 'in memory only: you will sign in again after a restart',
    isAvailable: () => true,
    save(name, secret) {
      data.set(name, secret);
      return ok(undefined);
    },
    load(name) {
      return ok(data.get(name) ?? null);
    },
    remove(name) {
      data.delete(name);
    },
  };
}
