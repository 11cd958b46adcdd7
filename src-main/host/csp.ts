/**
 * The renderer's Content Security Policy, shared by the Electron window and the web host.
 * - Scripts only from the app itself: no inline script, no eval, no remote code.
 * - `style-src 'unsafe-inline'` because React and Vite set inline styles in places; styles cannot run code.
 * - `connect-src` is the app itself (the web host's WebSocket is listed explicitly: older engines do not match
 *   `ws:` with `'self'`).
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${connectSources.map((s) => ` ${s}`).join('')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
