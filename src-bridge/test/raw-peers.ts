import { connect, createServer, type Server, type Socket } from 'node:net';
import { generateNonce, handshakeEndpoint, handshakeProof } from '../protocol/handshake';
import { NdjsonDecoder } from '../protocol/ndjson';
import { socketPath } from './harness';

/** Test kit: hand-driven peers speaking raw NDJSON, to drive the server and the simulator frame by frame. */

type Frame = Record<string, unknown>;

/** Collects frames and lets a test wait for one. */
class FrameLog {
  readonly frames: Frame[] = [];
  readonly #waiters: { predicate: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  push(frame: Frame): void {
    this.frames.push(frame);
    const i = this.#waiters.findIndex((w) => w.predicate(frame));
    if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(frame);
  }

  next(predicate: (f: Frame) => boolean = () => true): Promise<Frame> {
    return new Promise((resolve) => {
      const found = this.frames.find(predicate);
      if (found !== undefined) resolve(found);
      else this.#waiters.push({ predicate, resolve });
    });
  }
}

/** A raw client (an EA written by hand). */
export interface RawClient {
  readonly socket: Socket;
  readonly frames: Frame[];
  /** Every byte received, as text (to look for leaked secrets). */
  readonly received: () => string;
  send(value: unknown): void;
  nextFrame(predicate?: (f: Frame) => boolean): Promise<Frame>;
  readonly closed: Promise<void>;
}

/** Connects a raw client; `track` receives its cleanup. */
export function rawClient(path: string, track: (cleanup: () => Promise<void>) => void): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const log = new FrameLog();
    let text = '';
    const decoder = new NdjsonDecoder({
      onFrame: (frame) => {
        log.push(JSON.parse(frame) as Frame);
      },
      onError: () => undefined,
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      decoder.push(chunk);
    });
    const closed = new Promise<void>((r) =>
      socket.on('close', () => {
        r();
      }),
    );
    socket.on('error', () => undefined);
    track(async () => {
      socket.destroy();
      await closed;
    });
    socket.once('connect', () => {
      resolve({
        socket,
        frames: log.frames,
        received: () => text,
        closed,
        send: (value) => socket.write(typeof value === 'string' ? value : `${JSON.stringify(value)}\n`),
        nextFrame: (predicate) => log.next(predicate),
      });
    });
    socket.once('error', reject);
  });
}

/** A valid v2 hello from a hand-written EA. */
export function rawHello(overrides: Frame = {}): Frame {
  return {
    type: 'hello',
    protocol: 2,
    eaVersion: 'raw-2',
    nonce: generateNonce(),
    timeOffsetSec: 0,
    terminal: { build: 1, company: 'Raw', dataPath: '/raw', tradeAllowed: true },
    account: {
      login: '777',
      server: 'Raw-Demo',
      currency: 'USD',
      leverage: 100,
      marginMode: 'netting',
      tradeMode: 'demo',
    },
    ...overrides,
  };
}

/** Runs the EA's side of the handshake on a raw client and resolves with the app's answer to `auth`. */
export async function pairRaw(
  client: RawClient,
  token: string,
  path: string,
  hello = rawHello(),
): Promise<Frame> {
  client.send(hello);
  const challenge = await client.nextFrame((f) => f['type'] === 'challenge' || f['type'] === 'refused');
  if (challenge['type'] !== 'challenge') return challenge;
  const eaNonce = String(hello['nonce']);
  const appNonce = String(challenge['nonce']);
  const endpoint = handshakeEndpoint(path);
  if (challenge['proof'] !== handshakeProof(token, 'app', endpoint, eaNonce, appNonce)) {
    throw new Error('the app sent a wrong proof');
  }
  client.send({ type: 'auth', proof: handshakeProof(token, 'ea', endpoint, eaNonce, appNonce) });
  return client.nextFrame((f) => f['type'] === 'welcome' || f['type'] === 'refused');
}

/** A hand-driven app (or a squatter): accepts connections and lets the test answer frames. */
export interface RawApp {
  readonly path: string;
  /** Every frame received from every connection. */
  readonly frames: Frame[];
  /** Every byte received, as text. */
  readonly received: () => string;
  /** Sends to the latest connection. */
  send(value: unknown): void;
  nextFrame(predicate: (f: Frame) => boolean): Promise<Frame>;
  /** Connections accepted so far. */
  readonly connections: () => number;
  readonly server: Server;
}

/**
 * A raw app. `onHello` answers a hello (by default: a correct challenge when `token` is given, then a welcome
 * after auth; nothing without a token). Tests replace it to play a squatter.
 */
export async function rawApp(
  track: (cleanup: () => Promise<void>) => void,
  options: {
    readonly token?: string;
    readonly silenceMs?: number;
    readonly path?: string;
    readonly onFrame?: (frame: Frame, reply: (value: unknown) => void, close: () => void) => void;
  } = {},
): Promise<RawApp> {
  const path = options.path ?? socketPath();
  const log = new FrameLog();
  let text = '';
  let socket: Socket | undefined;
  let count = 0;
  const netServer = createServer((s) => {
    socket = s;
    count += 1;
    let eaNonce = '';
    let appNonce = '';
    const reply = (value: unknown): void => {
      s.write(typeof value === 'string' ? value : `${JSON.stringify(value)}\n`);
    };
    const decoder = new NdjsonDecoder({
      onFrame: (raw) => {
        const frame = JSON.parse(raw) as Frame;
        if (options.onFrame !== undefined) {
          options.onFrame(frame, reply, () => {
            s.end();
          });
        } else if (options.token !== undefined && frame['type'] === 'hello') {
          eaNonce = String(frame['nonce']);
          appNonce = generateNonce();
          const proof = handshakeProof(options.token, 'app', handshakeEndpoint(path), eaNonce, appNonce);
          reply({ type: 'challenge', protocol: 2, nonce: appNonce, proof });
        } else if (options.token !== undefined && frame['type'] === 'auth') {
          reply({
            type: 'welcome',
            protocol: 2,
            sessionId: 's-raw',
            heartbeatMs: 5000,
            silenceMs: options.silenceMs ?? 15_000,
            maxFrameBytes: 1048576,
            app: 'raw',
          });
        }
        log.push(frame);
      },
      onError: () => undefined,
    });
    s.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      decoder.push(chunk);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => netServer.listen(path, r));
  track(async () => {
    socket?.destroy();
    await new Promise<void>((r) =>
      netServer.close(() => {
        r();
      }),
    );
  });
  return {
    path,
    frames: log.frames,
    received: () => text,
    send: (value) => socket?.write(typeof value === 'string' ? value : `${JSON.stringify(value)}\n`),
    nextFrame: (predicate) => log.next(predicate),
    connections: () => count,
    server: netServer,
  };
}
