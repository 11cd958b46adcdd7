import { app, dialog, ipcMain, safeStorage, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { appError } from '../../src-core/result';
import { IPC_CHANNELS, type IpcEvent, type IpcEventPayload } from '../../src-core/contracts/ipc';
import { startDesktopApp, type DesktopApp } from '../app/desktop-app';
import { startInProcessSimulator } from '../app/demo';
import { parseLaunchOptions } from '../app/launch-options';
import { type Logger } from '../../src-core/logger';
import { dsnOrigin } from '../../src-core/contracts/error-reporting';
import {
  reportingLogger,
  reportingOff,
  resolveErrorReporting,
  startMainErrorReporter,
  watchProcess,
  type MainErrorReporter,
} from '../services/error-reporting';
import { createFileLogger } from '../services/file-logger';
import { installMenu } from './menu';
import { APP_ORIGIN, isAppUrl } from './policy';
import { registerRendererScheme, serveRenderer } from './renderer-protocol';
import { createMemoryTokenStore } from '../services/cloud-sync/token-store';
import { createSecretStore, type SecretStore } from './secret-store';
import { showOsNotification } from './notifications';
import { saveReportWithDialog } from './save-report';
import { startUpdates } from './updates';
import { createMainWindow, denyPermissions } from './window';

/** Must not change after the first release: Windows ties notifications and the NSIS install to it. */
export const APP_ID = 'com.pipdesk.desktop';

let desktop: DesktopApp | null = null;
let mainWindow: BrowserWindow | null = null;
let isQuitting = false;
let secrets: SecretStore | null = null;
let reporter: MainErrorReporter = reportingOff;

/** The encrypted store for cloud tokens (cloud sign-in, docs/cloud-sync.md); null until Electron is ready. */
export function secretStore(): SecretStore | null {
  return secrets;
}

/**
 * Whether an IPC call comes from our own window's top frame on the app origin: a frame that navigated elsewhere,
 * an iframe, or another window gets nothing.
 */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return (
    mainWindow !== null &&
    event.sender === mainWindow.webContents &&
    frame !== null &&
    frame.parent === null &&
    isAppUrl(frame.url)
  );
}

function wireIpc(app: DesktopApp, logger: Logger): void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, async (event, request: unknown) => {
      if (!isTrustedSender(event)) {
        logger.warn('electron: IPC from an untrusted sender refused', {
          channel,
          url: event.senderFrame?.url,
        });
        return { ok: false, error: appError('UNAUTHORIZED', 'This window may not call Pipdesk.') };
      }
      return app.dispatcher.invoke(channel, request, { via: 'electron' });
    });
  }
  app.events.listen(<E extends IpcEvent>(event: E, payload: IpcEventPayload<E>) => {
    const contents = mainWindow?.webContents;
    if (contents !== undefined && !contents.isDestroyed() && isAppUrl(contents.getURL())) {
      contents.send(event, payload);
    }
  });
}

