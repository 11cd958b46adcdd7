import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NdjsonDecoder } from '../src-bridge/protocol/ndjson';
import { startBridgeServer, type BridgeServer } from '../src-bridge/server/bridge-server';
import { pipePath } from '../src-bridge/server/endpoint';
import type { BridgeSession } from '../src-bridge/server/session';
import type { TradeEventForm } from '../src-bridge/protocol/messages';
import { startSimulator, type SimulatorHandle } from '../src-bridge/simulator/simulator';
import { check } from './_targets';

/**
 * Bridge round trips through a real socket (a Unix socket here, the named pipe on Windows) to the simulator,
 * beside a raw NDJSON echo over the same socket kind in the same process and run: the echo is the floor the
 * protocol stack (framing, JSON, zod validation, the simulator's trade server) adds to.
 */

const SEQUENTIAL = 3_000;
const PIPELINED = 20_000;
const WARMUP = 500;

function endpoint(): string {
  const name = `pd-bench-${randomBytes(4).toString('hex')}`;
  return process.platform === 'win32' ? pipePath(name) : join(tmpdir(), `${name}.sock`);
}

function percentile(sortedUs: readonly number[], p: number): number {
  const index = Math.min(sortedUs.length - 1, Math.floor((p / 100) * sortedUs.length));
  return sortedUs[index] ?? Number.NaN;
}

interface Figures {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

async function measure(
  once: () => Promise<void>,
  pipelined: (count: number) => Promise<void>,
): Promise<Figures> {
  for (let i = 0; i < WARMUP; i += 1) await once();
  const samples: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const started = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  samples.sort((a, b) => a - b);
  // Warm the JIT and zod's compiled parsers on the pipelined path too: the figure is the steady state.
  for (let i = 0; i < 3; i += 1) await pipelined(5_000);
  const started = process.hrtime.bigint();
  await pipelined(PIPELINED);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), perSecond: PIPELINED / seconds };
}

