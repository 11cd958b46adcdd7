import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SettingsPatch } from '../../src-core/contracts/ipc';
import { startSimulator, type SimulatorHandle } from '../../src-bridge/simulator/simulator';
import { alwaysOpen } from '../../src-bridge/simulator/trade-server';
import { startInProcessSimulator } from '../../src-main/app/demo';
import { startDesktopApp, type DesktopApp } from '../../src-main/app/desktop-app';
import { startWebHost, type WebHost } from '../../src-main/host/web-host';
import { silentLogger } from '../../src-main/services/logger';
import { launchChromium } from '../chromium';

const ROOT = join(import.meta.dirname, '..', '..');
const RENDERER_DIR = join(ROOT, 'dist', 'renderer');
export const SCREENSHOT_DIR = join(ROOT, 'e2e', 'screenshots');

/**
 * The desktop app as a user meets it through the web host: the real main side (bridge server, executor, journal,
 * settings) on a temporary data folder, the MT5 simulator connected over the real socket exactly as the EA would
 * be, and Chromium on the built renderer. Only MT5 is simulated.
 */
export interface DesktopHarness {
  readonly app: DesktopApp;
  readonly host: WebHost;
  readonly sim: SimulatorHandle;
  readonly browser: Browser;
  readonly page: Page;
  /** Changes settings as the user would in the settings screen (used to set the scene, e.g. one-click on). */
  settings(patch: SettingsPatch): Promise<void>;
  /** Saves a screenshot to e2e/screenshots/<name>.png. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly marginMode?: 'hedging' | 'netting';
  /** Random-walk period of the simulator's feed; 0 keeps prices still (tests that need exact prices). */
  readonly tickMs?: number;
  readonly watchlist?: readonly string[];
  readonly isOneClickEnabled?: boolean;
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Whether the simulated EA reconnects by itself after a drop (default true). */
  readonly reconnect?: boolean;
}

export async function startDesktop(options: HarnessOptions = {}): Promise<DesktopHarness> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error('dist/renderer is not built: run `npm run build` before the desktop e2e tests.');
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'pipdesk-e2e-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const app = await startDesktopApp({
      dataDir,
      version: '0.0.0-e2e',
      shell: 'web',
      eaSourceDir: join(ROOT, 'src-bridge', 'mql5'),
      pipePath: join(dataDir, 'pipe.sock'),
      tokenFile: join(dataDir, 'token.txt'),
      startSimulator: startInProcessSimulator,
      logger: silentLogger,
    });
    cleanups.push(() => app.close());
    const settle = async (patch: SettingsPatch): Promise<void> => {
      const answer = await app.dispatcher.invoke('settings:set', { patch }, { via: 'e2e' });
      if (!answer.ok) throw new Error(`settings:set: ${answer.error.message}`);
    };
    await settle({
      isOneClickEnabled: options.isOneClickEnabled ?? true,
      theme: 'dark',
      ...(options.watchlist === undefined ? {} : { watchlist: [...options.watchlist] }),
    });
    const sim = startSimulator({
      path: app.pipePath,
      tokenFile: app.tokenFile,
      account: { marginMode: options.marginMode ?? 'hedging', server: 'Pipdesk-E2E' },
      seed: 11,
      tickMs: options.tickMs ?? 200,
      schedule: alwaysOpen,
      reconnect: options.reconnect === false ? false : { minMs: 100, maxMs: 500 },
      refusedRetryMs: 200,
    });
    cleanups.push(() => sim.stop());
    await sim.waitForSession(10_000);
    const host = await startWebHost({
      dispatcher: app.dispatcher,
      events: app.events,
      logger: silentLogger,
      staticDir: RENDERER_DIR,
    });
    cleanups.push(() => host.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      colorScheme: 'dark',
    });
    const page = await context.newPage();
    await page.goto(host.url);
    // The simulator announces itself as one, so the app shows demo mode; a real EA would show "connected".
    await page
      .locator('[data-testid="bridge-state"]:is([data-state="connected"], [data-state="demo"])')
      .waitFor();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    return {
      app,
      host,
      sim,
      browser,
      page,
      settings: settle,
      screenshot: async (name) => {
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
