// The soak's simulated MT5 terminal, in a worker thread of its own: a thread has its own V8 heap, so the soak can
// weigh the app's heap apart from the terminal's, which grows with its history as a real terminal's does
// (docs/testing.md, "Soak"). Loaded by terminal-thread.ts; answers one TerminalRequest at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator } from '../../src-bridge/simulator/simulator';
import { heapAfterGc } from './heap';
import type {
  TerminalAnswers,
  TerminalCall,
  TerminalReply,
  TerminalRequest,
  TerminalThreadInit,
} from './terminal-messages';

const init = workerData as TerminalThreadInit;
const port = parentPort;
if (port === null) throw new Error('terminal-worker: not started as a worker thread');

let nowMs = init.startMs;
const sim = startSimulator({
  path: init.path,
  token: init.token,
  clock: { now: () => nowMs },
  account: { balance: init.balance },
  symbols: [...init.symbols],
  tickMs: 0,
  historyBars: 0,
  reconnect: { minMs: 5, maxMs: 50 },
  commissionPerLotPerSide: init.commissionPerLotPerSide,
  seed: init.seed,
});

async function answer(call: TerminalCall): Promise<TerminalAnswers[TerminalCall['op']]> {
  switch (call.op) {
    case 'step':
      nowMs = call.nowMs;
      for (const [symbol, bid, ask] of call.quotes) sim.setPrice(symbol, bid, ask);
      return sim.state.positions().map((p) => p.ticket);
    case 'waitForSession':
      await sim.waitForSession(10_000);
      return null;
    case 'drop':
      sim.drop();
      await sim.waitForSession(10_000);
      return null;
    case 'restart':
      sim.restart();
      await sim.waitForSession(10_000);
      return null;
    case 'facts': {
      const account = sim.state.account();
      return { balance: account.balance, currencyDigits: account.currencyDigits, deals: sim.state.deals() };
    }
    case 'heap':
      return heapAfterGc();
    case 'stop':
      await sim.stop();
      return null;
  }
}

port.on('message', (request: TerminalRequest) => {
  answer(request.call).then(
    (value) => {
      port.postMessage({ id: request.id, ok: true, value } satisfies TerminalReply);
    },
    (error: unknown) => {
      port.postMessage({ id: request.id, ok: false, message: String(error) } satisfies TerminalReply);
    },
  );
});