function focusWindow(): void {
  if (mainWindow === null) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

async function start(): Promise<void> {
  // Electron passes its own and Chromium's switches too; only ours are read, the rest ignored.
  const launch = parseLaunchOptions(
    process.argv.slice(app.isPackaged ? 1 : 2),
    process.env,
    process.platform,
    {
      isLenient: true,
    },
  );
  const dataDir = launch.ok ? launch.value.dataDir : app.getPath('userData');
  app.setPath('userData', dataDir);
  const logsDir = join(dataDir, 'logs');
  const fileLogger = createFileLogger({ file: join(logsDir, 'main.log') });
  const reporting = resolveErrorReporting({
    env: process.env,
    dataDir,
    version: app.getVersion(),
    isPackaged: app.isPackaged,
  });
  if (!reporting.ok)
    fileLogger.warn('electron: error reports stay off', { message: reporting.error.message });
  reporter = await startMainErrorReporter(reporting.ok ? reporting.value : undefined, fileLogger);
  // Every error main logs (services included) is also reported when reports are on.
  const logger = reportingLogger(fileLogger, reporter);
  if (!launch.ok)
    logger.warn('electron: bad command line, using defaults', { message: launch.error.message });
  watchProcess(process, logger);

  await app.whenReady();
  app.setAppUserModelId(APP_ID);
  denyPermissions();
  const root = app.getAppPath();
  const reportTo = reporter.config === undefined ? [] : [dsnOrigin(reporter.config.dsn)];
  serveRenderer(join(root, 'dist', 'renderer'), reportTo);
  installMenu({ logsDir, isDev: !app.isPackaged });
  secrets = createSecretStore(join(dataDir, 'secrets.json'), safeStorage);

  desktop = await startDesktopApp({
    dataDir,
    version: app.getVersion(),
    shell: 'electron',
    eaSourceDir: app.isPackaged ? join(process.resourcesPath, 'mql5') : join(root, 'src-bridge', 'mql5'),
    ...(launch.ok && launch.value.pipePath !== undefined ? { pipePath: launch.value.pipePath } : {}),
    ...(launch.ok && launch.value.tokenFile !== undefined ? { tokenFile: launch.value.tokenFile } : {}),
    ...(launch.ok && launch.value.cloudUrl !== undefined ? { cloudUrl: launch.value.cloudUrl } : {}),
    // Without a keyring (Linux basic_text) safeStorage is no secret store: keep the sign-in in memory only.
    tokens: secrets.isAvailable()
      ? { ...secrets, description: 'encrypted by the system (Electron safeStorage)' }
      : createMemoryTokenStore(),
    startSimulator: startInProcessSimulator,
    logger,
    ...(reporter.config === undefined ? {} : { errorReporting: reporter.config }),
    // Replay files (docs/replay.md): main copies the picked file into the data folder's replays/ folder.
    chooseReplayFile: async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Open a replay file',
        properties: ['openFile'],
        filters: [{ name: 'MT5 exports and Pipdesk CSV', extensions: ['csv', 'txt'] }],
      };
      const picked = await (mainWindow === null
        ? dialog.showOpenDialog(options)
        : dialog.showOpenDialog(mainWindow, options));
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    },
    showNotification: (notice) =>
      showOsNotification(notice, () => {
        mainWindow?.show();
        mainWindow?.focus();
      }),
    saveReportFile: (file) => saveReportWithDialog(mainWindow, file),
  });
  wireIpc(desktop, logger);
  mainWindow = createMainWindow(__dirname, logger);
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  logger.info('electron: started', { origin: APP_ORIGIN, dataDir, version: app.getVersion() });
  startUpdates(logger);
  if (launch.ok && launch.value.isDemo) {
    const r = await desktop.demo.start({ marginMode: 'hedging', balance: 10_000, currency: 'USD' });
    if (!r.ok) logger.error('electron: demo did not start', { message: r.error.message });
  }
}

if (!app.requestSingleInstanceLock()) {
  // Another Pipdesk owns the pipe and the database; it gets focused through 'second-instance'.
  app.quit();
} else {
  registerRendererScheme();
  app.on('second-instance', focusWindow);
  app.on('window-all-closed', () => {
    app.quit();
  });
  // Closing flushes the journal and stops the bridge before the process ends; quit resumes once it is done.
  app.on('before-quit', (event) => {
    if (isQuitting || desktop === null) return;
    event.preventDefault();
    isQuitting = true;
    const closing = desktop;
    desktop = null;
    void closing
      .close()
      .finally(() => reporter.close())
      .finally(() => {
        app.quit();
      });
  });
  start().catch((error: unknown) => {
    process.stderr.write(
      `Pipdesk failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    reporter.capture(error, { message: 'electron: start failed' });
    void reporter.close().finally(() => {
      app.exit(1);
    });
  });
}
