import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../server/bridge-server';
import { startBridgeServer } from '../server/bridge-server';
import type { BridgeSession } from '../server/session';
import { socketPath } from '../test/harness';

/**
 * `npm run simulator` as a process: it must outlive its link (the app restarting) and reconnect, until SIGTERM.
 * Its timers are unref'd for demo mode inside the app, so the CLI has to keep itself alive.
 *
 * Starting a process that loads TypeScript is the slow part on a loaded machine, so the file starts as few as it
 * can: one for the running simulator's whole story, one for a refused option. Each is Node with tsx's loader
 * (`node --import tsx`, what `npm run simulator` amounts to) rather than the `tsx` command, which starts a second
 * Node process to do the same; every wait is for something the process says or does, never for a fixed time.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src-bridge', 'simulator', 'cli.ts');

/** The simulator CLI with `args`, as its own process. */
function startCli(args: readonly string[]): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

let server: BridgeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Resolves with the next session the server opens. */
function nextOpened(s: BridgeServer): Promise<BridgeSession> {
  return new Promise((resolve) => {
    const off = s.onSession((e) => {
      if (e.kind === 'opened') {
        off();
        resolve(e.session);
      }
    });
  });
}

describe('npm run simulator', () => {
  it('plays a broker profile, keeps running when the app goes away, reconnects when it is back, and exits on SIGTERM', async () => {
    const path = socketPath();
    const token = randomBytes(32).toString('hex');
    server = await startBridgeServer({ path, token });
    const first = nextOpened(server);
    const child = startCli([
      ...['--socket', path, '--token', token, '--tick-ms', '0', '--broker', 'exness-cent'],
      ...['--symbols', 'EURUSD,XAUUSDc'],
    ]);
    child.stderr.resume();
    const lines = createInterface({ input: child.stdout });
    /** Resolves at the next line of the CLI's output containing `text`. */
    const printed = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const onLine = (l: string): void => {
          if (!l.includes(text)) return;
          lines.off('line', onLine);
          resolve(l);
        };
        lines.on('line', onLine);
      });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    const died = exited.then((code) => {
      throw new Error(`the simulator exited (code ${String(code)}) before the test ended`);
    });
    died.catch(() => undefined);
    try {
      // The broker profile: suffixed symbols on a USC account.
      const session = await Promise.race([first, died]);
      const account = await session.request('account', {});
      expect(account.ok && account.value.currency).toBe('USC');
      const list = await session.request('symbols', {});
      expect(list.ok && list.value.symbols.map((s) => s.name).sort()).toEqual(['EURUSDc', 'XAUUSDc']);

      // The app stops: the link drops and the socket disappears. The CLI used to exit here.
      const dropped = printed('reconnecting with backoff');
      await server.close();
      server = undefined;
      await Promise.race([dropped, died]);
      // The app is back on the same socket (after the CLI's first retry failed): it reconnects on its own.
      server = await startBridgeServer({ path, token });
      const reconnected = printed('connected (session');
      await Promise.race([nextOpened(server), died]);
      await Promise.race([reconnected, died]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses an unknown broker profile with the list of known ones', async () => {
    const child = startCli(['--broker', 'nope']);
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--broker must be one of exness-standard');
  });
});
