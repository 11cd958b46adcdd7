import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNonce, handshakeEndpoint, handshakeProof } from '../src-bridge/protocol/handshake';
import { NdjsonDecoder } from '../src-bridge/protocol/ndjson';
import { startBridgeServer, type SessionEvent } from '../src-bridge/server/bridge-server';
import { pipePath } from '../src-bridge/server/endpoint';
import { check } from './_targets';

/**
 * The v2 handshake's delay: from the EA's connect to the app's `welcome` (hello → challenge, the EA checks the
 * app's proof, auth → welcome; docs/bridge-protocol.md section 4), over a real socket (a Unix socket here, the
 * named pipe on Windows), against a hand-written EA that does what the reference EA does, HMACs included.
 * The baseline, measured in the same run over the same socket kind: connect, then the same two round trips
 * through a plain NDJSON echo server. The difference is what the handshake itself costs (JSON, zod, two HMACs on
 * each side, the session set-up).
 */

const HANDSHAKES = 1_000;
const WARMUP = 100;

function endpoint(): string {
  const name = `pd-bench-${randomBytes(4).toString('hex')}`;
  return process.platform === 'win32' ? pipePath(name) : join(tmpdir(), `${name}.sock`);
}

function percentile(sortedMs: readonly number[], p: number): number {
  const index = Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length));
  return sortedMs[index] ?? Number.NaN;
}

/** A connected client that hands out its frames one at a time. */
async function dial(path: string): Promise<{ socket: Socket; next: () => Promise<string> }> {
  const socket = connect(path);
  socket.setNoDelay(true);
  const frames: string[] = [];
  let waiter: ((frame: string) => void) | undefined;
  const decoder = new NdjsonDecoder({
    onFrame: (text) => {
      if (waiter === undefined) {
        frames.push(text);
        return;
      }
      const resolve = waiter;
      waiter = undefined;
      resolve(text);
    },
    onError: () => undefined,
  });
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const next = (): Promise<string> =>
    new Promise((resolve) => {
      const queued = frames.shift();
      if (queued !== undefined) resolve(queued);
      else waiter = resolve;
    });
  return { socket, next };
}

async function timed(samples: number, once: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i += 1) await once();
  const ms: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = process.hrtime.bigint();
    await once();
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** Baseline: connect and two NDJSON round trips through an echo server, then close. */
async function baseline(): Promise<{ p50: number; p99: number }> {
  const path = endpoint();
  const server: Server = createServer({ noDelay: true }, (socket) => {
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
  const line = JSON.stringify({ type: 'hb' });
  const figures = await timed(HANDSHAKES, async () => {
    const client = await dial(path);
    client.socket.write(`${line}\n`);
    await client.next();
    client.socket.write(`${line}\n`);
    await client.next();
    client.socket.destroy();
  });
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return figures;
}

/** The v2 handshake against the app's server, as an EA runs it; resolves once `welcome` arrived. */
async function handshakes(): Promise<{ p50: number; p99: number }> {
  const path = endpoint();
  const token = randomBytes(32).toString('hex');
  const server = await startBridgeServer({ path, token });
  const proofEndpoint = handshakeEndpoint(path);
  const account = {
    login: '81234567',
    server: 'Bench-Demo',
    currency: 'USD',
    leverage: 100,
    marginMode: 'hedging',
    tradeMode: 'demo',
  };
  const terminal = { build: 4755, company: 'Bench', dataPath: '/bench', tradeAllowed: true, connected: true };
  let closed: (() => void) | undefined;
  server.onSession((event: SessionEvent) => {
    if (event.kind === 'closed') closed?.();
  });
  const figures = await timed(HANDSHAKES, async () => {
    const client = await dial(path);
    const eaNonce = generateNonce();
    client.socket.write(
      `${JSON.stringify({ type: 'hello', protocol: 2, eaVersion: 'bench', nonce: eaNonce, timeOffsetSec: 0, terminal, account })}\n`,
    );
    const challenge = JSON.parse(await client.next()) as { type: string; nonce: string; proof: string };
    if (challenge.type !== 'challenge') throw new Error(`expected a challenge, got ${challenge.type}`);
    // The EA checks the app's proof before it answers: part of the delay a real EA sees.
    if (challenge.proof !== handshakeProof(token, 'app', proofEndpoint, eaNonce, challenge.nonce)) {
      throw new Error('the app sent a wrong proof');
    }
    const proof = handshakeProof(token, 'ea', proofEndpoint, eaNonce, challenge.nonce);
    client.socket.write(`${JSON.stringify({ type: 'auth', proof })}\n`);
    const welcome = JSON.parse(await client.next()) as { type: string };
    if (welcome.type !== 'welcome') throw new Error(`expected welcome, got ${welcome.type}`);
    // Let the session end before the next handshake, so each one starts from an empty server.
    const gone = new Promise<void>((resolve) => (closed = resolve));
    client.socket.destroy();
    await gone;
  });
  await server.close();
  return figures;
}

function row(label: string, value: string, target: string, isMet: boolean, ratio = ''): string {
  const hasTarget = !target.startsWith('(');
  const word = hasTarget ? check(label, value, target, isMet) : '';
  return `${label.padEnd(34)} ${value.padStart(12)}   target ${target.padEnd(12)} ${word.padEnd(7)} ${ratio}`;
}

/** Runs the benchmark and prints the handshake's delay beside the plain connect + echo baseline. */
export async function run(): Promise<void> {
  const base = await baseline();
  const hs = await handshakes();
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const x = (v: number) => `${v.toFixed(2)}× baseline`;
  console.log(
    `\nbridge-handshake (${process.platform === 'win32' ? 'named pipe' : 'Unix socket'}, server and EA in one ` +
      `process, ${HANDSHAKES} sequential connections after ${WARMUP} warm-up)`,
  );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs`,
  );
  console.log(row('connect + 2 echo round trips p50', ms(base.p50), '(baseline)', true));
  console.log(row('connect + 2 echo round trips p99', ms(base.p99), '(baseline)', true));
  // The deadlines a correct EA must meet are 2 s for hello and 2 s for auth: these targets keep it far inside.
  console.log(row('connect → welcome p50', ms(hs.p50), '≤ 2 ms', hs.p50 <= 2, x(hs.p50 / base.p50)));
  console.log(row('connect → welcome p99', ms(hs.p99), '≤ 50 ms', hs.p99 <= 50, x(hs.p99 / base.p99)));
  console.log(row('welcome p50 vs baseline p50', x(hs.p50 / base.p50), '≤ 4×', hs.p50 / base.p50 <= 4));
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
