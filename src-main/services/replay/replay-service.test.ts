import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../../../src-bridge/server/bridge-server';
import type { RequestType } from '../../../src-bridge/protocol/messages';
import { startHarness, type Harness } from '../../../src-bridge/test/harness';
import type { ReplayStatus } from '../../../src-core/contracts/ipc-replay';
import { createMemoryLogger } from '../../../src-core/logger';
import { ok } from '../../../src-core/result';
import { FAST_EXECUTOR } from '../testing/sim-setup';
import { createTradingServices, type TradingServices } from '../trading-services';
import { createReplayService, type ReplayService } from './replay-service';
import { isReplayKey } from './replay-session';

/**
 * A replay session over a real Unix socket, beside a simulator standing in for the live terminal: the trader's
 * orders go through the desktop's executor to the replay, stops trigger as the file's prices move, the journal
 * marks the rows `replay`, and the live terminal receives no trade request at all.
 */

const T0 = Date.UTC(2024, 0, 2, 10);
const TRADE_REQUESTS: ReadonlySet<RequestType> = new Set(['order_send', 'order_check', 'lookup']);

/** EURUSD one tick a second: up for a minute, then down 100 pips over the next minute, then flat. */
function ticksCsv(): string {
  const lines = ['time,symbol,bid,ask'];
  for (let i = 0; i < 180; i += 1) {
    const bid = i < 60 ? 1.1 + i * 0.00001 : i < 120 ? 1.1006 - (i - 60) * 0.00017 : 1.0904;
    lines.push(`${String(T0 + i * 1000)},EURUSD,${bid.toFixed(5)},${(bid + 0.00012).toFixed(5)}`);
  }
  return lines.join('\n');
}

interface Rig {
  readonly harness: Harness;
  readonly dataDir: string;
  readonly sent: { key: string; type: RequestType }[];
  readonly services: TradingServices;
  readonly replay: ReplayService;
  readonly statuses: ReplayStatus[];
  active: string | undefined;
}

let rig: Rig | undefined;
afterEach(async () => {
  if (rig === undefined) return;
  await rig.replay.dispose();
  rig.services.close();
  await rig.harness.close();
  rmSync(rig.dataDir, { recursive: true, force: true });
  rig = undefined;
});

