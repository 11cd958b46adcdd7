// Looks at the machine for planTestEnv: files, binaries on PATH, and real connections to PostgreSQL and Redis
// (a startup message and a PING, so "up" means "answers as the tests need", not just "a port is open").
import { accessSync, constants, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { DEFAULT_CHROMIUM, type Endpoint, type Observed, type ServiceState } from './plan';

export interface ProbeOptions {
  postgres: Endpoint;
  redis: Endpoint;
  /** From CHROMIUM_PATH, when set. */
  chromiumPath: string | undefined;
  /** Milliseconds a connection attempt may take before the service counts as down. */
  timeoutMs?: number;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string, path = process.env['PATH'] ?? ''): boolean {
  return path.split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, name)));
}

function postgresClusters(): string[] {
  try {
    return readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

export async function observe(options: ProbeOptions): Promise<Observed> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const chromiumPath = options.chromiumPath ?? DEFAULT_CHROMIUM;
  const [postgres, redis] = await Promise.all([
    probePostgres(options.postgres, timeoutMs),
    probeRedis(options.redis, timeoutMs),
  ]);
  return {
    isRoot: process.getuid?.() === 0,
    hasAptGet: onPath('apt-get'),
    chromium: {
      path: chromiumPath,
      isFromEnv: options.chromiumPath !== undefined,
      isExecutable: isExecutable(chromiumPath),
    },
    hasGxx: onPath('g++'),
    hasRedisServer: onPath('redis-server'),
    postgres: { ...postgres, endpoint: options.postgres },
    postgresClusters: postgresClusters(),
    hasPgCtlcluster: onPath('pg_ctlcluster'),
    redis: { ...redis, endpoint: options.redis },
  };
}

/**
 * Sends one message on a fresh connection and hands every chunk received to `read` until it returns a state.
 * Refused, reset or silent connections count as down.
 */
function exchange(
  e: Endpoint,
  message: Buffer,
  read: (received: Buffer) => ServiceState | undefined,
  timeoutMs: number,
): Promise<ServiceState> {
  return new Promise((resolve) => {
    const socket = connect({ host: e.host, port: e.port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (result: ServiceState): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({ state: 'down' });
    }, timeoutMs);
    socket.on('connect', () => socket.write(message));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const result = read(received);
      if (result !== undefined) finish(result);
    });
    socket.on('error', () => {
      finish({ state: 'down' });
    });
    socket.on('close', () => {
      finish({ state: 'down' });
    });
  });
}

const PG_USER = 'postgres';
const PG_DATABASE = 'test';

/** A protocol 3.0 StartupMessage for user postgres, database test (what the tests connect as). */
function startupMessage(): Buffer {
  const params = Buffer.from(`user\0${PG_USER}\0database\0${PG_DATABASE}\0\0`, 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, params]);
}

/** Reads the first backend message: AuthenticationOk means trust auth let us in; an ErrorResponse says why not. */
export function readPostgresAnswer(buf: Buffer): ServiceState | undefined {
  if (buf.length < 5) return undefined;
  const type = String.fromCharCode(buf[0] ?? 0);
  const length = buf.readInt32BE(1);
  if (buf.length < 1 + length) return undefined;
  const body = buf.subarray(5, 1 + length);
  if (type === 'R') {
    const code = body.readInt32BE(0);
    if (code === 0) return { state: 'up' };
    return {
      state: 'refused',
      detail: `asks user ${PG_USER} for a password (authentication type ${code})`,
      hint: `the tests connect without one: trust auth for ${PG_USER} on 127.0.0.1 in pg_hba.conf`,
    };
  }
  if (type === 'E') {
    const fields = new Map<string, string>();
    for (const part of body.toString('utf8').split('\0')) {
      if (part.length > 1) fields.set(part[0] ?? '', part.slice(1));
    }
    const sqlState = fields.get('C') ?? '';
    const message = fields.get('M') ?? 'error';
    // The server is starting or shutting down: not up yet, and starting it again is harmless.
    if (sqlState === '57P03') return { state: 'down' };
    if (sqlState === '3D000') {
      return {
        state: 'refused',
        detail: message,
        hint: `create it: createdb -h 127.0.0.1 -U ${PG_USER} ${PG_DATABASE}`,
      };
    }
    return {
      state: 'refused',
      detail: message,
      hint: `the tests connect as ${PG_USER} with trust auth to database ${PG_DATABASE}`,
    };
  }
  return { state: 'refused', detail: `unexpected reply '${type}'`, hint: 'is this port PostgreSQL?' };
}

export function probePostgres(e: Endpoint, timeoutMs = 2000): Promise<ServiceState> {
  return exchange(e, startupMessage(), readPostgresAnswer, timeoutMs);
}

/** Reads the answer to PING: +PONG is Redis ready; an error line (NOAUTH, LOADING…) says why not. */
export function readRedisAnswer(buf: Buffer): ServiceState | undefined {
  const end = buf.indexOf('\r\n');
  if (end < 0) return undefined;
  const line = buf.subarray(0, end).toString('utf8');
  if (line === '+PONG') return { state: 'up' };
  if (line.startsWith('-LOADING')) return { state: 'down' };
  return {
    state: 'refused',
    detail: line.slice(0, 120),
    hint: 'the tests need a Redis without a password on this address',
  };
}

export function probeRedis(e: Endpoint, timeoutMs = 2000): Promise<ServiceState> {
  return exchange(e, Buffer.from('PING\r\n'), readRedisAnswer, timeoutMs);
}
