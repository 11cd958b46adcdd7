import { parseArgs } from 'node:util';
import { SYMBOL_CATALOG } from '../../src-core/trading/catalog';
import type { Logger, LogFields } from '../../src-core/logger';
import { defaultTokenFile, endpointFromOption, pipeFileBeside } from '../server/endpoint';
import { loadReplayCsv } from './feed';
import { startSimulator } from './simulator';
import type { HandshakeFault } from './terminal';
import { fxWeekSchedule } from './trade-server';
import { brokerSimOptions } from './brokers/broker-profile';
import { BROKER_PROFILES, findBrokerProfile } from './brokers/profiles';

const HELP = `Pipdesk MT5 simulator: a simulated MT5 terminal and trade server that connects to a running Pipdesk app
(or \`npm run bridge\`) over the pipe/socket exactly as the PipdeskBridge EA does.

Usage: npm run simulator -- [options]

Connection (by default as the EA: the endpoint named in pipe.txt beside the token file)
  --socket PATH               the endpoint: a Unix socket path, or \\\\.\\pipe\\NAME on Windows
  --pipe NAME|PATH            a pipe name (Windows) or the same as --socket
  --pipe-file PATH            read the endpoint from this pipe.txt before each attempt
  --token-file PATH           read the pairing token from this file before each attempt (default as the app's)
  --token TOKEN               use this token instead (it never crosses the pipe: only proofs do)
  --time-offset SEC           trade server clock minus UTC in seconds (default 0; e.g. 10800 for UTC+3)
Broker (docs/broker-profiles.md)
  --broker ID                 play a broker's account type: ${BROKER_PROFILES.map((p) => p.id).join(', ')}
                              (its suffixed symbols, contract sizes, volumes, levels, currency, leverage and
                              server clock; --login, --balance, --margin-mode, --symbols and --time-offset still apply)
Account
  --login N                   (default 5001)      --server NAME      (default Pipdesk-Sim)
  --currency CCY              (default USD)       --leverage N       (default 100)
  --balance AMOUNT            (default 10000)     --margin-mode netting|hedging (default hedging)
Market
  --seed N                    feed and requote seed (default 1)
  --symbols A,B,...           catalog symbols (default all ${SYMBOL_CATALOG.length})
  --tick-ms MS                random-walk step period (default 250; 0 = still)
  --replay FILE.csv           replay ticks (time,symbol,bid,ask) or bars (time,symbol,open,high,low,close)
  --replay-ms MS              pace of the replay (default 100)
  --requote-rate P            probability of a requote on instant execution (0..1, default 0)
  --slippage-points N         market-execution slippage bound (default 0)
  --schedule always|fx-week   market hours (default always)
  --market-closed             every market closed (10018)
  --autotrading on|off        the Algo Trading button (off → 10027; default on)
Faults
  --fault-drop-before-execute N   drop the link on the N-th order_send, before executing it
  --fault-drop-after-execute N    execute the N-th order_send, then drop the link without answering
  --fault-delay-ms MS             delay every response
  --fault-garbage N               send N garbage frames after the handshake
  --fault-handshake KIND          bad-token | bad-protocol | bad-hello | silent | no-auth
  --fault-no-heartbeat            send nothing unsolicited (the app drops the link after its silence timeout)
  --fault-restart-after N         restart the terminal (forgetting its dedup table) after N requests
  --fault-hold-ms MS              hold every order_send MS inside "OrderSend", reading nothing meanwhile
  --offline                       the terminal is off the trade server (order_send and lookup: TERMINAL_ERROR)
Other
  --verbose                   print the simulator's log
  -h, --help                  this text

See docs/bridge-protocol.md, section 14.`;

