import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { onPath, probePostgres, probeRedis, readPostgresAnswer, readRedisAnswer } from './probe';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A TCP server that answers the first chunk it receives with `reply`. */
async function fakeServer(reply: Buffer): Promise<number> {
  const server = createServer((socket) => {
    socket.once('data', () => socket.write(reply));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function pgError(code: string, message: string): Buffer {
  const body = Buffer.from(`SFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

describe('probePostgres', () => {
  it('is up on the machine PostgreSQL (trust auth, database test)', async () => {
    expect(await probePostgres({ host: '127.0.0.1', port: 5432 })).toEqual({ state: 'up' });
  });

  it('is down where nothing listens', async () => {
    expect(await probePostgres({ host: '127.0.0.1', port: await closedPort() })).toEqual({ state: 'down' });
  });

  it('is down when the peer never answers', async () => {
    const server = createServer(() => undefined);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    expect(await probePostgres({ host: '127.0.0.1', port }, 200)).toEqual({ state: 'down' });
  });

  it('says how to create a missing database', async () => {
    const port = await fakeServer(pgError('3D000', 'database "test" does not exist'));
    expect(await probePostgres({ host: '127.0.0.1', port })).toEqual({
      state: 'refused',
      detail: 'database "test" does not exist',
      hint: 'create it: createdb -h 127.0.0.1 -U postgres test',
    });
  });

  it('counts "the database system is starting up" as down, not refused', () => {
    expect(readPostgresAnswer(pgError('57P03', 'the database system is starting up'))).toEqual({
      state: 'down',
    });
  });

  it('refuses a server that asks for a password', () => {
    const md5 = Buffer.from([0x52, 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4]);
    expect(readPostgresAnswer(md5)).toEqual({
      state: 'refused',
      detail: 'asks user postgres for a password (authentication type 5)',
      hint: 'the tests connect without one: trust auth for postgres on 127.0.0.1 in pg_hba.conf',
    });
  });

  it('waits for the whole message before deciding', () => {
    const whole = pgError('3D000', 'database "test" does not exist');
    expect(readPostgresAnswer(whole.subarray(0, 9))).toBeUndefined();
    expect(readPostgresAnswer(whole)?.state).toBe('refused');
  });
});

describe('probeRedis', () => {
  it('is up on the machine Redis', async () => {
    expect(await probeRedis({ host: '127.0.0.1', port: 6379 })).toEqual({ state: 'up' });
  });

  it('is down where nothing listens', async () => {
    expect(await probeRedis({ host: '127.0.0.1', port: await closedPort() })).toEqual({ state: 'down' });
  });

  it('refuses a Redis that wants a password, quoting it', async () => {
    const port = await fakeServer(Buffer.from('-NOAUTH Authentication required.\r\n'));
    expect(await probeRedis({ host: '127.0.0.1', port })).toMatchObject({
      state: 'refused',
      detail: '-NOAUTH Authentication required.',
    });
  });

  it('is up against a real redis-server on a spare port, and down once it is shut down', async () => {
    const port = await closedPort();
    const child = spawn('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    const exited = once(child, 'exit');
    try {
      // The server prints this line once it accepts connections: wait for it rather than for a time.
      await new Promise<void>((resolve, reject) => {
        let printed = '';
        child.stdout.on('data', (chunk: Buffer) => {
          printed += chunk.toString();
          if (printed.includes('Ready to accept connections')) resolve();
        });
        child.on('exit', (code) => {
          reject(new Error(`redis-server exited with ${String(code)}: ${printed}`));
        });
      });
      expect(await probeRedis({ host: '127.0.0.1', port })).toEqual({ state: 'up' });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(await probeRedis({ host: '127.0.0.1', port })).toEqual({ state: 'down' });
  });

  it('reads only complete lines', () => {
    expect(readRedisAnswer(Buffer.from('+PON'))).toBeUndefined();
    expect(readRedisAnswer(Buffer.from('-LOADING Redis is loading\r\n'))).toEqual({ state: 'down' });
  });
});

describe('onPath', () => {
  it('finds a binary on PATH and not one that is absent', () => {
    expect(onPath('sh')).toBe(true);
    expect(onPath('sh', '/nonexistent-dir')).toBe(false);
    expect(onPath('pipdesk-no-such-binary')).toBe(false);
  });
});
