import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { appError, err, ok, type Result } from '../../src-core/result';

/** How Pipdesk was asked to start (`npm start -- …`, the Electron command line, or the environment). */
export const LaunchOptions = z.object({
  /** Per-user folder for the database, logs and the bridge token. */
  dataDir: z.string().min(1),
  /** Start the built-in MT5 simulator (demo mode) at once. */
  isDemo: z.boolean(),
  /** Web host port; absent picks a free one. */
  port: z.number().int().min(1).max(65_535).optional(),
  /** Pipe or socket path the bridge listens on; absent derives it from the settings' pipe name. */
  pipePath: z.string().min(1).optional(),
  /** Where the EA reads the pairing token; absent uses MT5's common Files folder (Windows) or the temp folder. */
  tokenFile: z.string().min(1).optional(),
  /** The cloud's base URL (http or https); absent uses `PIPDESK_CLOUD_URL` or http://127.0.0.1:8080. */
  cloudUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Serve the UI through the web host even where Electron is available. */
  isWebOnly: z.boolean(),
  /** Print usage and exit. */
  isHelp: z.boolean(),
});
export type LaunchOptions = z.infer<typeof LaunchOptions>;

/** Command-line usage, printed by `--help`. */
export const USAGE = `Usage: npm start -- [options]

  --demo              start the built-in MT5 simulator (trade with play money, no MT5 needed)
  --data-dir <dir>    where the journal, settings and logs live (env PIPDESK_DATA_DIR)
  --port <n>          web host port on 127.0.0.1 (env PIPDESK_PORT; default: a free port)
  --socket <path>     pipe name or socket path for the EA (env PIPDESK_SOCKET; --pipe and PIPDESK_PIPE too)
  --token-file <path> pairing token file the EA reads (env PIPDESK_TOKEN_FILE)
  --cloud-url <url>   the Pipdesk cloud to sync with (env PIPDESK_CLOUD_URL; default http://127.0.0.1:8080)
  --web               use the web host even if Electron is installed
  --help              this text`;

/**
 * The per-user data folder: `%APPDATA%\\Pipdesk` on Windows, `~/Library/Application Support/Pipdesk` on macOS,
 * `$XDG_CONFIG_HOME/Pipdesk` (or `~/.config/Pipdesk`) elsewhere: where Electron's `userData` points too.
 */
export function defaultDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home = homedir()): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Pipdesk');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Pipdesk');
  const config = env['XDG_CONFIG_HOME'];
  return join(config !== undefined && config !== '' ? config : join(home, '.config'), 'Pipdesk');
}

/**
 * Reads the command line and environment. Unknown flags and bad values are refused with a message rather than
 * ignored, so a typo never starts the app with settings the user did not mean.
 */
export function parseLaunchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  mode: { readonly isLenient?: boolean } = {},
): Result<LaunchOptions> {
  // Electron's command line also carries Chromium switches and the app path: there only our flags are read.
  const isLenient = mode.isLenient === true;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: !isLenient,
      allowPositionals: isLenient,
      options: {
        demo: { type: 'boolean' },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        socket: { type: 'string' },
        pipe: { type: 'string' },
        'token-file': { type: 'string' },
        'cloud-url': { type: 'string' },
        web: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return err(
      appError('BAD_OPTIONS', `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`),
    );
  }
  const str = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[envName];
    return e === undefined || e === '' ? undefined : e;
  };
  // `--socket` is the name `npm run bridge` and the simulator use; `--pipe` stays as an alias. Two different
  // values would leave it unclear which endpoint the EA must reach, so they are refused.
  const socketFlag = str('socket', 'PIPDESK_SOCKET');
  const pipeFlag = str('pipe', 'PIPDESK_PIPE');
  if (socketFlag !== undefined && pipeFlag !== undefined && socketFlag !== pipeFlag) {
    return err(
      appError(
        'BAD_OPTIONS',
        `--socket ${JSON.stringify(socketFlag)} and --pipe ${JSON.stringify(pipeFlag)} disagree: give one of them.`,
      ),
    );
  }
  const portText = str('port', 'PIPDESK_PORT');
  if (portText !== undefined && !/^\d+$/.test(portText)) {
    return err(
      appError('BAD_OPTIONS', `--port must be a number from 1 to 65535, not ${JSON.stringify(portText)}.`),
    );
  }
  const candidate = {
    dataDir: str('data-dir', 'PIPDESK_DATA_DIR') ?? defaultDataDir(platform, env),
    isDemo: values['demo'] === true || env['PIPDESK_DEMO'] === '1',
    port: portText === undefined ? undefined : Number(portText),
    pipePath: socketFlag ?? pipeFlag,
    tokenFile: str('token-file', 'PIPDESK_TOKEN_FILE'),
    cloudUrl: str('cloud-url', 'PIPDESK_CLOUD_URL'),
    isWebOnly: values['web'] === true,
    isHelp: values['help'] === true,
  };
  const parsed = LaunchOptions.safeParse(
    Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return err(
      appError('BAD_OPTIONS', `Invalid option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`),
    );
  }
  return ok(parsed.data);
}
