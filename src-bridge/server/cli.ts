import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger, LogFields } from '../../src-core/logger';
import { startBridgeServer } from './bridge-server';
import {
  bridgeDir,
  defaultTokenFile,
  endpointFor,
  endpointFromOption,
  ensurePrivateDir,
  generatePipeName,
  generateToken,
  pipeFileBeside,
  readPipeFile,
  readTokenFile,
  writePipeFile,
  writeTokenFile,
} from './endpoint';
import type { BridgeSession } from './session';

const HELP = `Pipdesk bridge server (headless): accepts MT5 terminals running the PipdeskBridge EA (or the simulator)
and prints each session, request and event, to check an EA installation or a second EA implementation.

Usage: npm run bridge -- [options]

  --socket PATH        where to listen: a Unix socket path, or a pipe name / \\\\.\\pipe\\NAME on Windows
                       (default: the endpoint in pipe.txt beside the token file, else a new random
                       pipdesk-<16 hex> name; pipe.txt is (re)written so the EA finds it)
  --pipe NAME          the same as --socket (kept for older scripts)
  --token-file PATH    token file, re-read at every handshake; created when missing
                       (default: MT5 Common\\Files\\Pipdesk\\token.txt on Windows,
                       $XDG_RUNTIME_DIR/pipdesk/token.txt or <data folder>/run/token.txt elsewhere)
  --token TOKEN        use this token instead of a file (64 lowercase hex)
  --write-token        generate a fresh token and write it to the token file first
  --no-probe           do not send account/symbols/quote requests when a session opens
  --ticks              subscribe to the first symbol's ticks and print them
  --txn                keep the EA on one txn event per trade transaction and print each (default: ask
                       for coalesced trade events, as the app does, and print those)
  --quiet              print sessions only, not events
  --verbose            print the server's debug log too
  -h, --help           this text

Nothing listens on TCP. See docs/bridge-protocol.md.`;

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

function print(line: string): void {
  console.log(`${stamp()} ${line}`);
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

async function probe(session: BridgeSession, isTicks: boolean): Promise<void> {
  const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    const value = await run();
    const us = Number(process.hrtime.bigint() - started) / 1000;
    print(`  ${label} (${us.toFixed(0)} µs)`);
    return value;
  };
  const account = await timed('request account', () => session.request('account', {}));
  print(`  → ${JSON.stringify(account.ok ? account.value : account.error)}`);
  // The server's trade_events request went first and the EA answers in order, so it is settled by now.
  print(`  trade events: ${session.tradeEventForm}`);
  const symbols = await timed('request symbols', () => session.request('symbols', {}));
  if (!symbols.ok) {
    print(`  → ${JSON.stringify(symbols.error)}`);
    return;
  }
  print(`  → ${symbols.value.symbols.length} symbols`);
  const first = symbols.value.symbols.find((s) => s.selected) ?? symbols.value.symbols[0];
  if (first === undefined) return;
  const quote = await timed(`request quote ${first.name}`, () =>
    session.request('quote', { symbol: first.name }),
  );
  print(`  → ${JSON.stringify(quote.ok ? quote.value : quote.error)}`);
  if (isTicks) {
    const sub = await session.request('subscribe', { symbol: first.name });
    print(`  subscribe ${first.name} → ${JSON.stringify(sub.ok ? sub.value : sub.error)}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pipe: { type: 'string' },
      socket: { type: 'string' },
      'token-file': { type: 'string' },
      token: { type: 'string' },
      'write-token': { type: 'boolean', default: false },
      'no-probe': { type: 'boolean', default: false },
      ticks: { type: 'boolean', default: false },
      txn: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const tokenFile = values['token-file'] ?? defaultTokenFile();
  // The default folder holds the socket and the token: only its owner may enter it (docs/security.md).
  if (values['token-file'] === undefined) ensurePrivateDir(dirname(tokenFile));
  const pipeFile = pipeFileBeside(tokenFile);
  const given = values.socket ?? values.pipe;
  const path =
    given === undefined
      ? ((await readPipeFile(pipeFile)) ?? endpointFor(generatePipeName(), process.platform, bridgeDir()))
      : endpointFromOption(given);
  if (
    values.token === undefined &&
    (values['write-token'] || (await readTokenFile(tokenFile)) === undefined)
  ) {
    await writeTokenFile(tokenFile, generateToken());
    print(`wrote a fresh token to ${tokenFile}`);
  }
  await writePipeFile(pipeFile, path);
  const server = await startBridgeServer({
    path,
    ...(values.token !== undefined ? { token: values.token } : { tokenFile }),
    logger: cliLogger(values.verbose),
    tradeEvents: values.txn ? 'txn' : 'changes',
  });
  print(
    `listening on ${path} (pipe file ${pipeFile}; token ${values.token !== undefined ? 'from --token' : `file ${tokenFile}`})`,
  );
  server.onSession((event) => {
    switch (event.kind) {
      case 'opened': {
        const { hello } = event.session;
        print(
          `session opened ${event.session.key} (${event.session.id}) EA ${hello.eaVersion}, build ${hello.terminal.build}, ` +
            `${hello.account.marginMode}, ${hello.account.tradeMode}, ${hello.account.currency} 1:${hello.account.leverage}, ` +
            `algo trading ${hello.terminal.tradeAllowed ? 'on' : 'OFF'}`,
        );
        if (!values['no-probe']) {
          probe(event.session, values.ticks).catch((error: unknown) => {
            print(`probe failed: ${String(error)}`);
          });
        }
        return;
      }
      case 'closed':
        print(`session closed ${event.session.key} (${event.session.id}): ${event.reason}`);
        return;
      case 'refused':
        print(
          `handshake refused: ${event.reason} ${event.message}` +
            (event.login === undefined
              ? ''
              : ` (${event.login}@${event.server ?? '?'}, EA ${event.eaVersion ?? '?'})`),
        );
        return;
      case 'abandoned':
        print(
          `handshake abandoned by ${event.login ?? '?'}@${event.server ?? '?'}: the EA could not verify this ` +
            `server's proof (its token file differs from ${tokenFile}?)`,
        );
        return;
    }
  });
  if (!values.quiet) {
    server.onTick((tick, session) => {
      print(`tick ${session.key} ${tick.symbol} ${tick.bid}/${tick.ask}`);
    });
    server.onAccount((account, session) => {
      print(`account ${session.key} ${JSON.stringify(account)}`);
    });
    if (values.txn) {
      server.onTransaction((txn, session) => {
        print(`txn ${session.key} ${JSON.stringify(txn)}`);
      });
    } else {
      server.onTradeChange((change, session) => {
        print(`trade ${session.key} ${change.txns} transaction(s), deals [${change.deals.join(', ')}]`);
      });
    }
  }
  const shutdown = (): void => {
    print('stopping');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
