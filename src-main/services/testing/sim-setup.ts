import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorOptions } from '../../../src-bridge/simulator/simulator';
import type { Harness } from '../../../src-bridge/test/harness';
import { startHarness } from '../../../src-bridge/test/harness';
import type { ExecutorOptions } from '../executor';
import type { Clock, Timers } from '../../../src-core/clock';
import type { Logger } from '../../../src-core/logger';
import { createMemoryLogger } from '../../../src-core/logger';
import type { TradingServices } from '../trading-services';
import { createTradingServices } from '../trading-services';

/** Short waits for tests: a response delayed past 150 ms is "unknown". */
export const FAST_EXECUTOR: Partial<ExecutorOptions> = {
  sendDeadlineMs: 300,
  dataDeadlineMs: 1_000,
  lookupDeadlineMs: 1_000,
  reconcileGraceMs: 0,
  reconcileAttempts: 2,
  retryBackoffMs: 1,
  dedupWindowMs: 200,
  specTtlMs: 0,
  // "No trace" proves "not executed" 100 ms past expiresAt on the same session, 300 ms on another: the simulator
  // answers within milliseconds, and tests that hold an order inside OrderSend set a longer margin themselves.
  sameSessionProofMarginMs: 100,
  otherSessionProofMarginMs: 300,
};

/** The pipe server, a simulator paired with it over a real Unix socket, and the trading services on a temp dir. */
export interface SimSetup {
  readonly harness: Harness;
  readonly services: TradingServices;
  readonly dataDir: string;
  readonly logger: Logger & { readonly records: { level: string; message: string }[] };
  /** Closes the services and the harness and removes the data dir. */
  close(): Promise<void>;
}

/** Starts a harness and the services; used by the executor's integration and fault tests and the benchmark. */
export async function startSimSetup(
  options: {
    readonly sim?: Partial<SimulatorOptions>;
    readonly executor?: Partial<ExecutorOptions>;
    readonly dataDir?: string;
    readonly logger?: Logger & { readonly records: { level: string; message: string }[] };
    /**
     * The app's clock for the executor and the journal, and the clock and timers of every request deadline (the
     * bridge server stamps and ends them, the simulated terminal checks them): with a `ManualClock`
     * (src-core/testing) no deadline passes unless the test moves it, however loaded the machine is. The
     * executor's own waits (retry backoff, reconnect wait) stay on real timers. Default the wall clock.
     */
    readonly clock?: Clock & Timers;
  } = {},
): Promise<SimSetup> {
  const clock = options.clock;
  const harness = await startHarness({
    sim: { ...(clock === undefined ? {} : { terminalClock: clock }), ...options.sim },
    ...(clock === undefined ? {} : { server: { clock, timers: clock } }),
  });
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pipdesk-exec-'));
  const logger = options.logger ?? createMemoryLogger();
  const services = createTradingServices({
    dataDir,
    bridge: harness.server,
    logger,
    ...(clock === undefined ? {} : { clock }),
    executor: { ...FAST_EXECUTOR, ...options.executor },
  });
  await services.ready;
  return {
    harness,
    services,
    dataDir,
    logger,
    close: async () => {
      services.close();
      await harness.close();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
