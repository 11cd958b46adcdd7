import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Auth, Hello } from '../../protocol/messages';

/**
 * A minimal protocol v2 app written for the live EA tests: it listens on a Unix socket, answers hello with a
 * challenge (a CSPRNG nonce and its proof), checks the EA's auth in constant time, sends welcome, and then sends
 * requests and collects what the EA writes. With `proofToken` it plays a squatter that does not know the token
 * (the real bridge server cannot be made to lie about its proof).
 */
export interface V2TestServer {
  readonly path: string;
  /** Every frame the EA wrote, in order, per connection. */
  readonly connections: Record<string, unknown>[][];
  /** Resolves when an EA has completed the handshake (welcome sent). */
  readonly paired: Promise<void>;
  /** Sends a request on the paired connection and resolves with its response frame. */
  request(type: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export function proof(
  token: string,
  role: 'app' | 'ea',
  endpoint: string,
  eaNonce: string,
  appNonce: string,
): string {
  return createHmac('sha256', Buffer.from(token, 'ascii'))
    .update(`pipdesk/2\n${role}\n${endpoint}\n${eaNonce}\n${appNonce}`, 'utf8')
    .digest('hex');
}

export async function startV2TestServer(options: {
  path: string;
  token: string;
  /** The token the server's own proof is made with (default: `token`). */
  proofToken?: string;
}): Promise<V2TestServer> {
  const connections: Record<string, unknown>[][] = [];
  const sockets = new Set<Socket>();
  const waiting = new Map<string, (frame: Record<string, unknown>) => void>();
  let live: Socket | undefined;
  let markPaired: () => void = () => undefined;
  const paired = new Promise<void>((resolve) => {
    markPaired = resolve;
  });
  let nextId = 0;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const frames: Record<string, unknown>[] = [];
    connections.push(frames);
    let buffered = '';
    let eaNonce = '';
    const appNonce = randomBytes(32).toString('hex');
    const send = (frame: Record<string, unknown>) => socket.write(`${JSON.stringify(frame)}\n`);
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const frame = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        frames.push(frame);
        if (frame.type === 'hello') {
          eaNonce = Hello.parse(frame).nonce;
          const mine = proof(options.proofToken ?? options.token, 'app', options.path, eaNonce, appNonce);
          send({ type: 'challenge', protocol: 2, nonce: appNonce, proof: mine });
        } else if (frame.type === 'auth') {
          const presented = Buffer.from(Auth.parse(frame).proof, 'ascii');
          const expected = Buffer.from(proof(options.token, 'ea', options.path, eaNonce, appNonce), 'ascii');
          if (!timingSafeEqual(presented, expected)) {
            send({ type: 'refused', reason: 'BAD_TOKEN', message: 'wrong proof' });
            socket.end();
            continue;
          }
          send({
            type: 'welcome',
            protocol: 2,
            sessionId: 's-live',
            heartbeatMs: 5000,
            silenceMs: 15000,
            maxFrameBytes: 1_048_576,
            app: 'pipdesk/v2-test-server',
          });
          live = socket;
          markPaired();
        } else if (frame.type === 'response') {
          waiting.get(String(frame.id))?.(frame);
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.path, resolve));

  return {
    path: options.path,
    connections,
    paired,
    request(type, params = {}) {
      nextId++;
      const id = `q-${nextId}`;
      return new Promise((resolve, reject) => {
        if (live === undefined) {
          reject(new Error('no paired EA'));
          return;
        }
        waiting.set(id, resolve);
        live.write(
          `${JSON.stringify({ type, id, deadlineMs: 10_000, expiresAt: Date.now() + 10_000, ...params })}\n`,
        );
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
