import { BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import type { Logger } from '../../src-core/logger';
import { APP_ENTRY, isAllowedExternal, isAppUrl } from './policy';

/** Origins whose links open in the system browser (the cloud portal, once configured). */
export const EXTERNAL_ORIGINS: string[] = [];

/**
 * Locks down a renderer: no navigation away from the app, no new windows (allow-listed https links go to the
 * system browser), no <webview>, and every permission (camera, notifications, …) refused.
 */
export function hardenContents(contents: WebContents, logger: Logger): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      logger.warn('electron: navigation blocked', { url: url.slice(0, 200) });
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url, EXTERNAL_ORIGINS)) void shell.openExternal(url);
    else logger.warn('electron: window.open blocked', { url: url.slice(0, 200) });
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
}

/** Refuses every permission request and check for the default session. */
export function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  session.defaultSession.setPermissionCheckHandler(() => false);
}

/** The main window with Electron's secure defaults spelled out (so a default change cannot weaken them). */
export function createMainWindow(preloadDir: string, logger: Logger): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f1419',
    title: 'Pipdesk',
    webPreferences: {
      preload: join(preloadDir, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  hardenContents(win.webContents, logger);
  win.once('ready-to-show', () => {
    win.show();
  });
  win.webContents.on('render-process-gone', (_e, details) => {
    logger.error('electron: renderer gone', { reason: details.reason, exitCode: details.exitCode });
  });
  void win.loadURL(APP_ENTRY);
  return win;
}
