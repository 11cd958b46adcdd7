import { z } from 'zod';
import { startBridgeServer } from '../../../src-bridge/server/bridge-server';
import { createMemoryLogger } from '../../../src-core/logger';
import { createTradingServices } from '../trading-services';

/**
 * The "app process" of the crash test (executor.crash.test.ts): starts the pipe server and the trading services on a
 * data dir, reconciles what a previous (killed) run left open, then, in `order` mode, sends one market order and
 * reports each step on stdout as a JSON line so the test can SIGKILL it between the `pending` write and the answer.
 * Configuration comes as JSON in PIPDESK_CRASH_CHILD (validated: it is a process boundary).
 */
const Config = z.object({
  socketPath: z.string().min(1),
  token: z.string().min(1),
  dataDir: z.string().min(1),
  mode: z.enum(['order', 'reconcile']),
  requestKey: z.string().min(1),
  side: z.enum(['buy', 'sell']),
});

function say(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Resolves once no journal row is open (the executor's own timer settles them at their proof time). */
function allSettled(services: ReturnType<typeof createTradingServices>, limitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, limitMs);
    const off = services.onOrderResult(() => {
      if (services.journal.listOpen().length === 0) done();
    });
    if (services.journal.listOpen().length === 0) done();
  });
}

async function main(): Promise<void> {
  const config = Config.parse(JSON.parse(process.env['PIPDESK_CRASH_CHILD'] ?? '{}'));
  const server = await startBridgeServer({ path: config.socketPath, token: config.token });
  const services = createTradingServices({
    dataDir: config.dataDir,
    bridge: server,
    logger: createMemoryLogger(),
    reconcileOnStart: false,
    // A killed app's order may be proven "not executed" only by another session past its expiresAt plus the
    // margin (docs/order-lifecycle.md, "When absence is proof"): short values keep 100 restarts quick, and still
    // exceed the simulator's 15 ms answers many times over.
    executor: {
      sendDeadlineMs: 500,
      reconcileGraceMs: 0,
      reconnectWaitMs: 2_000,
      sameSessionProofMarginMs: 100,
      otherSessionProofMarginMs: 500,
      reconcileRetryDelaysMs: [100],
    },
  });
  const opened = new Promise<void>((resolve) => {
    if (server.sessions().length > 0) resolve();
    const off = server.onSession((e) => {
      if (e.kind === 'opened') {
        off();
        resolve();
      }
    });
  });
  await opened;
  const summary = await services.executor.reconcileOpen();
  if (config.mode === 'reconcile') await allSettled(services, 20_000);
  say({ type: 'reconciled', summary, open: services.journal.listOpen().length });
  if (config.mode === 'order') {
    services.onJournalChanged((e) => {
      if (e.state === 'pending' || e.state === 'sent') say({ type: e.state, clientOrderId: e.clientOrderId });
    });
    const r = await services.executor.openMarket({
      symbol: 'EURUSD',
      side: config.side,
      volume: 0.01,
      requestKey: config.requestKey,
    });
    say({ type: 'result', ok: r.ok, clientOrderId: r.clientOrderId ?? null });
  }
  services.close();
  await server.close();
  say({ type: 'exit' });
}

main().catch((error: unknown) => {
  say({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
