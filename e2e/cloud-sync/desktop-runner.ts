// A desktop process for the crash test: the simulator, the trading services on a data dir that survives the
// process, and cloud sync with its sign-in kept in a 0600 file. Driven by the environment; prints one JSON
// line per event on stdout so the test can react (and kill it) at the right moment.
//   PD_CLOUD_URL, PD_DATA_DIR, PD_MODE=prepare|resume, PD_EMAIL, PD_PASSWORD, PD_TRADES
import { join } from 'node:path';
import { systemClock } from '../../src-core/clock';
import { createMemoryLogger } from '../../src-core/logger';
import { startSimSetup } from '../../src-main/services/testing/sim-setup';
import { RELAXED_EXECUTOR } from './relaxed';
import { bridgeAccounts } from '../../src-main/services/cloud-sync/accounts-port';
import { CloudSync } from '../../src-main/services/cloud-sync/cloud-sync';
import { createFileTokenStore } from '../../src-main/services/cloud-sync/token-store';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

const dataDir = env('PD_DATA_DIR');
const mode = env('PD_MODE');
const sim = await startSimSetup({ dataDir, logger: createMemoryLogger(), executor: RELAXED_EXECUTOR });
const sync = new CloudSync({
  cloudUrl: env('PD_CLOUD_URL'),
  db: sim.services.db,
  journal: sim.services.journal,
  executor: sim.services.executor,
  accounts: bridgeAccounts(sim.harness.server),
  tokens: createFileTokenStore(join(dataDir, 'cloud-token.json')),
  logger: sim.logger,
  clock: systemClock,
  batchSize: Number(process.env['PD_BATCH'] ?? '10'),
  backoff: { baseMs: 50, maxMs: 400 },
});
sync.onState((state) => {
  say({
    event: 'state',
    status: state.status,
    connector: state.accounts[0]?.connector,
    unsynced: state.unsyncedEntries,
  });
});

if (mode === 'prepare') {
  const trades = Number(env('PD_TRADES'));
  for (let i = 0; i < trades; i += 1) {
    const result = await sim.services.executor.openMarket({
      symbol: 'EURUSD',
      side: i % 2 === 0 ? 'buy' : 'sell',
      volume: 0.01,
      requestKey: `crash-${i}`,
    });
    if (!result.ok) say({ event: 'trade_failed', code: result.code });
  }
  say({ event: 'traded', local: sim.services.journal.count() });
  const signed = await sync.signIn(env('PD_EMAIL'), env('PD_PASSWORD'));
  if (!signed.ok) throw new Error(signed.error.message);
  const key = sync.state().accounts[0]?.accountKey ?? '';
  const linked = await sync.linkAccount(key);
  if (!linked.ok) throw new Error(linked.error.message);
  say({ event: 'linked', connection_id: sync.state().accounts[0]?.connectionId });
} else {
  await sync.start();
  say({
    event: 'resumed',
    local: sim.services.journal.count(),
    ids: sim.services.journal.query({ limit: 500 }).entries.map((e) => `${e.id}@${e.version}`),
  });
}
