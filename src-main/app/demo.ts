import { startSimulator } from '../../src-bridge/simulator/simulator';
import { alwaysOpen } from '../../src-bridge/simulator/trade-server';
import type { SimulatorStarter } from './desktop-app';

/** How long the demo waits for the simulator's handshake before reporting failure. */
const DEMO_CONNECT_TIMEOUT_MS = 10_000;
/** The random walk's step: its volatility is tuned for 250 ms steps. */
const DEMO_TICK_MS = 250;

/**
 * Demo mode: the MT5 simulator in this process, connected to the app's own pipe with the app's token, exactly
 * as the EA would be. Markets are always open so a first try on a weekend works too.
 */
export const startInProcessSimulator: SimulatorStarter = async (options) => {
  const sim = startSimulator({
    path: options.path,
    token: options.token,
    account: {
      marginMode: options.marginMode,
      balance: options.balance,
      currency: options.currency,
      server: 'Pipdesk-Demo',
      company: 'Pipdesk demo (simulated, no real money)',
    },
    seed: Date.now() % 1_000_000,
    tickMs: DEMO_TICK_MS,
    schedule: alwaysOpen,
    reconnect: { minMs: 250, maxMs: 2_000 },
    refusedRetryMs: 2_000,
  });
  try {
    await sim.waitForSession(DEMO_CONNECT_TIMEOUT_MS);
  } catch (error) {
    await sim.stop();
    throw error;
  }
  return { key: sim.key, stop: () => sim.stop() };
};
