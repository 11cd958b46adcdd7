import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AuthResult, Connection, Readiness } from '../../src-core/contracts/cloud-api';
import { ConnectionStatus } from '../../src-core/contracts/cloud-sync';
import { CONNECTOR_CLOSE } from '../../src-core/contracts/connector';
import { REDIS_URL, createTestDatabase, freePort, startSmtp, tempDir, unique } from './helpers';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const PASSWORD = 'violet tangerine harbour';
const NEW_PASSWORD = 'quiet meadow lantern 42';

/** A cloud instance as deployed: its own process, `NODE_ENV=production`, configured only by the environment. */
interface Instance {
  readonly base: string;
  readonly child: ChildProcess;
  /** Everything it wrote, for the failure message. */
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (line.includes('"msg":"Pipdesk cloud ready"')) resolve();
      });
    }
    void exited.then((code) => {
      reject(new Error(`instance exited with ${code}:\n${output.join('\n')}`));
    });
  });
  await ready;
  return { base: `127.0.0.1:${env['PORT'] ?? ''}`, child, output, exited };
}

async function stopInstance(instance: Instance): Promise<number | null> {
  if (instance.child.exitCode === null) instance.child.kill('SIGTERM');
  return instance.exited;
}

async function api(
  instance: Instance,
  path: string,
  options: { method?: string; body?: unknown; token?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://${instance.base}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/**
 * Two instances started as real processes with `NODE_ENV=production` on one fresh PostgreSQL database and one
 * Redis (a key prefix of their own), as docs/operations.md describes a deployment: accounts, a connection, the
 * connector socket on one instance and its status on the other, and revocations that cross instances.
 */
describe('production mode: two instances as processes on PostgreSQL and Redis', () => {
  const dir = tempDir();
  const prefix = `pipdesk-test:${unique()}:`;
  const email = `trader-${unique()}@example.com`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let a: Instance | undefined;
  let b: Instance | undefined;

  beforeAll(async () => {
    [db, smtp] = await Promise.all([createTestDatabase('postgres', dir.path), startSmtp()]);
    const [portA, portB, metricsA, metricsB] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const shared = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(portA),
      // Each its own metrics listener, as two instances on one host need.
      METRICS_PORT: String(metricsA),
      PUBLIC_URL: `http://127.0.0.1:${portA}`,
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SMTP_URL: smtp.url,
      DATA_DIR: dir.path,
      JWT_SECRET: `production-test-jwt-secret-${unique()}-${unique()}`,
      TOTP_SEALING_KEY: `production-test-totp-sealing-key-${unique()}`,
      LOG_LEVEL: 'info',
    };
    // Both migrate at start at the same moment (Kysely's migration lock), as a rolling deploy may.
    [a, b] = await Promise.all([
      startInstance(shared),
      startInstance({ ...shared, PORT: String(portB), METRICS_PORT: String(metricsB) }),
    ]);
  }, 180_000);

  afterAll(async () => {
    for (const instance of [a, b]) if (instance !== undefined) await stopInstance(instance);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await smtp.close();
    await db.drop();
    dir.remove();
  });

  it('serves one account across both, and ends sessions on both at the next request', async () => {
    if (a === undefined || b === undefined) throw new Error('instances did not start');
    for (const instance of [a, b]) {
      const ready = Readiness.parse((await api(instance, '/readyz')).body);
      expect(ready).toMatchObject({ status: 'ready', database: 'up', redis: 'up' });
    }

    const registered = await api(a, '/api/v1/auth/register', {
      body: { email, password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    const desk = AuthResult.parse(registered.body).tokens.access_token;
    const signedIn = await api(b, '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(signedIn.status).toBe(200);
    const connector = AuthResult.parse(signedIn.body).tokens.access_token;

    const created = await api(a, '/api/v1/connections', {
      body: { name: 'Live account', broker_server: 'FBS-Real', account_login: '5555' },
      token: desk,
    });
    expect(created.status).toBe(201);
    const connectionId = Connection.parse(created.body).id;

    // The desktop's connector holds its socket on A; the portal asks B.
    const socket = new WebSocket(`ws://${a.base}/ws/connector?connection_id=${connectionId}`, {
      headers: { authorization: `Bearer ${connector}` },
    });
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    const refusals: string[] = [];
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text.includes('"type":"error"')) refusals.push(text);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('message', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    socket.send(
      JSON.stringify({
        type: 'status',
        at_ms: Date.now(),
        terminal_connected: true,
        ea_connected: true,
        account: {
          login: '5555',
          server: 'FBS-Real',
          currency: 'USD',
          balance: 1000,
          equity: 1001.5,
          margin: 0,
          free_margin: 1001.5,
          leverage: 500,
        },
        open_positions: 0,
        pending_orders: 0,
      }),
    );
    // Until B reports what A received (stored, and the socket's presence relayed through Redis).
    let status: ConnectionStatus | undefined;
    for (;;) {
      const answer = await api(b, `/api/v1/connections/${connectionId}/status`, {
        token: desk,
      });
      expect(answer.status).toBe(200);
      status = ConnectionStatus.parse(answer.body);
      expect(refusals).toEqual([]);
      if (status.online && status.snapshot !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status.snapshot.account?.equity).toBe(1001.5);

    // Logout on B: A refuses the token at its next request, and closes the socket it opened.
    expect((await api(a, '/api/v1/connections', { token: connector })).status).toBe(200);
    expect((await api(b, '/api/v1/auth/logout', { method: 'POST', token: connector })).status).toBe(200);
    expect((await api(a, '/api/v1/connections', { token: connector })).status).toBe(401);
    expect(await closed).toBe(CONNECTOR_CLOSE.UNAUTHORIZED);

    // A password reset finished on B ends the session A knows.
    expect((await api(a, '/api/v1/connections', { token: desk })).status).toBe(200);
    expect((await api(a, '/api/v1/auth/forgot-password', { body: { email } })).status).toBe(202);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && /Reset/.test(m.subject));
    const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? '';
    const reset = await api(b, '/api/v1/auth/reset-password', {
      body: { token, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(200);
    expect((await api(a, '/api/v1/connections', { token: desk })).status).toBe(401);
    expect((await api(b, '/api/v1/connections', { token: desk })).status).toBe(401);

    // Both stop cleanly on SIGTERM, as an orchestrator stops them.
    expect(await stopInstance(a)).toBe(0);
    expect(await stopInstance(b)).toBe(0);
  }, 180_000);
});
