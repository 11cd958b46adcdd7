// `npm test` runs this first: it makes sure Chromium, g++, PostgreSQL and Redis are there (installing with
// apt-get as root, starting the services when they are down), or stops at once with one line saying what is
// missing and how to get it. See docs/testing.md.
//
// Flags, for testing this script without touching the machine's services: --postgres-port N, --redis-port N.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  describeStep,
  planTestEnv,
  stepFailedLine,
  type Endpoint,
  type Step,
  type StepKind,
} from './test-env/plan';
import { observe, probePostgres, probeRedis } from './test-env/probe';

const { values } = parseArgs({
  options: {
    'postgres-port': { type: 'string', default: '5432' },
    'redis-port': { type: 'string', default: '6379' },
  },
});

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`ensure-test-env: --${flag} must be a port number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const options = {
  postgres: { host: '127.0.0.1', port: port('postgres-port', values['postgres-port']) },
  redis: { host: '127.0.0.1', port: port('redis-port', values['redis-port']) },
  chromiumPath: process.env['CHROMIUM_PATH'],
};

/** Runs a command quietly; on failure returns its last line of output. */
function run(command: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const [file, ...args] = command;
  const r = spawnSync(file ?? '', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status === 0) return undefined;
  const lines = `${r.stdout}\n${r.stderr}\n${r.error?.message ?? ''}`
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.at(-1) ?? `exit ${r.status ?? r.signal ?? '?'}`;
}

/** A service just started: wait (bounded) until it answers, so the next observation sees it. */
async function waitUntilAnswering(
  probe: (e: Endpoint) => Promise<{ state: string }>,
  e: Endpoint,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await probe(e)).state !== 'down') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function take(step: Step): Promise<string | undefined> {
  switch (step.kind) {
    case 'apt-install': {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      return (
        run(['apt-get', 'update', '-qq'], env) ??
        run(['apt-get', 'install', '-y', '-qq', ...step.packages], env)
      );
    }
    case 'start-postgres': {
      const failed = run(step.command);
      if (failed === undefined) await waitUntilAnswering(probePostgres, step.endpoint);
      return failed;
    }
    case 'start-redis': {
      const failed = run(step.command);
      if (failed === undefined) await waitUntilAnswering(probeRedis, step.endpoint);
      return failed;
    }
  }
}

const attempted = new Set<StepKind>();
for (;;) {
  const observed = await observe(options);
  const plan = planTestEnv(observed, attempted);
  if (plan.kind === 'stop') {
    console.error(plan.line);
    process.exit(1);
  }
  if (plan.kind === 'ready') {
    const pg = `${options.postgres.host}:${options.postgres.port}`;
    const redis = `${options.redis.host}:${options.redis.port}`;
    console.log(
      `ensure-test-env: ready (Chromium ${observed.chromium.path}, PostgreSQL ${pg}, Redis ${redis})`,
    );
    break;
  }
  for (const step of plan.steps) {
    console.log(describeStep(step));
    attempted.add(step.kind);
    const failed = await take(step);
    if (failed !== undefined) {
      console.error(stepFailedLine(step, failed));
      process.exit(1);
    }
  }
}
