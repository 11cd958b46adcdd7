import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '../../src-core/logger';
import { startBridgeServer, type BridgeServer, type BridgeServerOptions } from '../server/bridge-server';
import type { BridgeSession } from '../server/session';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../simulator/simulator';

/** A fresh Unix socket path (short: the limit is about 107 bytes). */
export function socketPath(): string {
  return join(tmpdir(), `pd-${randomBytes(6).toString('hex')}.sock`);
}

/** A server and a connected simulator over a real Unix socket. */
export interface Harness {
  readonly server: BridgeServer;
  readonly sim: SimulatorHandle;
  readonly session: BridgeSession;
  readonly token: string;
  readonly path: string;
  readonly serverLog: ReturnType<typeof createMemoryLogger>;
  close(): Promise<void>;
}

/** Starts the server, then a simulator that pairs with it, and waits for the session. */
export async function startHarness(
  options: {
    readonly server?: Partial<BridgeServerOptions>;
    readonly sim?: Partial<SimulatorOptions>;
  } = {},
): Promise<Harness> {
  const path = socketPath();
  const token = randomBytes(32).toString('hex');
  const serverLog = createMemoryLogger();
  const server = await startBridgeServer({
    path,
    token,
    logger: serverLog,
    ...options.server,
  });
  const opened = new Promise<BridgeSession>((resolve) => {
    const off = server.onSession((event) => {
      if (event.kind === 'opened') {
        off();
        resolve(event.session);
      }
    });
  });
  const sim = startSimulator({
    path,
    token,
    reconnect: { minMs: 20, maxMs: 200 },
    refusedRetryMs: 50,
    ...options.sim,
  });
  const session = await opened;
  await sim.waitForSession();
  return {
    server,
    sim,
    session,
    token,
    path,
    serverLog,
    close: async () => {
      await sim.stop();
      await server.close();
    },
  };
}

/** Resolves with the next value `subscribe` delivers that passes `predicate`. */
export function next<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  predicate: (value: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}
