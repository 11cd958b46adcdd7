import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src-core/logger';
import { startBridgeServer, type SessionEvent } from '../server/bridge-server';
import { generateToken } from '../server/endpoint';
import { startSimulator } from '../simulator/simulator';
import { socketPath } from './harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

describe('unpaired connections have their own budget', () => {
  it('500 idle connections and a reconnect storm do not keep a correct EA from pairing', async () => {
    const path = socketPath();
    const token = generateToken();
    const log = createMemoryLogger();
    // Deadlines far away: only the budget can make room for the EA, not the idle connections timing out.
    const server = await startBridgeServer({
      path,
      token,
      logger: log,
      helloTimeoutMs: 120_000,
      authTimeoutMs: 120_000,
      maxUnpaired: 16,
    });
    cleanups.push(() => server.close());
    const events: SessionEvent['kind'][] = [];
    server.onSession((e) => events.push(e.kind));

    const idle: Socket[] = [];
    cleanups.push(() => {
      for (const s of idle) s.destroy();
    });
    for (let i = 0; i < 500; i += 1) idle.push(await open(path));

    // The storm: connect, and drop, as fast as the event loop allows, while the EA pairs.
    const storming = { isOn: true };
    let stormed = 0;
    const storm = (async () => {
      while (storming.isOn) {
        const s = await open(path).catch(() => undefined);
        stormed += 1;
        s?.destroy();
      }
    })();
    cleanups.push(async () => {
      storming.isOn = false;
      await storm;
    });

    const sim = startSimulator({ path, token, reconnect: false });
    cleanups.push(() => sim.stop());
    await sim.waitForSession(10_000);
    storming.isOn = false;
    await storm;

    expect(events.filter((k) => k === 'opened')).toHaveLength(1);
    // Nothing timed out or was refused: room was made by dropping the oldest unpaired connections.
    expect(events.filter((k) => k === 'refused')).toEqual([]);
    expect(stormed).toBeGreaterThan(0);
    expect(server.sessions().map((s) => s.key)).toEqual([sim.key]);
    // The evictions are logged as one summary, not one line each.
    await server.close();
    const warnings = log.records.filter((l) => l.level === 'warn');
    expect(warnings.length).toBeLessThanOrEqual(2);
    expect(String(warnings.at(-1)?.fields?.['counts'])).toMatch(/EVICTED=\d+/);
  }, 60_000);

  it('refuses a 65th terminal with BUSY while 64 hold sessions', async () => {
    const path = socketPath();
    const token = generateToken();
    const server = await startBridgeServer({ path, token, maxSessions: 2 });
    cleanups.push(() => server.close());
    const sims = ['1', '2', '3'].map((login) =>
      startSimulator({ path, token, account: { login }, reconnect: false, autoConnect: false }),
    );
    for (const s of sims) cleanups.push(() => s.stop());
    for (const s of sims.slice(0, 2)) {
      s.connect();
      await s.waitForSession();
    }
    const third = sims[2];
    if (third === undefined) throw new Error('three simulators');
    const refused = third.waitForStatus('refused');
    third.connect();
    expect(await refused).toMatchObject({ reason: 'BUSY' });
    expect(server.sessions()).toHaveLength(2);
  });
});
