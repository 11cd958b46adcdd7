import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../server/bridge-server';
import { startBridgeServer } from '../server/bridge-server';
import type { BridgeSession } from '../server/session';
import { socketPath } from '../test/harness';

/**
 * `npm run simulator` as a process: it must outlive its link (the app restarting) and reconnect, until SIGTERM.
 * Its timers are unref'd for demo mode inside the app, so the CLI has to keep itself alive.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let server: BridgeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Resolves with the next session the server opens. */
function nextSession(s: BridgeServer): Promise<string> {
  return nextOpened(s).then((session) => session.id);
}

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
  it('keeps running when the app goes away, reconnects when it is back, and exits on SIGTERM', async () => {
    const path = socketPath();
    const token = randomBytes(32).toString('hex');
    server = await startBridgeServer({ path, token });
    const first = nextSession(server);
    const child = spawn(
      TSX,
      [join(ROOT, 'src-bridge', 'simulator', 'cli.ts'), '--socket', path, '--token', token, '--tick-ms', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
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
    try {
      await first;
      // The app stops: the link drops and the socket disappears. The CLI used to exit here.
      const dropped = printed('reconnecting with backoff');
      await server.close();
      server = undefined;
      await dropped;
      // The app is back on the same socket (after the CLI's first retry failed): it reconnects on its own.
      server = await startBridgeServer({ path, token });
      const reconnected = printed('connected (session');
      const died = exited.then((code) => {
        throw new Error(`the simulator exited (code ${String(code)}) instead of reconnecting`);
      });
      await Promise.race([nextSession(server), died]);
      await reconnected;
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it('plays a broker profile: --broker exness-cent lists suffixed symbols on a USC account', async () => {
    const path = socketPath();
    const token = randomBytes(32).toString('hex');
    server = await startBridgeServer({ path, token });
    const opened = nextOpened(server);
    const child = spawn(
      TSX,
      [
        join(ROOT, 'src-bridge', 'simulator', 'cli.ts'),
        ...['--socket', path, '--token', token, '--tick-ms', '0', '--broker', 'exness-cent'],
        ...['--symbols', 'EURUSD,XAUUSDc'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr.resume();
    try {
      const session = await opened;
      const account = await session.request('account', {});
      expect(account.ok && account.value.currency).toBe('USC');
      const list = await session.request('symbols', {});
      expect(list.ok && list.value.symbols.map((s) => s.name).sort()).toEqual(['EURUSDc', 'XAUUSDc']);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);

  it('refuses an unknown broker profile with the list of known ones', async () => {
    const child = spawn(TSX, [join(ROOT, 'src-bridge', 'simulator', 'cli.ts'), '--broker', 'nope'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--broker must be one of exness-standard');
  }, 30_000);
});
