import { Notification } from 'electron';
import type { DesktopNotice } from '../../src-core/contracts/ipc-history';

/** Notifications still on screen by tag, so a repeat replaces its predecessor (as the browser's `tag` does). */
const shown = new Map<string, Notification>();

/**
 * Shows an OS notification through Electron's main-process `Notification` (the window's own permission requests
 * are all denied, docs/security.md). Silent: the app plays its own short sounds when the trader asked for them
 * (docs/ui.md, "Notifications"). `onClick` brings the window forward.
 */
export function showOsNotification(notice: DesktopNotice, onClick: () => void): boolean {
  if (!Notification.isSupported()) return false;
  shown.get(notice.tag)?.close();
  const n = new Notification({ title: notice.title, body: notice.body, silent: true });
  shown.set(notice.tag, n);
  n.on('click', onClick);
  n.on('close', () => {
    if (shown.get(notice.tag) === n) shown.delete(notice.tag);
  });
  n.show();
  return true;
}
