// Whether the installed app looks for updates: only a packaged Windows build whose installer was made with a
// release feed (electron-builder's `publish` setting writes <resources>/app-update.yml). Today `publish` is null,
// so updates are off everywhere; see docs/desktop.md, "Keeping Electron current and updating installed apps".

export interface UpdateContext {
  isPackaged: boolean;
  platform: NodeJS.Platform;
  /** <resources>/app-update.yml exists: electron-builder wrote the feed it was configured with. */
  hasFeedFile: boolean;
  /** PIPDESK_UPDATES from the environment: "off" turns a configured feed off (a locked-down desk, a test run). */
  envSetting: string | undefined;
}

export type UpdatePlan = { isOn: true } | { isOn: false; reason: string };

export function planUpdates(c: UpdateContext): UpdatePlan {
  if (!c.isPackaged) return { isOn: false, reason: 'not an installed build (development run)' };
  // The NSIS installer is the only target built; electron-updater's other updaters are never configured.
  if (c.platform !== 'win32') return { isOn: false, reason: `no installer is built for ${c.platform}` };
  if (!c.hasFeedFile)
    return { isOn: false, reason: 'no release feed configured (electron-builder publish: null)' };
  if (c.envSetting?.toLowerCase() === 'off') return { isOn: false, reason: 'PIPDESK_UPDATES=off' };
  return { isOn: true };
}
