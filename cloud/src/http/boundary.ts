import type { Socket } from 'node:net';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorBody } from '../../../src-core/contracts/cloud-api';
import { apiError } from '../errors';
import { findInputProblem } from './hostile-input';

/**
 * The HTTP boundary's own checks and documentation rules, applied to every route: hostile input refused with
 * the project's error shape, requests Node cannot read answered in that shape too, and every operation of
 * `/openapi.json` documented well enough for `redocly lint` (docs/operations.md, "API checks").
 */

/**
 * Refuses NUL characters and over-deep nesting in the path, the query and the body before schemas run, so
 * no database sees them (PostgreSQL cannot store U+0000 and would fail with a 500).
 */
export function refuseHostileInput(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const parts = [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const;
    for (const [location, value] of parts) {
      const problem = findInputProblem(value);
      if (problem === null) continue;
      done(
        apiError('validation_failed', 'The request is invalid.', {
          location,
          issues: [{ path: problem.path, message: problem.message }],
        }),
      );
      return;
    }
    done();
  });
}

/** Statuses every route that takes a body can answer, whatever its own schema lists. */
const BODY_FAILURES = { 400: ErrorBody, 413: ErrorBody, 415: ErrorBody } as const;

/** `POST /api/v1/auth/2fa/setup` → `postApiV1Auth2faSetup`. */
function operationId(method: string, url: string): string {
  const words = url
    .replace(/:([A-Za-z]+)/g, 'by-$1')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '');
  return [method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

/**
 * Completes each documented route's schema as it is added: the 400/413/415 a body route can answer, an
 * explicit empty `security` on public routes, an operationId; and refuses at start a route without a
 * summary, so the document cannot drift from the lint.
 */
export function documentEveryRoute(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as (Record<string, unknown> & { hide?: boolean }) | undefined;
    if (schema === undefined || schema.hide === true) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'HEAD')) return;
    if (typeof schema['summary'] !== 'string') {
      throw new Error(`Route ${methods.join(',')} ${route.url} has no summary in its schema.`);
    }
    if (schema['body'] !== undefined) {
      schema['response'] = { ...BODY_FAILURES, ...(schema['response'] as object | undefined) };
    }
    schema['security'] ??= [];
    schema['operationId'] ??= operationId(String(methods[0]), route.url);
  });
}

type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 wants a `type` beside `nullable`; zod's nullable unions come out as `{nullable, anyOf}`. When
 * every branch has one type, that type is hoisted beside `nullable` (the meaning is unchanged).
 */
export function fixNullableSiblings<T>(document: T): T {
  const stack: unknown[] = [document];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    const object = node as Json;
    if (object['nullable'] === true && object['type'] === undefined && object['$ref'] === undefined) {
      const branches = (object['anyOf'] ?? object['oneOf'] ?? object['allOf']) as Json[] | undefined;
      const types = new Set((branches ?? []).map((b) => b['type']));
      const [only] = [...types];
      if (types.size === 1 && typeof only === 'string') object['type'] = only;
    }
    stack.push(...Object.values(object));
  }
  return document;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  431: 'Request Header Fields Too Large',
};

/**
 * Node's `clientError`: a request it cannot parse (headers over 16 KB, broken HTTP) never reaches Fastify,
 * so it is answered here, in the project's error shape, and the socket is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !socket.writable) {
    socket.destroy();
    return;
  }
  const apiErr =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? apiError('headers_too_large', 'The request headers are too large (16 KB at most).')
      : apiError('validation_failed', 'The request is not valid HTTP.');
  const body = JSON.stringify(apiErr.toBody());
  socket.end(
    `HTTP/1.1 ${apiErr.statusCode} ${REASONS[apiErr.statusCode] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
