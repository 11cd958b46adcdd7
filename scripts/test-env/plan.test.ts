import { describe, expect, it } from 'vitest';
import {
  describeStep,
  planTestEnv,
  postgresStartCommand,
  redisStartCommand,
  stepFailedLine,
  type Observed,
  type StepKind,
} from './plan';

const PG = { host: '127.0.0.1', port: 5432 };
const REDIS = { host: '127.0.0.1', port: 6379 };

/** A machine with everything the tests need. */
function ready(): Observed {
  return {
    isRoot: false,
    hasAptGet: true,
    chromium: { path: '/usr/bin/chromium', isFromEnv: false, isExecutable: true },
    hasGxx: true,
    hasRedisServer: true,
    postgres: { state: 'up', endpoint: PG },
    postgresClusters: ['15'],
    hasPgCtlcluster: true,
    redis: { state: 'up', endpoint: REDIS },
  };
}

/** A fresh machine of the kind CI runs on: root, apt, services down, no Chromium. */
function fresh(): Observed {
  return {
    ...ready(),
    isRoot: true,
    chromium: { path: '/usr/bin/chromium', isFromEnv: false, isExecutable: false },
    postgres: { state: 'down', endpoint: PG },
    redis: { state: 'down', endpoint: REDIS },
  };
}

function expectOneLine(line: string): void {
  expect(line).not.toContain('\n');
  expect(line.startsWith('npm test cannot run')).toBe(true);
}

