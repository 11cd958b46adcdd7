import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { BUILD_TIMEOUT_MS, buildHarness } from './build-harness';

/**
 * The whole EA compiled in live mode (`-DPD_REAL_SOCKET`): its OnTimer loop in real time, token.txt and pipe.txt
 * read from a stand-in for MT5's Common\Files, and FileOpen on the pipe connecting to the Unix socket pipe.txt
 * names. Test files call `useLiveEa()` once at their top level.
 */
let buildDir = '';
let eaLive = '';
const cleanups: (() => Promise<void>)[] = [];

export function useLiveEa(): void {
  beforeAll(() => {
    const built = buildHarness('ea-live');
    buildDir = built.dir;
    eaLive = built.binary;
  }, BUILD_TIMEOUT_MS);
  afterAll(() => {
    if (buildDir !== '') rmSync(buildDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });
}

/** Runs `fn` after the current test (servers, temporary folders). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(async () => {
    await fn();
  });
}

/** A fresh socket path in the temporary folder. */
export function socketPath(): string {
  return join(tmpdir(), `pd-ea-${randomBytes(6).toString('hex')}.sock`);
}

/**
 * A stand-in for MT5's common data folder (`Common\Files`) holding `Pipdesk/token.txt` and `Pipdesk/pipe.txt`
 * (either left out when undefined). Returns the folder.
 */
export function commonFiles(files: { token?: string; pipe?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-common-'));
  mkdirSync(join(dir, 'Pipdesk'));
  if (files.token !== undefined) writeFileSync(join(dir, 'Pipdesk', 'token.txt'), `${files.token}\r\n`);
  if (files.pipe !== undefined) writeFileSync(join(dir, 'Pipdesk', 'pipe.txt'), `${files.pipe}\r\n`);
  onCleanup(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export interface RunningEa {
  readonly child: ChildProcess;
  /** Resolves with the text of the EA's first Alert. */
  readonly firstAlert: Promise<string>;
  /** Resolves with the first journal line (Print) containing `text`. */
  journalLine(text: string): Promise<string>;
  /** Every journal line so far. */
  journal(): string[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

/**
 * Starts the compiled EA on the terminal whose common files are in `commonDir`; it stops by itself after
 * `lifetimeMs` (or at SIGTERM, running OnDeinit) and is killed at cleanup. `extraEnv` can put it on another chart
 * (`PIPDESK_CHART_ID`) of a terminal whose global variables live in `PIPDESK_GV_FILE`.
 */
export function startEa(commonDir: string, lifetimeMs = 20_000, extraEnv: NodeJS.ProcessEnv = {}): RunningEa {
  const env: NodeJS.ProcessEnv = {
    PIPDESK_COMMON_DIR: commonDir,
    PIPDESK_LIFETIME_MS: String(lifetimeMs),
    ...extraEnv,
  };
  const child = spawn(eaLive, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let stdout = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  });
  const lines = (prefix: string) =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith(prefix))
      .map((l) => l.slice(prefix.length));
  const waitFor = (prefix: string, text: string) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const hit = lines(prefix).find((l) => l.includes(text));
        if (hit !== undefined) resolve(hit);
      };
      listeners.push(check);
      check();
    });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  onCleanup(async () => {
    child.kill('SIGKILL');
    await exited;
    expect(stderr).toBe('');
  });
  return {
    child,
    firstAlert: waitFor('#alert ', ''),
    journalLine: (text) => waitFor('#journal ', text),
    journal: () => lines('#journal '),
    exited,
  };
}
