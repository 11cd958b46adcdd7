import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import type { FastifyInstance } from 'fastify';
import { build, type BuildOptions } from '../src/app';
import type { Config } from '../src/config';
import type { Argon2Params } from '../src/security/passwords';

export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** Light argon2id so the suite fits 2 cores; a test in passwords.test.ts proves the default is m=65536,t=3,p=4. */
export const FAST_ARGON2: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export const unique = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'pipdesk-cloud-'));
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** A database of its own for one test file: a SQLite file in a temp dir, or a fresh PostgreSQL database. */
export async function createTestDatabase(
  dialect: 'sqlite' | 'postgres',
  dir: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') return { url: `sqlite:${join(dir, 'cloud.db')}`, drop: () => Promise.resolve() };
  const name = `pipdesk_cloud_${unique()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function testConfig(overrides: Partial<Config> & { dataDir: string; databaseUrl: string }): Config {
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    redisUrl: undefined,
    redisKeyPrefix: `pipdesk-test:${unique()}:`,
    smtpUrl: undefined,
    mailFrom: 'Pipdesk <no-reply@pipdesk.test>',
    publicUrl: 'https://app.pipdesk.test',
    jwtSecret: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    totpSealingKey: 'test-totp-sealing-key-apart-from-the-jwt-secret-0123',
    accessTokenTtlSec: 900,
    refreshTokenTtlSec: 30 * 86400,
    trustProxyHops: 0,
    bodyLimit: 65_536,
    hashConcurrency: 4,
    logLevel: 'silent',
    metricsPort: 0,
    metricsHost: '127.0.0.1',
    ...overrides,
  };
}

export async function buildTestApp(
  options: Omit<BuildOptions, 'argon2' | 'logger'> & { argon2?: Argon2Params },
): Promise<FastifyInstance> {
  return build({ argon2: FAST_ARGON2, logger: false, forgotPasswordFloorMs: 60, ...options });
}

export interface ReceivedMail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly raw: string;
}

function decodeQuotedPrintable(text: string): string {
  return Buffer.from(
    text
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

/** Enough MIME for our own mails: the subject and the decoded text/plain part. */
export function parseMail(raw: string, to: readonly string[]): ReceivedMail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const subject = /^Subject: (.*)$/im.exec(head)?.[1]?.trim() ?? '';
  const body = rest.join('\n\n');
  const part =
    /Content-Type: text\/plain[^\n]*\r?\n(?:[^\n]+\r?\n)*?Content-Transfer-Encoding: ([\w-]+)\r?\n\r?\n([\s\S]*?)(?:\r?\n--)/i.exec(
      body,
    );
  const encoding = part?.[1]?.toLowerCase() ?? '7bit';
  const content = part?.[2] ?? body;
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(content)
      : encoding === 'base64'
        ? Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8')
        : content;
  return { to, subject, text, raw };
}

/** A real SMTP server on a free loopback port that keeps what it receives. */
export async function startSmtp(): Promise<{
  url: string;
  inbox: ReceivedMail[];
  waitFor: (predicate: (mail: ReceivedMail) => boolean) => Promise<ReceivedMail>;
  close: () => Promise<void>;
}> {
  const inbox: ReceivedMail[] = [];
  const waiters: { predicate: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = parseMail(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.rcptTo.map((r) => r.address),
        );
        inbox.push(mail);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(mail)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(mail);
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    inbox,
    waitFor: (predicate) => {
      const found = inbox.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A throw-away redis-server the test can stop and start again on the same port. */
export class SpareRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => {
        reject(new Error(`redis-server exited with ${code}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }
}

/** Bearer header for an access token. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** Every line the app logs, parsed, with a way to wait for one. */
export function captureLog(): {
  stream: Writable;
  lines: string[];
  waitFor: (predicate: (line: string) => boolean) => Promise<string>;
} {
  const lines: string[] = [];
  const waiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        lines.push(line);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(line)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
      callback();
    },
  });
  return {
    stream,
    lines,
    waitFor: (predicate) => {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}
