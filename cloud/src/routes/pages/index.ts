import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { RESET_PAGE_HTML, RESET_PAGE_JS } from './reset-page';

/** Where the portal (cloud/portal) builds to. */
export const PORTAL_DIST = fileURLToPath(new URL('../../../portal/dist', import.meta.url));

/** Paths the portal's client-side router owns: unknown GETs outside the API fall back to its index.html. */
const isApiPath = (url: string): boolean =>
  url.startsWith('/api/') ||
  url.startsWith('/ws/') ||
  url === '/healthz' ||
  url === '/readyz' ||
  url.startsWith('/docs') ||
  url === '/openapi.json';

/**
 * Web pages: the portal's built files when `portal/dist/index.html` exists (its SPA routes, /reset-password
 * included, fall back to index.html), else the plain reset page. Returns whether the portal is served.
 */
export async function registerPages(app: FastifyInstance, portalDist = PORTAL_DIST): Promise<boolean> {
  if (existsSync(join(portalDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: portalDist, wildcard: true, index: ['index.html'] });
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (request.method === 'GET' && !isApiPath(path) && !/\.[a-z0-9]+$/i.test(path)) {
        return reply.type('text/html; charset=utf-8').sendFile('index.html');
      }
      return reply.code(404).send({ error: { code: 'not_found', message: 'Not found.' } });
    });
    return true;
  }
  app.get('/reset-password', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(RESET_PAGE_HTML),
  );
  app.get('/reset-password.js', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(RESET_PAGE_JS),
  );
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: 'Not found.' } }),
  );
  return false;
}
