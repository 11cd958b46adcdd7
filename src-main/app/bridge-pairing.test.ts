import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeStatus } from '../../src-core/contracts/ipc';
import { PIPE_NAME_PATTERN } from '../../src-bridge/server/endpoint';
import { startSimulator } from '../../src-bridge/simulator/simulator';
import { createMemoryLogger } from '../../src-core/logger';
import { startInProcessSimulator } from './demo';
import { startDesktopApp, type DesktopApp } from './desktop-app';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-pair-'));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function start(
  dataDir: string,
  extra: Partial<Parameters<typeof startDesktopApp>[0]> = {},
): Promise<DesktopApp> {
  const app = await startDesktopApp({
    dataDir,
    version: '0.0.0-test',
    shell: 'web',
    eaSourceDir: join(import.meta.dirname, '..', '..', 'src-bridge', 'mql5'),
    startSimulator: startInProcessSimulator,
    logger: createMemoryLogger(),
    cloudUrl: 'http://127.0.0.1:9',
    platform: 'linux',
    ...extra,
  });
  cleanups.push(() => app.close());
  return app;
}

const mode = (path: string): number => statSync(path).mode & 0o777;

async function bridgeStatus(app: DesktopApp): Promise<BridgeStatus> {
  const answer = await app.dispatcher.invoke('bridge:get-status', {}, { via: 'test' });
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value as BridgeStatus;
}

describe.skipIf(process.platform === 'win32')('pipe, token and pipe.txt (POSIX)', () => {
  it('keeps the socket and token in a private per-user folder under a random per-install name', async () => {
    const root = tempDir();
    const runtime = join(root, 'runtime');
    const env = { XDG_RUNTIME_DIR: runtime };
    const first = await start(join(root, 'data'), { env });
    const folder = join(runtime, 'pipdesk');
    expect(first.tokenFile).toBe(join(folder, 'token.txt'));
    expect(first.pipeFile).toBe(join(folder, 'pipe.txt'));
    expect(first.pipePath.startsWith(`${folder}/`)).toBe(true);
    const name = first.pipePath.slice(folder.length + 1, -'.sock'.length);
    expect(name).toMatch(PIPE_NAME_PATTERN);
    expect(mode(folder)).toBe(0o700);
    expect(mode(first.tokenFile)).toBe(0o600);
    expect(mode(first.pipeFile)).toBe(0o600);
    expect(readFileSync(first.pipeFile, 'utf8')).toBe(`${first.pipePath}\n`);
    const token = readFileSync(first.tokenFile, 'utf8');
    await first.close();
    // The name is the install's: the next start listens on the same one, with the same token.
    const second = await start(join(root, 'data'), { env });
    expect(second.pipePath).toBe(first.pipePath);
    expect(readFileSync(second.tokenFile, 'utf8')).toBe(token);
  });

  it('falls back to run/ in the data folder without XDG_RUNTIME_DIR, and tightens a loose folder', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'data', 'run'), { recursive: true, mode: 0o777 });
    const app = await start(join(root, 'data'), { env: {} });
    expect(app.tokenFile).toBe(join(root, 'data', 'run', 'token.txt'));
    expect(mode(join(root, 'data', 'run'))).toBe(0o700);
  });

  it('rotation rewrites the token file and every EA proves itself again with the new token', async () => {
    const root = tempDir();
    const app = await start(join(root, 'data'), { env: { XDG_RUNTIME_DIR: join(root, 'rt') } });
    const sim = startSimulator({
      pipeFile: app.pipeFile,
      tokenFile: app.tokenFile,
      reconnect: { minMs: 20, maxMs: 200 },
      refusedRetryMs: 50,
    });
    cleanups.push(() => sim.stop());
    await sim.waitForSession();
    const before = readFileSync(app.tokenFile, 'utf8');
    const dropped = sim.waitForStatus('disconnected');
    const rotated = await app.dispatcher.invoke('bridge:rotate-token', {}, { via: 'test' });
    expect(rotated.ok).toBe(true);
    await dropped;
    await sim.waitForSession();
    expect(readFileSync(app.tokenFile, 'utf8')).not.toBe(before);
    expect(mode(app.tokenFile)).toBe(0o600);
    expect((await bridgeStatus(app)).sessions.map((s) => s.id)).toEqual([sim.key]);
  });

  it('reports a pipe held by another process as a possible impostor, and takes it once free', async () => {
    const root = tempDir();
    const path = join(root, 'squat.sock');
    const squatter: Server = createServer(() => undefined);
    await new Promise<void>((r) => squatter.listen(path, r));
    let isSquatting = true;
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          if (!isSquatting) r();
          else
            squatter.close(() => {
              r();
            });
        }),
    );
    const app = await start(join(root, 'data'), { pipePath: path, tokenFile: join(root, 't', 'token.txt') });
    const status = await bridgeStatus(app);
    expect(status.pipeWarning).toMatch(/impostor/);
    expect(status.reason).toBe(status.pipeWarning);
    const cleared = new Promise<void>((resolve) => {
      const off = app.events.listen((event, payload) => {
        if (
          event === 'bridge:status-changed' &&
          (payload as { pipeWarning?: string }).pipeWarning === undefined
        ) {
          off();
          resolve();
        }
      });
    });
    await new Promise<void>((r) =>
      squatter.close(() => {
        r();
      }),
    );
    isSquatting = false;
    await cleared;
  });
});