async function start(): Promise<Rig> {
  const harness = await startHarness({ sim: { symbols: ['EURUSD', 'GBPUSD'] } });
  const sent: { key: string; type: RequestType }[] = [];
  const spied: BridgeServer = {
    ...harness.server,
    request: (key, type, params, options) => {
      sent.push({ key, type });
      return harness.server.request(key, type, params, options);
    },
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-replay-'));
  mkdirSync(join(dataDir, 'replays'));
  writeFileSync(join(dataDir, 'replays', 'eurusd-ticks.csv'), ticksCsv());
  const tokenFile = join(dataDir, 'token.txt');
  writeFileSync(tokenFile, harness.token);
  const statuses: ReplayStatus[] = [];
  const r: Rig = {
    harness,
    dataDir,
    sent,
    statuses,
    active: harness.sim.key,
    services: createTradingServices({
      dataDir,
      bridge: spied,
      activeSession: () => r.active,
      accountKind: (account) => (isReplayKey(account) ? 'replay' : 'real'),
      logger: createMemoryLogger(),
      executor: FAST_EXECUTOR,
    }),
    replay: createReplayService({
      dataDir,
      path: harness.path,
      tokenFile,
      logger: createMemoryLogger(),
      activeKey: () => r.active,
      select: (key) => {
        r.active = key;
        return ok(undefined);
      },
      isSessionOpen: (key) => harness.server.session(key)?.isOpen === true,
      onStatus: (status) => statuses.push(status),
    }),
  };
  rig = r;
  return r;
}

describe('replay service', () => {
  it('opens a file as its own session, plays, steps, jumps, trades with a stop, and closes back', async () => {
    const r = await start();
    const list = await r.replay.listFiles();
    expect(list.ok && list.value.files.map((f) => [f.folder, f.name])).toEqual([
      ['replays', 'eurusd-ticks.csv'],
    ]);

    const opened = await r.replay.open({ folder: 'replays', name: 'eurusd-ticks.csv' });
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.value).toMatchObject({ state: 'paused', symbols: ['EURUSD'], timeMs: T0, ticksTotal: 180 });
    const key = opened.value.key ?? '';
    expect(isReplayKey(key)).toBe(true);
    expect(r.active).toBe(key);
    expect(r.harness.server.session(key)?.hello.eaVersion).toBe('sim-replay-1');

    const stepped = r.replay.step();
    expect(stepped.ok && [stepped.value.ticksPlayed, stepped.value.timeMs]).toEqual([2, T0 + 1000]);

    // Plays at 1000×: a real second is 1000 s of market time, well past the first minute.
    r.replay.setSpeed(1000);
    const played = r.replay.play();
    expect(played.ok && played.value.state).toBe('playing');
    await new Promise((resolve) => setTimeout(resolve, 30));
    r.replay.pause();
    const paused = r.replay.status();
    expect(paused.state).toBe('paused');
    expect(paused.timeMs ?? 0).toBeLessThan(T0 + 60_000);

    // Buys at the replay's ask with a stop 30 pips below: the journal marks it replay.
    const session = r.replay.session();
    const entry = session?.server.quote('EURUSD');
    if (entry === undefined) throw new Error('no replay quote');
    const bought = await r.services.executor.openMarket({
      requestKey: 'replay-buy',
      symbol: 'EURUSD',
      side: 'buy',
      volume: 0.1,
      sl: { price: Number((entry.bid - 0.003).toFixed(5)) },
    });
    if (!bought.ok) throw new Error(bought.message);
    expect(bought.price).toBeCloseTo(entry.ask, 5);
    // Opened on the replay clock, not the wall clock.
    expect(session?.server.positions()[0]?.timeMsc).toBe(paused.timeMs);
    const journal = r.services.journal.getByClientOrderId(bought.clientOrderId);
    expect(journal?.accountKind).toBe('replay');

    // Backwards is refused; forward to the end of the fall fast-forwards through the stop.
    const back = await r.replay.jumpTo(T0);
    expect(back.ok ? 'ok' : back.error.code).toBe('REPLAY_BACKWARDS');
    const jumped = await r.replay.jumpTo(T0 + 150_000);
    expect(jumped.ok && jumped.value.timeMs).toBe(T0 + 150_000);
    expect(session?.server.positions()).toEqual([]);
    const stopDeal = session?.server.deals().find((d) => d.reason === 4);
    expect(stopDeal).toBeDefined();
    // The stop filled on the file's clock, where the price crossed it (between 60 s and 120 s).
    expect(stopDeal?.timeMsc ?? 0).toBeGreaterThan(T0 + 60_000);
    expect(stopDeal?.timeMsc ?? Infinity).toBeLessThan(T0 + 120_000);

    // The live terminal was only read, never traded.
    const live = r.harness.sim.key;
    expect(r.sent.filter((s) => s.key === live && TRADE_REQUESTS.has(s.type))).toEqual([]);
    expect(r.harness.sim.state.deals().map((d) => d.comment)).toEqual(['initial deposit']);

    const closed = await r.replay.close();
    expect(closed.ok && closed.value.state).toBe('closed');
    expect(r.active).toBe(live);
    // The terminal said goodbye; the server sees its end of the socket close a moment later.
    await expect.poll(() => r.harness.server.session(key)?.isOpen ?? false, { timeout: 2_000 }).toBe(false);
    expect(r.statuses.at(-1)?.state).toBe('closed');
  });

  it('answers a bad file, a missing file and controls without a replay with their codes', async () => {
    const r = await start();
    writeFileSync(join(r.dataDir, 'replays', 'bad.csv'), '1704153600000,NOPE,1.1,1.2\n');
    const bad = await r.replay.open({ folder: 'replays', name: 'bad.csv' });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('BAD_REPLAY');
    const missing = await r.replay.open({ folder: 'recordings', name: 'gone.csv' });
    expect(missing.ok ? 'ok' : missing.error.code).toBe('REPLAY_FILE_NOT_FOUND');
    expect(r.active).toBe(r.harness.sim.key);
    for (const answer of [r.replay.play(), r.replay.pause(), r.replay.step(), await r.replay.jumpTo(T0)]) {
      expect(answer.ok ? 'ok' : answer.error.code).toBe('REPLAY_NOT_OPEN');
    }
  });
});

describe('replay files from the system dialog (Electron)', () => {
  it('copies the picked file into replays/ under a free plain name, and says so when there is no dialog', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pipdesk-replay-import-'));
    try {
      const outside = join(dataDir, 'elsewhere');
      mkdirSync(outside);
      const picked = join(outside, 'EURUSD ticks.csv');
      writeFileSync(picked, ticksCsv());
      let answer: string | null = picked;
      const base = {
        dataDir,
        path: join(dataDir, 'none.sock'),
        tokenFile: join(dataDir, 'token.txt'),
        logger: createMemoryLogger(),
        activeKey: () => undefined,
        select: () => ok(undefined),
        isSessionOpen: () => false,
        onStatus: () => undefined,
      };
      const replay = createReplayService({ ...base, chooseFile: () => Promise.resolve(answer) });
      const first = await replay.importFile();
      expect(first.ok && first.value.file).toEqual({ folder: 'replays', name: 'EURUSD ticks.csv' });
      const second = await replay.importFile();
      expect(second.ok && second.value.file).toEqual({ folder: 'replays', name: 'EURUSD ticks (2).csv' });
      const list = await replay.listFiles();
      expect(list.ok && list.value.files.map((f) => f.name).sort()).toEqual([
        'EURUSD ticks (2).csv',
        'EURUSD ticks.csv',
      ]);
      answer = null;
      const cancelled = await replay.importFile();
      expect(cancelled.ok && cancelled.value.file).toBeNull();
      answer = join(outside, 'gone.csv');
      const gone = await replay.importFile();
      expect(gone.ok ? 'ok' : gone.error.code).toBe('REPLAY_FILE_NOT_FOUND');
      const web = await createReplayService(base).importFile();
      expect(web.ok ? 'ok' : web.error.code).toBe('REPLAY_NO_DIALOG');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
