import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src-core/contracts/cloud-api';
import { userWithConnection, type TestUser } from '../src/routes/sync/testing/test-kit';
import { buildTestApp, createTestDatabase, tempDir, testConfig } from './helpers';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  minLength?: number;
};
interface Operation {
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}

/** A plausible value for a schema, so mutations land one field at a time inside an otherwise good request. */
function sample(schema: Schema | undefined, depth = 0): unknown {
  if (schema === undefined || depth > 8) return null;
  if (schema.enum !== undefined) return schema.enum[0];
  const branch = schema.oneOf?.[0] ?? schema.anyOf?.[0] ?? schema.allOf?.[0];
  if (branch !== undefined) return sample(branch, depth + 1);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v, depth + 1)]),
      );
    case 'array':
      return [sample(schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'email') return `fuzz-${randomUUID().slice(0, 6)}@example.com`;
      if (schema.pattern?.includes('\\d') === true) return '123456';
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 12));
    default:
      return 'x';
  }
}

/** Every path to a leaf of a sampled body, e.g. `['intent', 'input', 'volume']`. */
function leaves(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [path];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return [path];
  return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
}

function setAt(value: unknown, path: readonly string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1] ?? ''] = replacement;
  return copy;
}

const deepText = (levels: number): string => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const deepValue = '__DEEP__';
/** Values put in place of each leaf, one at a time. */
const HOSTILE_VALUES: unknown[] = [
  'a\u0000b',
  1e308,
  -1e308,
  1e-320,
  2 ** 53 + 1,
  true,
  null,
  [],
  {},
  deepValue,
  '%00',
];
/** Whole bodies sent raw. */
const RAW_BODIES = [
  '',
  'null',
  '[]',
  '"x"',
  '{"a":',
  '{"__proto__":{"x":1}}',
  deepText(50_000),
  `{"x":"${'y'.repeat(70_000)}"}`,
];
const HOSTILE_IDS = ['abc%00def', '%E0%A4%A', 'x'.repeat(300), '1e308', '..%2F..%2Fetc'];

/**
 * Every operation of the served /openapi.json, with hostile path ids, query values and body fields (NUL bytes,
 * 1e308, deep nesting, huge bodies, wrong types): never a 500, always the project's error shape. See
 * docs/operations.md, "API checks".
 */
export function fuzzSuite(dialect: 'sqlite' | 'postgres'): void {
  describe(`fuzz every operation of /openapi.json on ${dialect}`, () => {
    const dir = tempDir();
    let app: FastifyInstance;
    let drop: () => Promise<void>;
    let user: TestUser;

    beforeAll(async () => {
      const db = await createTestDatabase(dialect, dir.path);
      drop = db.drop;
      const generous = { limit: 1_000_000 };
      app = await buildTestApp({
        config: testConfig({ dataDir: dir.path, databaseUrl: db.url }),
        sync: { orderTimeoutMs: 200, keepAliveMs: 60_000 },
        limits: {
          global_ip: generous,
          register_ip: generous,
          register_account: generous,
          login_ip: generous,
          login_account: generous,
          forgot_ip: generous,
          forgot_account: generous,
          reset_ip: generous,
          reset_token: generous,
          totp_ip: generous,
          totp_account: generous,
          refresh_ip: generous,
          password_change_account: generous,
        },
        forgotPasswordFloorMs: 0,
      });
      user = await userWithConnection(app);
    });

    afterAll(async () => {
      await app.close();
      await drop();
      dir.remove();
    });

    it('answers every hostile request below 500, in the error shape', async () => {
      const document = (await app.inject({ url: '/openapi.json' })).json<{
        paths: Record<string, Record<string, Operation>>;
      }>();
      const failures: string[] = [];
      let sent = 0;
      let succeeded = 0;
      const check = (label: string, response: LightMyRequestResponse): void => {
        sent += 1;
        if (response.statusCode < 300) succeeded += 1;
        if (response.statusCode >= 500 && response.statusCode !== 503 && response.statusCode !== 504) {
          failures.push(`${label} → ${response.statusCode} ${response.body.slice(0, 200)}`);
          return;
        }
        if (response.statusCode >= 400) {
          const parsed = ErrorBody.safeParse(safeJson(response.body));
          if (!parsed.success)
            failures.push(`${label} → ${response.statusCode} not our shape: ${response.body.slice(0, 200)}`);
        }
      };
      for (const [template, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const verb = method.toUpperCase() as 'GET' | 'POST' | 'PATCH' | 'DELETE';
          // Ending the fuzzer's own session or deleting its connection would turn the rest into plain 401/404s.
          const isDestructive =
            verb === 'DELETE' || template.endsWith('/logout') || template.endsWith('/events');
          const ownId = isDestructive ? randomUUID() : user.connectionId;
          const url = (id: string, query = '') => `${template.replace('{id}', id)}${query}`;
          // Logout would end the fuzzer's own session: it goes without the token (it is public anyway).
          const headers: Record<string, string> = template.endsWith('/logout')
            ? {}
            : { authorization: `Bearer ${user.token}` };
          const send = (path: string, body?: string) =>
            app.inject({
              method: verb,
              url: path,
              headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
              ...(body === undefined ? {} : { payload: body }),
            });
          const bodySchema = operation.requestBody?.content['application/json']?.schema;
          const good = bodySchema === undefined ? undefined : sample(bodySchema);
          const goodText = good === undefined ? undefined : JSON.stringify(good);

          if (template.includes('{id}')) {
            for (const id of HOSTILE_IDS) check(`${verb} ${url(id)}`, await send(url(id), goodText));
          }
          for (const parameter of operation.parameters ?? []) {
            if (parameter.in !== 'query') continue;
            for (const value of ['%00', '1e308', '-1', 'x'.repeat(2000), '%E0%A4%A']) {
              const path = url(ownId, `?${parameter.name}=${value}`);
              check(`${verb} ${path.slice(0, 120)}`, await send(path, goodText));
            }
          }
          if (good === undefined) continue;
          check(`${verb} ${template} good sample`, await send(url(ownId), goodText));
          for (const raw of RAW_BODIES)
            check(`${verb} ${template} raw ${raw.slice(0, 30)}`, await send(url(ownId), raw));
          for (const leaf of leaves(good).slice(0, 25)) {
            for (const value of HOSTILE_VALUES) {
              const text = JSON.stringify(setAt(good, leaf, value)).replace(
                `"${deepValue}"`,
                deepText(2_000),
              );
              check(
                `${verb} ${template} ${leaf.join('.')}=${JSON.stringify(value)}`,
                await send(url(ownId), text),
              );
            }
          }
        }
      }
      expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
      expect(sent).toBeGreaterThan(500);
      // The fuzzer must reach the handlers (and so the database), not stop at authentication.
      expect(succeeded).toBeGreaterThan(5);
    }, 240_000);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
