import { app } from 'electron';
import { autoUpdater } from 'electron-updater';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../src-core/logger';
import { planUpdates, type UpdatePlan } from './update-policy';

/**
 * electron-updater against the feed electron-builder baked into the installer, when there is one (see
 * update-policy.ts). An update downloads in the background and installs when the trader quits, never mid-session:
 * quitting already flushes the journal and says bye to the EA.
 */
export function startUpdates(logger: Logger): UpdatePlan {
  const plan = planUpdates({
    isPackaged: app.isPackaged,
    platform: process.platform,
    hasFeedFile: existsSync(join(process.resourcesPath, 'app-update.yml')),
    envSetting: process.env['PIPDESK_UPDATES'],
  });
  if (!plan.isOn) {
    logger.info('updates: off', { reason: plan.reason });
    return plan;
  }
  autoUpdater.logger = {
    info: (message?: unknown) => {
      logger.info('updates', { message: String(message) });
    },
    warn: (message?: unknown) => {
      logger.warn('updates', { message: String(message) });
    },
    error: (message?: unknown) => {
      logger.error('updates', { message: String(message) });
    },
    debug: (message: string) => {
      logger.debug('updates', { message });
    },
  };
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  // Never move an installed app to a pre-release or an older build.
  autoUpdater.allowPrerelease = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.checkForUpdates().catch((error: unknown) => {
    logger.warn('updates: check failed', { error });
  });
  return plan;
}
