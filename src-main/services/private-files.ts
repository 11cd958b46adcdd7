import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { ensurePrivateDir } from '../../src-bridge/server/endpoint';

/**
 * Keeping the data folder to its owner off Windows (docs/security.md, other users): the folder is 0700, the
 * journal database (with its `-wal`/`-shm`) and the logs 0600. They hold the trader's orders, account numbers and
 * cloud identifiers, and on a shared Linux or macOS machine the default umask (022) would let every user read them.
 *
 * Explicit modes and a chmod after creation rather than `process.umask(0o077)`: the umask is process-wide state
 * (Electron, libraries and tests share the process), and a chmod also repairs files an older version created
 * with looser modes. On Windows these calls only create the folder or file: NTFS ACLs of the user's profile
 * already keep other users out, and Node's chmod there toggles nothing but the read-only flag.
 */
const isPosix = (platform: NodeJS.Platform): boolean => platform !== 'win32';

/** Creates a folder 0700 off Windows, refusing one another user owns (the bridge folder's rule, reused). */
export { ensurePrivateDir };

/** Creates `file` empty if it is missing (mode 0600 from the start) and makes it 0600 off Windows. */
export function ensurePrivateFile(file: string, platform: NodeJS.Platform = process.platform): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  if (isPosix(platform)) chmodSync(file, 0o600);
}

/** Makes each existing file 0600 off Windows (files another component created, e.g. SQLite's `-wal`). */
export function restrictExisting(
  files: readonly string[],
  platform: NodeJS.Platform = process.platform,
): void {
  if (!isPosix(platform)) return;
  for (const file of files) {
    try {
      chmodSync(file, 0o600);
    } catch {
      // Not there (yet): SQLite creates it with the database file's mode, which is already 0600.
    }
  }
}
