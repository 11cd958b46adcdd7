// What `npm test` needs on the machine, and what to do about each missing piece: a pure decision from what was
// observed to either "ready", steps to take, or one line that stops the run. The effects (probing, apt-get,
// starting services) live in probe.ts and ../ensure-test-env.ts. See docs/testing.md.

/** A service's answer to a real connection attempt (a PostgreSQL startup message, a Redis PING). */
export type ServiceState =
  | { state: 'up' }
  | { state: 'down' }
  /** It answered, but not as the tests need (wrong auth, no database `test`, not Redis…). */
  | { state: 'refused'; detail: string; hint: string };

export interface Endpoint {
  host: string;
  port: number;
}

export interface Observed {
  isRoot: boolean;
  hasAptGet: boolean;
  chromium: { path: string; isFromEnv: boolean; isExecutable: boolean };
  /** The EA's test harness compiles the MQL5 sources with g++. */
  hasGxx: boolean;
  /** Needed even when Redis is up: the fallback tests start and stop a second redis-server on a spare port. */
  hasRedisServer: boolean;
  postgres: ServiceState & { endpoint: Endpoint };
  /** Cluster versions under /etc/postgresql (Debian's layout), for `pg_ctlcluster <version> main start`. */
  postgresClusters: readonly string[];
  hasPgCtlcluster: boolean;
  redis: ServiceState & { endpoint: Endpoint };
}

export type Step =
  | { kind: 'apt-install'; packages: string[]; why: string }
  | { kind: 'start-postgres'; command: string[]; endpoint: Endpoint }
  | { kind: 'start-redis'; command: string[]; endpoint: Endpoint };

export type StepKind = Step['kind'];

export type Plan = { kind: 'ready' } | { kind: 'steps'; steps: Step[] } | { kind: 'stop'; line: string };

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const at = (e: Endpoint): string => `${e.host}:${e.port}`;

/** The command the machine's own setup uses to start Debian's PostgreSQL cluster. */
export function postgresStartCommand(version: string): string[] {
  return ['pg_ctlcluster', '--skip-systemctl-redirect', version, 'main', 'start'];
}

/** Redis for tests: loopback only, nothing kept on disk. */
export function redisStartCommand(e: Endpoint): string[] {
  return [
    'redis-server',
    '--daemonize',
    'yes',
    '--bind',
    e.host,
    '--port',
    String(e.port),
    '--save',
    '',
    '--appendonly',
    'no',
  ];
}

interface Need {
  /** Debian package that provides it, when apt-get may install it. */
  aptPackage?: string;
  /** What is missing and how to get it, for the one line that stops the run. */
  missing: string;
}

/**
 * Decides what to do from what is present. `attempted` holds the steps already taken in this run: a step that
 * was taken and is still needed is not repeated, it stops the run (so the caller's observe → plan → act loop
 * always ends).
 */
export function planTestEnv(o: Observed, attempted: ReadonlySet<StepKind> = new Set()): Plan {
  const canApt = o.isRoot && o.hasAptGet && !attempted.has('apt-install');
  const needs: Need[] = [];

  if (!o.chromium.isExecutable) {
    if (o.chromium.isFromEnv) {
      // The developer chose a browser; installing Debian's would not make their choice work.
      needs.push({
        missing: `Chromium: CHROMIUM_PATH=${o.chromium.path} is not an executable file (fix it, or unset it to use ${DEFAULT_CHROMIUM})`,
      });
    } else {
      needs.push({
        aptPackage: 'chromium',
        missing: `Chromium at ${o.chromium.path} (install it: sudo apt-get install chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary)`,
      });
    }
  }
  if (!o.hasGxx) {
    needs.push({
      aptPackage: 'g++',
      missing: 'g++ for the EA test harness (install it: sudo apt-get install g++)',
    });
  }
  if (!o.hasRedisServer) {
    needs.push({
      aptPackage: 'redis-server',
      missing: 'redis-server (install it: sudo apt-get install redis-server)',
    });
  }

  const steps: Step[] = [];
  const stops: string[] = [];

  const installable = needs.filter((n) => n.aptPackage !== undefined);
  if (canApt && installable.length > 0) {
    steps.push({
      kind: 'apt-install',
      packages: installable.map((n) => n.aptPackage ?? ''),
      why: `missing: ${installable.map((n) => n.aptPackage ?? '').join(', ')}`,
    });
    stops.push(...needs.filter((n) => n.aptPackage === undefined).map((n) => n.missing));
  } else {
    stops.push(...needs.map((n) => n.missing));
  }

  const pg = o.postgres;
  if (pg.state === 'refused') {
    stops.push(`PostgreSQL at ${at(pg.endpoint)} answered "${pg.detail}" (${pg.hint})`);
  } else if (pg.state === 'down') {
    const version = o.postgresClusters[0];
    if (attempted.has('start-postgres')) {
      stops.push(
        `PostgreSQL at ${at(pg.endpoint)}: still down after starting cluster ${version ?? '?'} (see /var/log/postgresql/)`,
      );
    } else if (version === undefined || !o.hasPgCtlcluster) {
      stops.push(
        `PostgreSQL at ${at(pg.endpoint)} (down, and no Debian cluster to start: sudo apt-get install postgresql, then trust auth for 127.0.0.1 and createdb -U postgres test)`,
      );
    } else {
      steps.push({ kind: 'start-postgres', command: postgresStartCommand(version), endpoint: pg.endpoint });
    }
  }

  const redis = o.redis;
  if (redis.state === 'refused') {
    stops.push(`Redis at ${at(redis.endpoint)} answered "${redis.detail}" (${redis.hint})`);
  } else if (redis.state === 'down') {
    const willHaveBinary = o.hasRedisServer || steps.some((s) => s.kind === 'apt-install');
    if (attempted.has('start-redis')) {
      stops.push(`Redis at ${at(redis.endpoint)}: still down after redis-server --daemonize yes`);
    } else if (willHaveBinary) {
      steps.push({
        kind: 'start-redis',
        command: redisStartCommand(redis.endpoint),
        endpoint: redis.endpoint,
      });
    }
    // Without the binary the redis-server line above already says what to install.
  }

  if (stops.length > 0) return { kind: 'stop', line: stopLine(stops) };
  if (steps.length > 0) return { kind: 'steps', steps };
  return { kind: 'ready' };
}

/** One line, however many things are missing: the first thing a developer reads tells them everything. */
export function stopLine(missing: readonly string[]): string {
  return `npm test cannot run, missing: ${missing.join('; ')}`;
}

/** The line printed before a step is taken. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'apt-install':
      return `ensure-test-env: apt-get install ${step.packages.join(' ')} (${step.why})`;
    case 'start-postgres':
      return `ensure-test-env: PostgreSQL is down at ${at(step.endpoint)}: ${step.command.join(' ')}`;
    case 'start-redis':
      return `ensure-test-env: Redis is down at ${at(step.endpoint)}: ${step.command.map((a) => (a === '' ? '""' : a)).join(' ')}`;
  }
}

/** The one line when a step's own command fails (its last line of output says why). */
export function stepFailedLine(step: Step, lastOutputLine: string): string {
  const what =
    step.kind === 'apt-install'
      ? `apt-get install ${step.packages.join(' ')}`
      : step.command.slice(0, 2).join(' ');
  const detail = lastOutputLine.trim() === '' ? 'no output' : lastOutputLine.trim();
  return `npm test cannot run: ${what} failed (${detail})`;
}