function print(line: string): void {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

function cliLogger(isVerbose: boolean): Logger {
  const at =
    (level: string, isShown: boolean) =>
    (message: string, fields?: LogFields): void => {
      if (isShown) print(`[${level}] ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`);
    };
  return {
    debug: at('debug', isVerbose),
    info: at('info', isVerbose),
    warn: at('warn', true),
    error: at('error', true),
  };
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pipe: { type: 'string' },
      socket: { type: 'string' },
      'pipe-file': { type: 'string' },
      'token-file': { type: 'string' },
      token: { type: 'string' },
      'time-offset': { type: 'string' },
      broker: { type: 'string' },
      login: { type: 'string' },
      server: { type: 'string' },
      currency: { type: 'string' },
      leverage: { type: 'string' },
      balance: { type: 'string' },
      'margin-mode': { type: 'string' },
      seed: { type: 'string' },
      symbols: { type: 'string' },
      'tick-ms': { type: 'string' },
      replay: { type: 'string' },
      'replay-ms': { type: 'string' },
      'requote-rate': { type: 'string' },
      'slippage-points': { type: 'string' },
      schedule: { type: 'string' },
      'market-closed': { type: 'boolean', default: false },
      autotrading: { type: 'string' },
      'fault-drop-before-execute': { type: 'string' },
      'fault-drop-after-execute': { type: 'string' },
      'fault-delay-ms': { type: 'string' },
      'fault-garbage': { type: 'string' },
      'fault-handshake': { type: 'string' },
      'fault-no-heartbeat': { type: 'boolean', default: false },
      'fault-restart-after': { type: 'string' },
      'fault-hold-ms': { type: 'string' },
      offline: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const tokenFile = values['token-file'] ?? defaultTokenFile();
  const given = values.socket ?? values.pipe;
  const endpoint = given === undefined ? undefined : endpointFromOption(given);
  const pipeFile = values['pipe-file'] ?? pipeFileBeside(tokenFile);
  const profile = values.broker === undefined ? undefined : findBrokerProfile(values.broker);
  if (values.broker !== undefined && profile === undefined) {
    throw new Error(`--broker must be one of ${BROKER_PROFILES.map((p) => p.id).join(', ')}`);
  }
  const broker = profile === undefined ? undefined : brokerSimOptions(profile);
  const timeOffsetSec = int(values['time-offset'], broker?.timeOffsetSec ?? 0, 'time-offset');
  if (!Number.isInteger(timeOffsetSec) || Math.abs(timeOffsetSec) > 86_400) {
    throw new Error('--time-offset must be a whole number of seconds from -86400 to 86400');
  }
  const marginMode = values['margin-mode'] ?? broker?.account.marginMode ?? 'hedging';
  if (marginMode !== 'hedging' && marginMode !== 'netting')
    throw new Error('--margin-mode must be netting or hedging');
  const handshake = values['fault-handshake'];
  const kinds: readonly HandshakeFault[] = ['bad-token', 'bad-protocol', 'bad-hello', 'silent', 'no-auth'];
  if (handshake !== undefined && !kinds.includes(handshake as HandshakeFault)) {
    throw new Error(`--fault-handshake must be one of ${kinds.join(', ')}`);
  }
  const names = values.symbols
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // With a broker, --symbols picks among its suffixed symbols (by either name: EURUSD or EURUSDm).
  const symbols =
    broker === undefined
      ? names
      : broker.symbols.filter(
          (spec) =>
            names === undefined ||
            names.includes(spec.name) ||
            names.some((n) => `${n}${profile?.suffix ?? ''}` === spec.name),
        );
  const specs = new Map((broker?.symbols ?? SYMBOL_CATALOG).map((s) => [s.name, s]));
  let replay;
  if (values.replay !== undefined) {
    const loaded = await loadReplayCsv(values.replay, specs);
    if (!loaded.ok) throw new Error(loaded.error.message);
    replay = loaded.value;
  }
  const logger = cliLogger(values.verbose);
  const sim = startSimulator({
    ...(endpoint === undefined ? { pipeFile } : { path: endpoint }),
    ...(values.token !== undefined ? { token: values.token } : { tokenFile }),
    timeOffsetSec,
    account: {
      ...broker?.account,
      login: values.login ?? '5001',
      server: values.server ?? broker?.account.server ?? 'Pipdesk-Sim',
      currency: values.currency ?? broker?.account.currency ?? 'USD',
      leverage: int(values.leverage, broker?.account.leverage ?? 100, 'leverage'),
      balance: int(values.balance, 10_000, 'balance'),
      marginMode,
    },
    ...(symbols === undefined ? {} : { symbols }),
    ...(broker === undefined
      ? {}
      : { mids: broker.mids, commissionPerLotPerSide: broker.commissionPerLotPerSide }),
    seed: int(values.seed, 1, 'seed'),
    tickMs: int(values['tick-ms'], 250, 'tick-ms'),
    ...(replay === undefined ? {} : { replay, replayMs: int(values['replay-ms'], 100, 'replay-ms') }),
    requoteRate: int(values['requote-rate'], 0, 'requote-rate'),
    slippagePoints: int(values['slippage-points'], 0, 'slippage-points'),
    ...(values.schedule === 'fx-week' ? { schedule: fxWeekSchedule } : {}),
    logger,
    faults: {
      dropBeforeExecute: int(values['fault-drop-before-execute'], 0, 'fault-drop-before-execute'),
      dropAfterExecute: int(values['fault-drop-after-execute'], 0, 'fault-drop-after-execute'),
      delayMs: int(values['fault-delay-ms'], 0, 'fault-delay-ms'),
      handshake: handshake as HandshakeFault | undefined,
      noHeartbeat: values['fault-no-heartbeat'],
      restartAfterRequests: int(values['fault-restart-after'], 0, 'fault-restart-after'),
      orderSendHoldMs: int(values['fault-hold-ms'], 0, 'fault-hold-ms'),
    },
  });
  if (values['market-closed']) sim.setMarketOpen('*', false);
  if (values.autotrading === 'off') sim.setAutotrading(false);
  if (values.offline) sim.setTradeServerConnected(false);
  const garbage = int(values['fault-garbage'], 0, 'fault-garbage');
  if (garbage > 0) sim.sendGarbage(garbage);
  print(`simulated terminal ${sim.key} connecting to ${endpoint ?? `the endpoint named in ${pipeFile}`}`);
  sim.onStatus((status) => {
    switch (status.kind) {
      case 'connected':
        print(`connected (session ${status.sessionId})`);
        return;
      case 'refused':
        print(`refused: ${status.reason} ${status.message}`);
        return;
      case 'impostor':
        print(`WARNING: ${status.message}`);
        return;
      case 'disconnected':
        print(`disconnected (${status.reason}); reconnecting with backoff`);
        return;
    }
  });
  sim.state.onTransaction((txn) => {
    if (txn.txnType === 10) print(`trade ${txn.comment ?? ''} → retcode ${txn.retcode ?? 0}`);
  });
  // The simulator's own timers (feed, reconnect backoff) are unref'd so that, inside the app in demo mode, they
  // never keep it running; as its own process it must stay up while the app is away and reconnect when it is back,
  // until Ctrl+C or SIGTERM.
  const keepAlive = setInterval(() => undefined, 1_000_000_000);
  const shutdown = (): void => {
    clearInterval(keepAlive);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
