import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SettingsPatch } from '../../src-core/contracts/ipc';
import type { SimulatorHandle } from '../../src-bridge/simulator/simulator';
import type { DesktopApp } from '../../src-main/app/desktop-app';
import type { WebHost } from '../../src-main/host/web-host';
import { launchChromium } from '../chromium';
import { DOCS_SCREENSHOT_DIR, SCREENSHOT_DIR } from '../screenshot-dirs';
import { startDesktopFixture } from '../fixtures/desktop';
import type { ErrorReporting } from '../../src-core/contracts/error-reporting';

export { DOCS_SCREENSHOT_DIR, SCREENSHOT_DIR };

/**
 * The desktop app as a user meets it through the web host: the desktop fixture (the real main side on a temporary
 * data folder, the MT5 simulator on the real socket, the web host) plus Chromium on the built renderer, with the
 * settings the specs start from. Only MT5 is simulated.
 */
export interface DesktopHarness {
  readonly app: DesktopApp;
  readonly host: WebHost;
  readonly sim: SimulatorHandle;
  readonly browser: Browser;
  readonly page: Page;
  /** Changes settings as the user would in the settings screen (used to set the scene, e.g. one-click on). */
  settings(patch: SettingsPatch): Promise<void>;
  /**
   * Saves a screenshot to e2e/screenshots/<name>.png, or with `isForDocs` to e2e/screenshots/docs/<name>.png, a
   * picture the docs show under that name (`npm run screenshots:docs` copies it to docs/screenshots).
   */
  screenshot(name: string, options?: { readonly isForDocs?: boolean }): Promise<void>;
  /**
   * Quits and restarts the app's main side on the same data folder (the simulated terminal stays up and
   * reconnects), then reloads the page from the new web host and waits for the link, as reopening Pipdesk does.
   */
  restartApp(): Promise<void>;
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
  /** The cloud the app's cloud sync talks to (e2e/desktop/cloud.test.ts). */
  readonly cloudUrl?: string;
  /** The simulated trade server's clock minus UTC, seconds (a UTC+3 broker: 10800). */
  readonly timeOffsetSec?: number;
  /** The browser's time zone (IANA), e.g. America/New_York; default the machine's. */
  readonly timezoneId?: string;
  /** Error reports on, to this DSN (e2e/desktop/error-reports.test.ts). */
  readonly errorReporting?: ErrorReporting;
  /** The simulated EA's version string; one not starting with `sim` makes the app take it for a real EA. */
  readonly eaVersion?: string;
  /**
   * A browser the spec already has (one per file, shared by its blocks): the harness opens its own context in it
   * and leaves the browser open. Without it the harness launches one and closes it.
   */
  readonly browser?: Browser;
}

/**
 * How long one Playwright step (a click, a wait for an element) may take before it fails naming its locator:
 * under a load of 20-30 on two cores a step that comes takes a few seconds; 20 s is well short of a test's
 * budget, so a step that never comes fails on its own line, not as the test's time-out.
 */
export const STEP_TIMEOUT_MS = 20_000;

export async function startDesktop(options: HarnessOptions = {}): Promise<DesktopHarness> {
  const fixture = await startDesktopFixture({
    requireRenderer: true,
    ...(options.cloudUrl === undefined ? {} : { cloudUrl: options.cloudUrl }),
    ...(options.errorReporting === undefined ? {} : { errorReporting: options.errorReporting }),
    simulator: {
      account: { marginMode: options.marginMode ?? 'hedging', server: 'Pipdesk-E2E' },
      seed: 11,
      tickMs: options.tickMs ?? 200,
      ...(options.reconnect === false ? { reconnect: false } : {}),
      ...(options.timeOffsetSec === undefined ? {} : { timeOffsetSec: options.timeOffsetSec }),
      ...(options.eaVersion === undefined ? {} : { eaVersion: options.eaVersion }),
    },
  });
  const { sim } = fixture;
  const cleanups: (() => Promise<void>)[] = [() => fixture.stop()];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    if (sim === null) throw new Error('the fixture started no simulator');
    const settle = async (patch: SettingsPatch): Promise<void> => {
      const answer = await fixture.app.dispatcher.invoke('settings:set', { patch }, { via: 'e2e' });
      if (!answer.ok) throw new Error(`settings:set: ${answer.error.message}`);
    };
    await settle({
      isOneClickEnabled: options.isOneClickEnabled ?? true,
      // A harness that starts with one-click on stands for a trader who has read its one-time warning.
      isOneClickRiskAcknowledged: options.isOneClickEnabled ?? true,
      theme: 'dark',
      ...(options.watchlist === undefined ? {} : { watchlist: [...options.watchlist] }),
    });
    const browser = options.browser ?? (await launchChromium());
    if (options.browser === undefined) cleanups.push(() => browser.close());
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      colorScheme: 'dark',
      ...(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId }),
    });
    cleanups.push(() => context.close());
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    await page.goto(fixture.url);
    // The simulator announces itself as one, so the app shows demo mode; a real EA would show "connected".
    await page
      .locator('[data-testid="bridge-state"]:is([data-state="connected"], [data-state="demo"])')
      .waitFor();
    await mkdir(DOCS_SCREENSHOT_DIR, { recursive: true });
    const waitForLink = () =>
      page
        .locator('[data-testid="bridge-state"]:is([data-state="connected"], [data-state="demo"])')
        .waitFor();
    return {
      get app() {
        return fixture.app;
      },
      get host() {
        return fixture.host;
      },
      sim,
      browser,
      page,
      settings: settle,
      restartApp: async () => {
        await fixture.restartApp();
        await page.goto(fixture.url);
        await waitForLink();
      },
      screenshot: async (name, screenshotOptions) => {
        const dir = screenshotOptions?.isForDocs === true ? DOCS_SCREENSHOT_DIR : SCREENSHOT_DIR;
        await page.screenshot({ path: join(dir, `${name}.png`) });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
