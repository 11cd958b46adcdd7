import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/** helmet's options, as its middleware factory takes them. */
export type SecurityHeaderOptions = NonNullable<Parameters<typeof helmet>[0]>;

/**
 * Sets helmet's headers on every answer. Built once: `@fastify/helmet` called `helmet(options)` on every
 * request, re-parsing the CSP directives each time (about 3 % of an authenticated request's CPU,
 * docs/operations.md, "Speed of authenticated requests"); the built middleware only sets the headers.
 */
export function setSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  const middleware = helmet(options);
  app.addHook('onRequest', (request, reply, done) => {
    middleware(request.raw, reply.raw, (error) => {
      done(error instanceof Error ? error : undefined);
    });
  });
}
