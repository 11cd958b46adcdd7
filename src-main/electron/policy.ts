/**
 * The Electron window's trust rules as pure functions, so they are tested without Electron.
 * The renderer is served from the privileged `pipdesk://app` origin (a custom protocol, not file://), and only
 * frames of that origin may call IPC or be navigated to.
 */

/** The custom scheme the renderer is served from. */
export const APP_SCHEME = 'pipdesk';
/** The host part of every renderer URL. */
export const APP_HOST = 'app';
/** The renderer's origin. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Whether a URL belongs to the app (compared parsed, never with startsWith: `pipdesk://app.evil` is not ours). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (url === undefined || url === null || url === '') return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** External links the app may hand to the system browser (none yet; see docs/security.md). */
export function isAllowedExternal(url: string, allowedOrigins: readonly string[]): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && allowedOrigins.includes(u.origin);
  } catch {
    return false;
  }
}
