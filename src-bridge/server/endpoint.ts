import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { TOKEN_PATTERN, handshakeEndpoint } from '../protocol/handshake';

/**
 * The pipe name of installs from before protocol v2. A v2 install picks a random name instead
 * ({@link generatePipeName}); this one is only replaced, never listened on by default.
 */
export const LEGACY_PIPE_NAME = 'pipdesk';

/** A per-install pipe name: `pipdesk-` and 16 lowercase hex characters. */
export const PIPE_NAME_PATTERN = /^pipdesk-[0-9a-f]{16}$/;

/** The token file's path relative to MT5's common Files folder (the EA opens it with FILE_COMMON). */
export const TOKEN_FILE_IN_COMMON = join('Pipdesk', 'token.txt');

/** The pipe-name file's path relative to MT5's common Files folder, beside the token file. */
export const PIPE_FILE_IN_COMMON = join('Pipdesk', 'pipe.txt');

/** A fresh per-install pipe name, `pipdesk-<16 lowercase hex>` (64 random bits). */
export function generatePipeName(): string {
  return `pipdesk-${randomBytes(8).toString('hex')}`;
}

/** `\\.\pipe\<name>`: the Windows named-pipe path for a pipe name. */
export function pipePath(name: string): string {
  return `\\\\.\\pipe\\${name}`;
}

/**
 * The per-user data folder: `%APPDATA%\\Pipdesk` on Windows, `~/Library/Application Support/Pipdesk` on macOS,
 * `$XDG_CONFIG_HOME/Pipdesk` (or `~/.config/Pipdesk`) elsewhere: where Electron's `userData` points too.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Pipdesk');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Pipdesk');
  const config = env['XDG_CONFIG_HOME'];
  return join(config !== undefined && config !== '' ? config : join(home, '.config'), 'Pipdesk');
}

/**
 * MT5's common Files folder (`%APPDATA%\\MetaQuotes\\Terminal\\Common\\Files`), shared by every terminal of the
 * user; undefined off Windows or without APPDATA.
 */
export function mt5CommonFilesDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const appData = env['APPDATA'];
  if (platform !== 'win32' || appData === undefined) return undefined;
  return join(appData, 'MetaQuotes', 'Terminal', 'Common', 'Files');
}

/**
 * The folder holding `token.txt` and `pipe.txt` (and, off Windows, the socket). Windows: `Pipdesk` in MT5's
 * common Files folder, where the EA reads them. Elsewhere a per-user folder that {@link ensurePrivateDir} makes
 * 0700: `$XDG_RUNTIME_DIR/pipdesk` when set (a per-user tmpfs), else `run` in the data folder. Never the shared
 * temp folder, where another user could create the socket or read the token first.
 */
export function bridgeDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  dataDir: string = defaultDataDir(platform, env),
): string {
  if (platform === 'win32') {
    const common = mt5CommonFilesDir(env, platform);
    return common === undefined ? join(dataDir, 'run') : join(common, 'Pipdesk');
  }
  const runtime = env['XDG_RUNTIME_DIR'];
  return runtime !== undefined && runtime !== '' ? join(runtime, 'pipdesk') : join(dataDir, 'run');
}

/** The default token file, `token.txt` in {@link bridgeDir}. */
export function defaultTokenFile(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return join(bridgeDir(platform, env), 'token.txt');
}

/** `pipe.txt` beside a token file. */
export function pipeFileBeside(tokenFile: string): string {
  return join(dirname(tokenFile), 'pipe.txt');
}

/** The endpoint for a pipe name: `\\.\pipe\<name>` on Windows, `<bridge dir>/<name>.sock` elsewhere. */
export function endpointFor(name: string, platform: NodeJS.Platform, dir: string): string {
  return platform === 'win32' ? pipePath(name) : join(dir, `${name}.sock`);
}

/**
 * What `pipe.txt` holds for an endpoint, and what both handshake proofs cover: the pipe name on Windows, the
 * socket path elsewhere.
 */
export function pipeFileContent(path: string): string {
  return handshakeEndpoint(path);
}

/**
 * The endpoint a `--socket`/`--pipe` option names: on Windows a bare name is the pipe `\\.\pipe\<name>`;
 * anything else (and everything elsewhere) is used as given.
 */
export function endpointFromOption(value: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') return value;
  return value.includes('\\') || value.includes('/') ? value : pipePath(value);
}

/** The endpoint `pipe.txt` names: a pipe name becomes `\\.\pipe\<name>`; an absolute path stays as it is. */
export function endpointFromPipeFile(content: string): string {
  return content.startsWith('/') || /^[A-Za-z]:[\\/]/.test(content) || content.startsWith('\\\\')
    ? content
    : pipePath(content);
}

/**
 * Creates a folder only its owner may enter (0700) and tightens it if it exists with looser bits. POSIX only
 * (Windows folders inherit the user profile's ACL). Throws when the folder belongs to another user: a folder
 * planted by someone else must not hold our socket or token.
 */
export function ensurePrivateDir(path: string, platform: NodeJS.Platform = process.platform): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (platform === 'win32') return;
  const stat = statSync(path);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new Error(`${path} belongs to another user (uid ${stat.uid}); refusing to keep the bridge there`);
  }
  if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
}

/** A fresh pairing token: 32 random bytes as 64 lowercase hex characters. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** Writes a one-line file atomically (a reader never sees half of it), 0600, creating its folder. */
async function writeLineFile(path: string, line: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${line}\n`, { encoding: 'utf8', mode: 0o600 });
  await rename(temp, path);
}

/** Writes the token file atomically (a reader never sees half a token), 0600, creating its folder. */
export async function writeTokenFile(path: string, token: string): Promise<void> {
  await writeLineFile(path, token);
}

/** Writes `pipe.txt` (see {@link pipeFileContent}) atomically beside the token file. */
export async function writePipeFile(path: string, endpoint: string): Promise<void> {
  await writeLineFile(path, pipeFileContent(endpoint));
}

async function readFirstLine(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const first = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
    return first === '' ? undefined : first;
  } catch {
    return undefined;
  }
}

/**
 * Reads the token file's first line, trimmed; undefined when the file is missing, empty or not a token (64
 * lowercase hex), so a damaged file can never become an HMAC key.
 */
export async function readTokenFile(path: string): Promise<string | undefined> {
  const line = await readFirstLine(path);
  return line !== undefined && TOKEN_PATTERN.test(line) ? line : undefined;
}

/** Reads `pipe.txt` and returns the endpoint it names; undefined when it is missing or empty. */
export async function readPipeFile(path: string): Promise<string | undefined> {
  const line = await readFirstLine(path);
  return line === undefined ? undefined : endpointFromPipeFile(line);
}
