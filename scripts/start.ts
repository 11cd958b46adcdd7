// `npm start`: the desktop app. Runs Electron when its binary is installed; otherwise (a fresh Linux clone, CI,
// a server) it serves the same UI and IPC through the loopback web host and prints the URL to open.
// `npm start -- --demo` also starts the built-in MT5 simulator so everything can be tried without MT5.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build as viteBuild } from 'vite';
import { buildElectron } from './build-electron';
import { USAGE, parseLaunchOptions } from '../src-main/app/launch-options';
import { startDesktopApp, type DesktopApp } from '../src-main/app/desktop-app';
import { startInProcessSimulator } from '../src-main/app/demo';
import { startWebHost, type WebHost } from '../src-main/host/web-host';
import { dsnOrigin } from '../src-core/contracts/error-reporting';
import {
  reportingLogger,
  resolveErrorReporting,
  startMainErrorReporter,
  watchProcess,
} from '../src-main/services/error-reporting';
import { createFileLogger } from '../src-main/services/file-logger';

const ROOT = join(import.meta.dirname, '..');
const RENDERER_DIR = join(ROOT, 'dist', 'renderer');
const RENDERER_CONFIG = join(ROOT, 'src-renderer', 'vite.config.ts');

function version(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * The Electron binary, or why there is none. Read from the electron package's path.txt and dist/ rather than by
 * `require('electron')`: since Electron 42 that require downloads the binary when it is missing, and nothing here
 * may download binaries at run time.
 */
function findElectron(): { path: string } | { reason: string } {
  const missing = {
    reason:
      "Electron's binary is not installed here (the electron package fetches it only on request: npx install-electron)",
  };
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed (run npm install)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return missing;
  const path = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(path) ? { path } : missing;
}

function newestMtime(dir: string): number {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

/** Builds the renderer when it is missing (in-process, so it works the same on Windows); a failure is reported. */
async function ensureRenderer(): Promise<void> {
  if (existsSync(join(RENDERER_DIR, 'index.html'))) return;
  if (!existsSync(RENDERER_CONFIG)) {
    console.log('pipdesk: the renderer source is not there yet; the page will say so.');
    return;
  }
  console.log('pipdesk: building the interface (first run)…');
  try {
    await viteBuild({ configFile: RENDERER_CONFIG, root: join(ROOT, 'src-renderer'), logLevel: 'warn' });
  } catch (error) {
    console.log(
      `pipdesk: the interface did not build (${error instanceof Error ? error.message : String(error)}).`,
    );
    console.log('pipdesk: run `npm run build` to see why; the page explains meanwhile.');
  }
}

async function runElectron(electronPath: string, args: readonly string[]): Promise<void> {
  await ensureRenderer();
  const bundle = join(ROOT, 'dist-electron', 'main.cjs');
  if (newestMtime(bundle) < newestMtime(join(ROOT, 'src-main'))) await buildElectron();
  const child = spawn(electronPath, ['.', ...args], { cwd: ROOT, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
}

async function runWebHost(
  reason: string,
  options: Exclude<ReturnType<typeof parseLaunchOptions>, { ok: false }>['value'],
): Promise<void> {
  await ensureRenderer();
  const logger = createFileLogger({ file: join(options.dataDir, 'logs', 'main.log') });
  const reporting = resolveErrorReporting({
    env: process.env,
    dataDir: options.dataDir,
    version: version(),
    isPackaged: false,
  });
  if (!reporting.ok) {
    console.error(`pipdesk: ${reporting.error.message}`);
    process.exit(2);
  }
  const reporter = await startMainErrorReporter(reporting.value, logger);
  watchProcess(process, reportingLogger(logger, reporter));
  let app: DesktopApp;
  try {
    app = await startDesktopApp({
      logger: reportingLogger(logger, reporter),
      ...(reporting.value === undefined ? {} : { errorReporting: reporting.value }),
      dataDir: options.dataDir,
      version: version(),
      shell: 'web',
      eaSourceDir: join(ROOT, 'src-bridge', 'mql5'),
      ...(options.pipePath === undefined ? {} : { pipePath: options.pipePath }),
      ...(options.tokenFile === undefined ? {} : { tokenFile: options.tokenFile }),
      ...(options.cloudUrl === undefined ? {} : { cloudUrl: options.cloudUrl }),
      startSimulator: startInProcessSimulator,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      console.error(
        'pipdesk: another Pipdesk is already running (its pipe is busy). Use that one, or stop it first.',
      );
    } else {
      console.error(`pipdesk: could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  }
  let host: WebHost;
  try {
    host = await startWebHost({
      dispatcher: app.dispatcher,
      events: app.events,
      logger: app.logger,
      staticDir: RENDERER_DIR,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(reporting.value === undefined ? {} : { connectSources: [dsnOrigin(reporting.value.dsn)] }),
    });
  } catch (error) {
    await app.close();
    console.error(
      `pipdesk: the web host could not listen: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }

  let isClosing = false;
  const shutdown = async (): Promise<void> => {
    if (isClosing) return;
    isClosing = true;
    console.log('\npipdesk: stopping (flushing the journal)…');
    await host.close();
    await app.close();
    await reporter.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  console.log(`pipdesk: ${reason}, so the interface is served by the web host instead.`);
  console.log(`pipdesk: open ${host.url}`);
  console.log('pipdesk: (the address carries a one-time access token; it changes at every start)');
  console.log(`pipdesk: MT5 EA pipe: ${app.pipePath}   data: ${options.dataDir}   log: ${app.logFile}`);
  console.log(
    `pipdesk: pairing token file: ${app.tokenFile}   pipe file: ${app.pipeFile}   (the EA reads both)`,
  );
  if (options.isDemo) {
    const r = await app.demo.start({ marginMode: 'hedging', balance: 10_000, currency: 'USD' });
    console.log(
      r.ok
        ? 'pipdesk: demo mode: a simulated MT5 account (10,000 USD, hedging) is connected. No real money moves.'
        : `pipdesk: demo mode did not start: ${r.error.message}`,
    );
  } else {
    console.log('pipdesk: no EA yet? Run `npm start -- --demo` or press "Start demo" in the app.');
  }
  console.log('pipdesk: Ctrl+C to stop.');
}

async function main(): Promise<void> {
  const parsed = parseLaunchOptions(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    console.error(parsed.error.message);
    process.exit(2);
  }
  const options = parsed.value;
  if (options.isHelp) {
    console.log(USAGE);
    return;
  }
  const electron = options.isWebOnly ? { reason: 'the web host was asked for (--web)' } : findElectron();
  if ('path' in electron) {
    await runElectron(electron.path, process.argv.slice(2));
    return;
  }
  await runWebHost(electron.reason, options);
}

await main();
