import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { EnvSchema, loadConfig } from '../src/config';
import type { Db } from '../src/db/database';
import { Metrics } from '../src/observability/metrics';
import { tempDir } from './helpers';

// The deployment files (docs/deployment.md) and the alert rules (docs/operations.md, "Alerts") read as their tools
// would: compose.yaml's services, health checks and cloud environment against the config schema, the Dockerfile's
// stages and user, and every alert expression against the metrics the cloud exports. None of it ran in Docker or
// Prometheus here (no daemon, no registry); these checks are what could be done without them.

const root = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

const Healthcheck = z.object({
  test: z.array(z.string()).min(2),
  interval: z.string(),
  timeout: z.string(),
  retries: z.number().int().positive(),
});
const Service = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  healthcheck: Healthcheck,
  ports: z.array(z.string()).optional(),
});
const Compose = z.object({ services: z.record(z.string(), Service) });

/** Docker Compose's `${NAME:?msg}` / `${NAME:-default}` interpolation, with values for the required ones. */
function interpolate(value: string, given: Readonly<Record<string, string>>): string {
  return value.replace(
    /\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g,
    (_m, name: string, kind?: string, rest?: string) => {
      const found = given[name];
      if (found !== undefined) return found;
      if (kind === '?') throw new Error(`${name} is required by compose.yaml`);
      return rest ?? '';
    },
  );
}

describe('cloud/deploy/compose.yaml', () => {
  const compose = Compose.parse(parse(read('cloud/deploy/compose.yaml'), { merge: true }));

  it('runs two cloud instances, PostgreSQL, Redis and the proxy, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'cloud-1',
      'cloud-2',
      'postgres',
      'proxy',
      'redis',
    ]);
    for (const name of ['cloud-1', 'cloud-2']) {
      const service = compose.services[name];
      expect(service?.build?.dockerfile).toBe('cloud/Dockerfile');
      expect(service?.healthcheck.test.join(' ')).toContain('/healthz');
      // Only the proxy publishes ports; the cloud and its metrics stay on the internal network.
      expect(service?.ports).toBeUndefined();
    }
    expect(compose.services['proxy']?.ports).toEqual(['80:80', '443:443']);
    expect(compose.services['postgres']?.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(compose.services['redis']?.healthcheck.test.join(' ')).toContain('ping');
  });

  it('gives the cloud only variables its config schema knows, and a configuration it accepts', () => {
    const known = new Set(Object.keys(EnvSchema.shape));
    const environment = compose.services['cloud-1']?.environment ?? {};
    expect(Object.keys(environment).filter((name) => !known.has(name))).toEqual([]);
    const dir = tempDir();
    try {
      const secrets = {
        PUBLIC_URL: 'https://cloud.example.com',
        JWT_SECRET: 'j'.repeat(48),
        TOTP_SEALING_KEY: 't'.repeat(48),
        POSTGRES_PASSWORD: 'pg-password',
      };
      const env = Object.fromEntries(
        Object.entries(environment).map(([key, value]) => [key, interpolate(value, secrets)]),
      );
      const config = loadConfig({ ...env, DATA_DIR: dir.path });
      expect(config).toMatchObject({
        env: 'production',
        databaseUrl: 'postgres://pipdesk:pg-password@postgres:5432/pipdesk',
        redisUrl: 'redis://redis:6379',
        trustProxyHops: 1,
        metricsHost: '0.0.0.0',
      });
      // Without the secrets, compose itself refuses to start.
      expect(() => interpolate(environment['JWT_SECRET'] ?? '', {})).toThrow(/JWT_SECRET/);
    } finally {
      dir.remove();
    }
  });
});

describe('cloud/Dockerfile', () => {
  const dockerfile = read('cloud/Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('builds in stages and runs as a non-root user with a health check on /healthz', () => {
    const stages = instructions.filter((line) => line.startsWith('FROM '));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const last = instructions.slice(instructions.lastIndexOf(stages.at(-1) ?? ''));
    expect(last.find((line) => line.startsWith('USER '))).toBe('USER node');
    expect(last.find((line) => line.startsWith('HEALTHCHECK '))).toContain('/healthz');
    expect(last.some((line) => /^RUN .*npm (ci|install)/.test(line))).toBe(false);
    expect(instructions.some((line) => /npm ci --omit=dev/.test(line))).toBe(true);
  });

  it('downloads nothing but npm packages and base images', () => {
    expect(instructions.filter((line) => /\b(curl|wget|ADD https?:|apt-get|apk add)\b/.test(line))).toEqual(
      [],
    );
    expect(dockerfile).toContain('npm_config_build_from_source=true');
    expect(dockerfile).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD=1');
  });
});

describe('cloud/deploy/alerts.yml', () => {
  const Rule = z.object({
    alert: z.string().regex(/^[A-Z][A-Za-z]+$/),
    expr: z.string().min(3),
    for: z
      .string()
      .regex(/^\d+[smh]$/)
      .optional(),
    labels: z.object({ severity: z.enum(['page', 'ticket']) }),
    annotations: z.object({ summary: z.string().min(10) }).loose(),
  });
  const Rules = z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(Rule).min(1) })) });
  const rules = Rules.parse(parse(read('cloud/deploy/alerts.yml'))).groups.flatMap((g) => g.rules);

  /** Every metric family the cloud exports, PostgreSQL pool included. */
  async function exported(): Promise<Set<string>> {
    const metrics = new Metrics();
    const db = {
      dialect: 'postgres',
      poolStats: () => ({ total: 0, idle: 0, waiting: 0 }),
      poolErrors: () => 0,
    } as unknown as Db;
    metrics.observe({ connectorSockets: () => 0, limiter: () => ({ isDegraded: false, degradedMs: 0 }), db });
    const json = await metrics.registry.getMetricsAsJSON();
    return new Set(json.map((m) => m.name));
  }

  it('names only metrics the cloud exports, in expressions with balanced brackets', async () => {
    const names = await exported();
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) {
      const used = [...rule.expr.matchAll(/\bpipdesk_[a-z0-9_]+/g)].map((m) =>
        m[0].replace(/_(bucket|sum|count)$/, ''),
      );
      const builtIn = /\bup\{/.test(rule.expr);
      expect(used.length > 0 || builtIn, `${rule.alert} names no metric`).toBe(true);
      expect(
        used.filter((name) => !names.has(name)),
        rule.alert,
      ).toEqual([]);
      for (const [open, close] of [
        ['(', ')'],
        ['{', '}'],
        ['[', ']'],
      ] as const) {
        expect(rule.expr.split(open).length, `${rule.alert} ${open}${close}`).toBe(
          rule.expr.split(close).length,
        );
      }
    }
  });

  it('are all shown in docs/operations.md', () => {
    const doc = read('docs/operations.md');
    expect(rules.map((r) => r.alert).filter((name) => !doc.includes(name))).toEqual([]);
  });
});
