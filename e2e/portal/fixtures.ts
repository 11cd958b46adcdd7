import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { build, type BuildOptions } from '../../cloud/src/app';
import { loadConfig } from '../../cloud/src/config';
import { launchChromium } from '../chromium';
import { DOCS_SCREENSHOT_DIR } from '../screenshot-dirs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const PORTAL_DIST = join(REPO, 'cloud/portal/dist');
/** The portal's screenshots are the docs' pictures (docs/portal.md), saved for `npm run screenshots:docs`. */
export const SCREENSHOTS = DOCS_SCREENSHOT_DIR;

/**
 * `npm test` builds the portal first; a lone `npx vitest run e2e/portal` (re)builds it here when a source is
 * newer than the build. Under a lock, so test files starting together do not build over each other.
 */
export function ensurePortalBuilt(): void {
  const stale =
    '[ ! -f cloud/portal/dist/index.html ] || [ -n "$(find cloud/portal/src cloud/portal/index.html src-core/contracts -newer cloud/portal/dist/index.html -print -quit)" ]';
  const build = 'npx vite build --config cloud/portal/vite.config.ts --logLevel warn';
  execFileSync(
    'flock',
    [join(tmpdir(), 'pipdesk-portal-build.lock'), 'sh', '-c', `if ${stale}; then ${build}; fi`],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

export interface ReceivedMail {
  readonly to: readonly string[];
  readonly raw: string;
  /** The message with quoted-printable soft breaks and escapes undone, good enough to find a link in. */
  readonly decoded: string;
}

/** Undoes quoted-printable encoding (RFC 2045 6.7), which nodemailer uses for long lines. */
export function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** A real SMTP server on loopback that keeps what it receives and lets a test await the next message. */
export class MailCatcher {
  readonly messages: ReceivedMail[] = [];
  private waiters: { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  private readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const to = session.envelope.rcptTo.map((r) => r.address);
          const mail: ReceivedMail = { to, raw, decoded: decodeQuotedPrintable(raw) };
          this.messages.push(mail);
          const ready = this.waiters.filter((w) => w.match(mail));
          this.waiters = this.waiters.filter((w) => !w.match(mail));
          for (const w of ready) w.resolve(mail);
          callback();
        });
      },
    });
  }

  async start(): Promise<void> {
    this.port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  /** Resolves with the first message (already received or still to come) that matches. */
  next(match: (mail: ReceivedMail) => boolean): Promise<ReceivedMail> {
    const known = this.messages.find(match);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

export interface RunningCloud {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Cheap argon2 for tests: the e2e checks flows, not hash cost (the cloud's own tests cover the parameters). */
export const TEST_ARGON2 = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

/** The real cloud app (cloud/src/app.ts build()) on a free loopback port, serving the built portal. */
export async function startCloud(
  env: Record<string, string>,
  options: Omit<BuildOptions, 'config'> = {},
): Promise<RunningCloud> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-e2e-cloud-'));
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:${join(dataDir, 'cloud.db')}`,
    PUBLIC_URL: url,
    PORT: String(port),
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'e2e-portal-secret-with-at-least-32-characters',
    ...env,
  });
  const app = await build({ config, argon2: TEST_ARGON2, portalDist: PORTAL_DIST, ...options });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    url,
    dataDir,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Chromium for a portal spec, its first page already opened on the portal and closed. A browser's first page is
 * its dearest by far (the first renderer process, the first compile of the portal's script): under load 16 it
 * took 18 s against 3 s for each later context's first page. That is the browser starting, not a flow under
 * test, so the spec's hook pays for it and each test's budget is for its own steps.
 */
export async function launchPortalBrowser(cloudUrl: string): Promise<Browser> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${cloudUrl}/sign-in`);
    await page.getByLabel('Email').waitFor();
    await context.close();
    return browser;
  } catch (error) {
    await browser.close();
    throw error;
  }
}
