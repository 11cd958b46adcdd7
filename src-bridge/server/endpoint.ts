import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The default pipe name on Windows (`\\.\pipe\pipdesk`), and the EA's default `InpPipeName`. */
export const DEFAULT_PIPE_NAME = 'pipdesk';

/** The token file's path relative to MT5's common Files folder (the EA opens it with FILE_COMMON). */
export const TOKEN_FILE_IN_COMMON = join('Pipdesk', 'token.txt');

/** `\\.\pipe\<name>`: the Windows named-pipe path for a pipe name. */
export function pipePath(name: string): string {
  return `\\\\.\\pipe\\${name}`;
}

/**
 * Where the bridge listens by default: the named pipe on Windows, a Unix socket in the temp folder elsewhere.
 * Never a TCP port.
 */
export function defaultEndpoint(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? pipePath(DEFAULT_PIPE_NAME) : join(tmpdir(), 'pipdesk.sock');
}

/**
 * MT5's common Files folder (`%APPDATA%\MetaQuotes\Terminal\Common\Files`), shared by every terminal of the
 * user; undefined off Windows or without APPDATA.
 */
export function mt5CommonFilesDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const appData = env['APPDATA'];
  if (process.platform !== 'win32' || appData === undefined) return undefined;
  return join(appData, 'MetaQuotes', 'Terminal', 'Common', 'Files');
}

/** The default token file: in MT5's common Files folder on Windows, in the temp folder elsewhere. */
export function defaultTokenFile(): string {
  const common = mt5CommonFilesDir();
  return common === undefined ? join(tmpdir(), 'pipdesk-token.txt') : join(common, TOKEN_FILE_IN_COMMON);
}

/** A fresh pairing token: 32 random bytes as 64 lowercase hex characters. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** Writes the token file atomically (a reader never sees half a token), creating its folder. */
export async function writeTokenFile(path: string, token: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${token}\n`, { encoding: 'ascii', mode: 0o600 });
  await rename(temp, path);
}

/** Reads the token file's first line, trimmed; undefined when the file does not exist or is empty. */
export async function readTokenFile(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const first = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
    return first === '' ? undefined : first;
  } catch {
    return undefined;
  }
}

/** Compares two tokens in constant time (for equal lengths). */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length || b.length === 0) return false;
  return timingSafeEqual(a, b);
}