/** A raw NDJSON echo server and client over the same socket kind. */
async function rawEcho(): Promise<{ figures: Figures; close: () => Promise<void> }> {
  const path = endpoint();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    const decoder = new NdjsonDecoder({
      onFrame: (text) => socket.write(`${text}\n`),
      onError: () => undefined,
    });
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client: Socket = connect(path);
  client.setNoDelay(true);
  await new Promise<void>((resolve) => client.once('connect', resolve));
  let waiting: { remaining: number; resolve: () => void } | undefined;
  const decoder = new NdjsonDecoder({
    onFrame: () => {
      if (waiting === undefined) return;
      waiting.remaining -= 1;
      if (waiting.remaining === 0) {
        const done = waiting.resolve;
        waiting = undefined;
        done();
      }
    },
    onError: () => undefined,
  });
  client.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
  });
  const frame = `${JSON.stringify({ type: 'quote', id: 'r-1', deadlineMs: 2000, expiresAt: 0, symbol: 'EURUSD' })}\n`;
  const roundTrip = (count: number): Promise<void> =>
    new Promise((resolve) => {
      waiting = { remaining: count, resolve };
      client.write(frame.repeat(count));
    });
  const figures = await measure(
    () => roundTrip(1),
    (count) => roundTrip(count),
  );
  return {
    figures,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

async function bridge(
  marginMode: 'hedging' | 'netting',
  tradeEvents: TradeEventForm = 'changes',
): Promise<{ server: BridgeServer; sim: SimulatorHandle; session: BridgeSession }> {
  const path = endpoint();
  const token = randomBytes(32).toString('hex');
  const server = await startBridgeServer({ path, token, tradeEvents });
  const opened = new Promise<BridgeSession>((resolve) => {
    const off = server.onSession((event) => {
      if (event.kind === 'opened') {
        off();
        resolve(event.session);
      }
    });
  });
  const sim = startSimulator({ path, token, account: { marginMode, balance: 1_000_000_000 } });
  const session = await opened;
  // The form is settled before anything is measured (the server asks as the session opens).
  if (tradeEvents === 'changes' && (await session.useTradeChanges()) !== 'changes') {
    throw new Error('the simulator did not switch to trade events');
  }
  return { server, sim, session };
}

/**
 * Market orders through the app's request API, with the EA reporting trades in `tradeEvents` form. Netting,
 * alternating buy and sell of the same volume: the book stays at one position at most, so the figure is the
 * protocol's and the trade server's, not that of a growing position list. Every order's deal must reach the app
 * as a trade change before the figure counts: dropping events would not make orders faster.
 */
async function orderFigures(tradeEvents: TradeEventForm): Promise<Figures> {
  const side = await bridge('netting', tradeEvents);
  let dealsSeen = 0;
  side.session.onTradeChange((change) => {
    dealsSeen += change.deals.length;
  });
  let n = 0;
  const order = () => {
    n += 1;
    return side.session.request(
      'order_send',
      {
        action: 'DEAL',
        symbol: 'EURUSD',
        orderType: n % 2 === 0 ? 'SELL' : 'BUY',
        volume: 0.01,
        clOrdId: `b-${n}`,
        magic: '1',
      },
      { deadlineMs: 60_000 },
    );
  };
  const figures = await measure(
    async () => {
      const r = await order();
      if (!r.ok || r.value.retcode !== 10009) throw new Error('order failed');
    },
    async (count) => {
      const results = await Promise.all(Array.from({ length: count }, order));
      const bad = results.find((r) => !r.ok || r.value.retcode !== 10009);
      if (bad !== undefined) throw new Error(`a pipelined order failed: ${JSON.stringify(bad)}`);
    },
  );
  // Trade events follow the answers; give the last ones a moment to arrive.
  for (let waited = 0; dealsSeen < n && waited < 5_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await side.sim.stop();
  await side.server.close();
  if (dealsSeen !== n) throw new Error(`${n} orders, but trade events named ${dealsSeen} deals`);
  return figures;
}

function row(label: string, value: string, target: string, isMet: boolean, ratio = ''): string {
  const hasTarget = !target.startsWith('(');
  const word = hasTarget ? check(label, value, target, isMet) : '';
  return `${label.padEnd(34)} ${value.padStart(12)}   target ${target.padEnd(12)} ${word.padEnd(7)} ${ratio}`;
}

/** Runs the benchmark and prints each figure beside its target and its ratio to the raw echo. */
export async function run(): Promise<void> {
  const echo = await rawEcho();
  await echo.close();

  const quoteSide = await bridge('hedging');
  const quote = await measure(
    async () => {
      const r = await quoteSide.session.request('quote', { symbol: 'EURUSD' });
      if (!r.ok) throw new Error(r.error.message);
    },
    async (count) => {
      const results = await Promise.all(
        // A long deadline: a burst queues thousands of requests, and the deadline is not what is measured.
        Array.from({ length: count }, () =>
          quoteSide.session.request('quote', { symbol: 'EURUSD' }, { deadlineMs: 60_000 }),
        ),
      );
      const bad = results.find((r) => !r.ok);
      if (bad !== undefined) throw new Error(`a pipelined quote failed: ${JSON.stringify(bad)}`);
    },
  );
  await quoteSide.sim.stop();
  await quoteSide.server.close();

  const orders = await orderFigures('changes');
  // What an EA that predates trade_events costs (a txn frame per transaction, six per market order): no target.
  const ordersTxn = await orderFigures('txn');

  const e = echo.figures;
  const us = (v: number) => `${v.toFixed(0)} µs`;
  const rate = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;
  const x = (v: number) => `${v.toFixed(2)}× echo`;
  console.log(
    `\nbridge-latency (${process.platform === 'win32' ? 'named pipe' : 'Unix socket'}, server + simulator in one process, ` +
      `${SEQUENTIAL} sequential, ${PIPELINED.toLocaleString('en-US')} pipelined)`,
  );
  // Shared CI boxes are often oversubscribed; p99 and throughput move with the load, so print it.
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs`,
  );
  console.log(row('raw echo p50', us(e.p50), '(baseline)', true));
  console.log(row('raw echo p99', us(e.p99), '(baseline)', true));
  console.log(row('raw echo pipelined', rate(e.perSecond), '(baseline)', true));
  console.log(row('quote p50', us(quote.p50), '≤ 150 µs', quote.p50 <= 150, x(quote.p50 / e.p50)));
  console.log(row('quote p99', us(quote.p99), '≤ 1000 µs', quote.p99 <= 1000, x(quote.p99 / e.p99)));
  console.log(
    row(
      'quote pipelined',
      rate(quote.perSecond),
      '≥ 20,000/s',
      quote.perSecond >= 20_000,
      `${(quote.perSecond / e.perSecond).toFixed(2)}× echo`,
    ),
  );
  console.log(row('quote p50 vs echo p50', x(quote.p50 / e.p50), '≤ 3×', quote.p50 / e.p50 <= 3));
  console.log(row('order_send p50', us(orders.p50), '(no target)', true, x(orders.p50 / e.p50)));
  console.log(row('order_send p99', us(orders.p99), '(no target)', true, x(orders.p99 / e.p99)));
  console.log(
    row(
      'order_send pipelined',
      rate(orders.perSecond),
      '≥ 20,000/s',
      orders.perSecond >= 20_000,
      `${(orders.perSecond / e.perSecond).toFixed(2)}× echo`,
    ),
  );
  console.log(
    row(
      'order_send pipelined, txn events',
      rate(ordersTxn.perSecond),
      '(no target)',
      true,
      `${(ordersTxn.perSecond / e.perSecond).toFixed(2)}× echo`,
    ),
  );
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
