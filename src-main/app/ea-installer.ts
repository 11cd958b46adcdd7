import { copyFile, mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { appError, err, ok, type Result } from '../../src-core/result';
import type { EaInstallResult, Mt5Scan, Mt5Terminal } from '../../src-core/contracts/ipc';
import type { InstallerPort } from '../ipc/ports';
import type { Logger } from '../../src-core/logger';

/** Options of {@link createEaInstaller}. */
export interface EaInstallerOptions {
  /** The EA sources: `src-bridge/mql5` in a checkout, `<resources>/mql5` in the installed app. */
  readonly eaSourceDir: string;
  /** `%APPDATA%` (Roaming); MT5 keeps its data folders under `MetaQuotes\Terminal` there. */
  readonly appDataDir: string | undefined;
  /** MT5 runs on Windows only; elsewhere the installer explains instead of searching. */
  readonly platform: NodeJS.Platform;
  /** The pipe name the app listens on, named in the steps so the trader can recognise it in the EA's log. */
  readonly pipeName: () => string;
  readonly logger: Logger;
}

/** A terminal data folder is named by a 32-hex-digit hash of its installation path. */
const DATA_FOLDER = /^[0-9A-F]{32}$/i;
const EA_FILE = 'PipdeskBridge.mq5';

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** origin.txt holds the installation folder, usually in UTF-16LE with a BOM. */
async function readOrigin(dataPath: string): Promise<string | null> {
  try {
    const raw = await readFile(join(dataPath, 'origin.txt'));
    const isUtf16 = raw.length >= 2 && raw[0] === 0xff && raw[1] === 0xfe;
    const text = isUtf16 ? raw.subarray(2).toString('utf16le') : raw.toString('utf8');
    const line = text.replace(/^\uFEFF/, '').trim();
    return line === '' ? null : line.slice(0, 300);
  } catch {
    return null;
  }
}

/**
 * Every file of the EA, as paths relative to the source folder, skipping what is not MQL5 (tests). An installed
 * app also ships PipdeskBridge.ex5, compiled by MetaEditor in CI (docs/mql5-ci.md): copied too, so MT5 lists the
 * EA without compiling it.
 */
async function eaFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await eaFiles(full, base)));
    else if (/\.(mq5|mqh|ex5)$/i.test(entry.name)) out.push(relative(base, full));
  }
  return out.sort();
}

/**
 * Where each source file goes inside `<data>\MQL5`: the Expert Advisor into `Experts\Pipdesk`, its includes
 * (`Include\Pipdesk\*.mqh`, referenced as `<Pipdesk/…>`) into `Include` as they are.
 */
function targetOf(file: string): string {
  return file.includes('/') || file.includes('\\') ? file : join('Experts', 'Pipdesk', file);
}

/**
 * The EA installer: finds MT5 data folders of the current user and copies the EA into one of them. It only
 * writes into a folder it found itself, so the renderer cannot make it write anywhere else.
 */
export function createEaInstaller(options: EaInstallerOptions): InstallerPort {
  const terminalsRoot =
    options.appDataDir === undefined ? null : join(options.appDataDir, 'MetaQuotes', 'Terminal');

  async function find(): Promise<Mt5Scan> {
    const searchedPath = terminalsRoot ?? '%APPDATA%\\MetaQuotes\\Terminal';
    if (options.platform !== 'win32' || terminalsRoot === null) {
      return { isSupported: false, searchedPath, terminals: [] };
    }
    const terminals: Mt5Terminal[] = [];
    let names: string[];
    try {
      names = await readdir(terminalsRoot);
    } catch {
      return { isSupported: true, searchedPath, terminals };
    }
    for (const name of names.sort()) {
      const dataPath = join(terminalsRoot, name);
      if (!DATA_FOLDER.test(name) || !(await isDir(join(dataPath, 'MQL5')))) continue;
      const experts = join(dataPath, 'MQL5', 'Experts', 'Pipdesk');
      terminals.push({
        dataPath,
        label: (await readOrigin(dataPath)) ?? name,
        isEaInstalled:
          (await exists(join(experts, EA_FILE))) ||
          (await exists(join(experts, EA_FILE.replace(/\.mq5$/, '.ex5')))),
      });
    }
    return { isSupported: true, searchedPath, terminals };
  }

  async function install(dataPath: string): Promise<Result<EaInstallResult>> {
    const scan = await find();
    if (!scan.isSupported) {
      return err(
        appError('EA_INSTALL_FAILED', 'MetaTrader 5 runs on Windows; there is nothing to install into here.'),
      );
    }
    const target = scan.terminals.find((t) => resolve(t.dataPath) === resolve(dataPath));
    if (target === undefined) {
      return err(
        appError(
          'EA_INSTALL_FAILED',
          'That folder is not an MT5 data folder Pipdesk found. Search again and pick one from the list.',
        ),
      );
    }
    try {
      const files = await eaFiles(options.eaSourceDir);
      if (!files.includes(EA_FILE)) {
        return err(
          appError(
            'EA_INSTALL_FAILED',
            `The EA files are missing from ${options.eaSourceDir}; reinstall Pipdesk.`,
          ),
        );
      }
      const installedFiles: string[] = [];
      for (const file of files) {
        const to = join(target.dataPath, 'MQL5', targetOf(file));
        await mkdir(join(to, '..'), { recursive: true });
        await copyFile(join(options.eaSourceDir, file), to);
        installedFiles.push(to);
      }
      options.logger.info('installer: EA copied', {
        dataPath: target.dataPath,
        files: installedFiles.length,
      });
      const pipe = options.pipeName();
      const nextSteps = [
        `In MetaTrader 5 (${target.label}), open the Navigator (Ctrl+N), right-click "Expert Advisors" and choose Refresh. If PipdeskBridge does not appear under Pipdesk, open it in MetaEditor (F4) and press Compile (F7).`,
        'Drag PipdeskBridge onto any chart (one chart is enough for every symbol).',
        'In the dialog, tick "Allow Algo Trading" and press OK; make sure the "Algo Trading" button in the toolbar is on (green).',
        // The EA reads the pipe name and the token from pipe.txt and token.txt (docs/bridge-protocol.md §3), so
        // a typed name could only go stale when the name changes; the input is for running the bridge by hand.
        `Leave the EA input "Pipe name" empty: the EA reads the pipe name (${pipe}) and the pairing token that Pipdesk wrote to MT5's common Files folder. Pipdesk shows "EA connected" in the status bar within a few seconds.`,
      ];
      return ok({ installedFiles, nextSteps });
    } catch (error) {
      options.logger.error('installer: copy failed', { error });
      const message = error instanceof Error ? error.message : String(error);
      return err(
        appError('EA_INSTALL_FAILED', `Copying the EA failed: ${message}. Is MT5's folder writable?`),
      );
    }
  }

  return { find, install };
}
