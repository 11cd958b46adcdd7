import { protocol } from 'electron';
import { contentSecurityPolicy } from '../host/csp';
import { readStatic } from '../host/static-files';
import { APP_HOST, APP_SCHEME } from './policy';

/**
 * Registers `pipdesk://` as a standard, secure scheme. Must run before `ready`. A custom protocol instead of
 * file:// keeps the renderer out of the file system and gives it a real origin for the CSP and sender checks.
 */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Pipdesk</title>
<body style="font:15px system-ui;margin:3em">The interface is not built: run <code>npm run build</code>.</body>`;

/**
 * Serves the built renderer from `rendererDir` on `pipdesk://app/…`, with the CSP on every answer;
 * `connectSources` are extra origins the page may reach (the error-report DSN's, only when reports are on).
 */
export function serveRenderer(rendererDir: string, connectSources: readonly string[] = []): void {
  const csp = contentSecurityPolicy(connectSources);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const headers = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' };
    if (url.host !== APP_HOST || request.method !== 'GET') {
      return new Response('Not found', { status: 404, headers });
    }
    const file = await readStatic(rendererDir, url.pathname);
    if (file === null) {
      const isPage = url.pathname === '/' || url.pathname === '/index.html';
      return new Response(isPage ? NOT_BUILT : 'Not found', {
        status: isPage ? 200 : 404,
        headers: { ...headers, 'Content-Type': isPage ? 'text/html; charset=utf-8' : 'text/plain' },
      });
    }
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { ...headers, 'Content-Type': file.contentType },
    });
  });
}