describe('planTestEnv', () => {
  it('is ready when everything is present and answering', () => {
    expect(planTestEnv(ready())).toEqual({ kind: 'ready' });
  });

  it('on a fresh machine as root: installs Chromium with apt, then starts PostgreSQL and Redis', () => {
    expect(planTestEnv(fresh())).toEqual({
      kind: 'steps',
      steps: [
        { kind: 'apt-install', packages: ['chromium'], why: 'missing: chromium' },
        { kind: 'start-postgres', command: postgresStartCommand('15'), endpoint: PG },
        { kind: 'start-redis', command: redisStartCommand(REDIS), endpoint: REDIS },
      ],
    });
  });

  it('installs every missing apt package in one step, and starts Redis once its binary is installed', () => {
    const plan = planTestEnv({ ...fresh(), hasGxx: false, hasRedisServer: false });
    expect(plan.kind === 'steps' && plan.steps.map((s) => s.kind)).toEqual([
      'apt-install',
      'start-postgres',
      'start-redis',
    ]);
    expect(plan.kind === 'steps' && plan.steps[0]).toMatchObject({
      packages: ['chromium', 'g++', 'redis-server'],
    });
  });

  it('without root: stops with one line naming Chromium and how to get it', () => {
    const plan = planTestEnv({ ...fresh(), isRoot: false, postgres: ready().postgres, redis: ready().redis });
    expect(plan).toEqual({
      kind: 'stop',
      line: 'npm test cannot run, missing: Chromium at /usr/bin/chromium (install it: sudo apt-get install chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary)',
    });
  });

  it('without apt-get: stops instead of installing', () => {
    const plan = planTestEnv({ ...fresh(), hasAptGet: false });
    expect(plan.kind).toBe('stop');
    if (plan.kind === 'stop') {
      expectOneLine(plan.line);
      expect(plan.line).toContain('sudo apt-get install chromium');
    }
  });

  it('never installs over a CHROMIUM_PATH that points nowhere: says to fix it', () => {
    const plan = planTestEnv({
      ...ready(),
      isRoot: true,
      chromium: { path: '/opt/chrome', isFromEnv: true, isExecutable: false },
    });
    expect(plan).toEqual({
      kind: 'stop',
      line: 'npm test cannot run, missing: Chromium: CHROMIUM_PATH=/opt/chrome is not an executable file (fix it, or unset it to use /usr/bin/chromium)',
    });
  });

  it('lists everything missing on the one line, separated by "; "', () => {
    const plan = planTestEnv({
      ...fresh(),
      isRoot: false,
      hasGxx: false,
      hasRedisServer: false,
      postgresClusters: [],
    });
    expect(plan.kind).toBe('stop');
    if (plan.kind === 'stop') {
      expectOneLine(plan.line);
      expect(plan.line.split('; ')).toHaveLength(4);
      expect(plan.line).toContain('g++ for the EA test harness (install it: sudo apt-get install g++)');
      expect(plan.line).toContain('redis-server (install it: sudo apt-get install redis-server)');
      expect(plan.line).toContain('PostgreSQL at 127.0.0.1:5432 (down, and no Debian cluster to start');
    }
  });

  it('starts services without root: pg_ctlcluster and redis-server need no apt', () => {
    const plan = planTestEnv({ ...fresh(), isRoot: false, chromium: ready().chromium });
    expect(plan.kind === 'steps' && plan.steps.map((s) => s.kind)).toEqual(['start-postgres', 'start-redis']);
  });

  it('starts the newest cluster it was given', () => {
    const plan = planTestEnv({
      ...ready(),
      postgres: { state: 'down', endpoint: PG },
      postgresClusters: ['16', '15'],
    });
    expect(plan).toEqual({
      kind: 'steps',
      steps: [{ kind: 'start-postgres', command: postgresStartCommand('16'), endpoint: PG }],
    });
  });

  it('stops when pg_ctlcluster is absent even though a cluster directory exists', () => {
    const plan = planTestEnv({
      ...ready(),
      postgres: { state: 'down', endpoint: PG },
      hasPgCtlcluster: false,
    });
    expect(plan.kind).toBe('stop');
  });

  it('passes on what a service answered when it refuses the tests, with the hint', () => {
    const plan = planTestEnv({
      ...ready(),
      postgres: {
        state: 'refused',
        detail: 'database "test" does not exist',
        hint: 'create it: createdb -h 127.0.0.1 -U postgres test',
        endpoint: PG,
      },
    });
    expect(plan).toEqual({
      kind: 'stop',
      line: 'npm test cannot run, missing: PostgreSQL at 127.0.0.1:5432 answered "database "test" does not exist" (create it: createdb -h 127.0.0.1 -U postgres test)',
    });
  });

  it('does not repeat a step already taken: what is still missing stops the run', () => {
    const attempted = new Set<StepKind>(['apt-install', 'start-postgres', 'start-redis']);
    const plan = planTestEnv(fresh(), attempted);
    expect(plan.kind).toBe('stop');
    if (plan.kind === 'stop') {
      expectOneLine(plan.line);
      expect(plan.line).toContain('Chromium at /usr/bin/chromium');
      expect(plan.line).toContain('PostgreSQL at 127.0.0.1:5432: still down after starting cluster 15');
      expect(plan.line).toContain('Redis at 127.0.0.1:6379: still down after redis-server --daemonize yes');
    }
  });

  it('uses the endpoint it was given (a spare port when this script is tested)', () => {
    const spare = { host: '127.0.0.1', port: 6390 };
    const plan = planTestEnv({ ...ready(), redis: { state: 'down', endpoint: spare } });
    expect(plan).toEqual({
      kind: 'steps',
      steps: [{ kind: 'start-redis', command: redisStartCommand(spare), endpoint: spare }],
    });
    expect(redisStartCommand(spare)).toEqual([
      'redis-server',
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      '6390',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
  });
});

describe('the lines printed', () => {
  it('describes each step with the command it runs', () => {
    expect(describeStep({ kind: 'apt-install', packages: ['chromium'], why: 'missing: chromium' })).toBe(
      'ensure-test-env: apt-get install chromium (missing: chromium)',
    );
    expect(describeStep({ kind: 'start-postgres', command: postgresStartCommand('15'), endpoint: PG })).toBe(
      'ensure-test-env: PostgreSQL is down at 127.0.0.1:5432: pg_ctlcluster --skip-systemctl-redirect 15 main start',
    );
    expect(describeStep({ kind: 'start-redis', command: redisStartCommand(REDIS), endpoint: REDIS })).toBe(
      'ensure-test-env: Redis is down at 127.0.0.1:6379: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    );
  });

  it('says which command failed and its last line of output, on one line', () => {
    const line = stepFailedLine(
      { kind: 'apt-install', packages: ['chromium'], why: 'missing: chromium' },
      'E: Unable to locate package chromium\n',
    );
    expect(line).toBe(
      'npm test cannot run: apt-get install chromium failed (E: Unable to locate package chromium)',
    );
    expect(
      stepFailedLine({ kind: 'start-redis', command: redisStartCommand(REDIS), endpoint: REDIS }, '  '),
    ).toBe('npm test cannot run: redis-server --daemonize failed (no output)');
  });
});
