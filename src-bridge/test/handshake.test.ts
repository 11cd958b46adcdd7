import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateNonce, handshakeEndpoint, handshakeProof, proofsEqual } from '../protocol/handshake';
import { createMemoryLogger } from '../../src-core/logger';
import { startBridgeServer, type BridgeServer, type SessionEvent } from '../server/bridge-server';
import { generateToken, writeTokenFile } from '../server/endpoint';
import { startSimulator, type SimulatorHandle } from '../simulator/simulator';
import { next, socketPath } from './harness';
import { pairRaw, rawApp, rawClient, rawHello } from './raw-peers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
const track = (cleanup: () => Promise<void>): void => {
  cleanups.push(cleanup);
};

async function server(options: Partial<Parameters<typeof startBridgeServer>[0]> = {}): Promise<{
  server: BridgeServer;
  path: string;
  token: string;
  log: ReturnType<typeof createMemoryLogger>;
}> {
  const path = options.path ?? socketPath();
  const token = generateToken();
  const log = createMemoryLogger();
  const s = await startBridgeServer({ path, token, logger: log, ...options });
  track(() => s.close());
  return { server: s, path, token, log };
}

function sim(options: Parameters<typeof startSimulator>[0]): SimulatorHandle {
  const handle = startSimulator({ reconnect: { minMs: 20, maxMs: 200 }, refusedRetryMs: 50, ...options });
  track(() => handle.stop());
  return handle;
}

const refusedWith = (reason: string) => (e: SessionEvent) => e.kind === 'refused' && e.reason === reason;

const ORDER = {
  type: 'order_send',
  id: 'x-1',
  deadlineMs: 30_000,
  expiresAt: Date.now() + 600_000,
  clOrdId: 'squat-1',
  magic: '1',
  action: 'DEAL',
  symbol: 'EURUSD',
  orderType: 'BUY',
  volume: 5,
};

describe('handshake proofs', () => {
  // The vector docs/bridge-protocol.md prints for other implementations (the doc test checks it there too).
  const token = '9f2c4b7e1d3a5c6b8e0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b';
  const eaNonce = '0'.repeat(62) + '01';
  const appNonce = '0'.repeat(62) + '02';

  it('are HMAC-SHA256 over role, endpoint and both nonces, keyed by the token text', () => {
    const app = handshakeProof(token, 'app', 'pipdesk-1a2b3c4d5e6f7a8b', eaNonce, appNonce);
    const ea = handshakeProof(token, 'ea', 'pipdesk-1a2b3c4d5e6f7a8b', eaNonce, appNonce);
    expect(app).toMatch(/^[0-9a-f]{64}$/);
    expect(ea).not.toBe(app);
    expect(handshakeProof(token, 'app', 'pipdesk-1a2b3c4d5e6f7a8c', eaNonce, appNonce)).not.toBe(app);
    expect(handshakeProof(token, 'app', 'pipdesk-1a2b3c4d5e6f7a8b', appNonce, eaNonce)).not.toBe(app);
    expect(handshakeProof(generateToken(), 'app', 'pipdesk-1a2b3c4d5e6f7a8b', eaNonce, appNonce)).not.toBe(
      app,
    );
  });

  it('compare in constant time and refuse anything that is not 64 hex', () => {
    const p = handshakeProof(token, 'ea', '/x.sock', eaNonce, appNonce);
    expect(proofsEqual(p, p)).toBe(true);
    expect(proofsEqual(p.toUpperCase(), p)).toBe(false);
    expect(proofsEqual(p.slice(1), p)).toBe(false);
    expect(proofsEqual('', '')).toBe(false);
  });

  it('cover the pipe name on Windows and the socket path elsewhere', () => {
    expect(handshakeEndpoint('\\\\.\\pipe\\pipdesk-1a2b3c4d5e6f7a8b')).toBe('pipdesk-1a2b3c4d5e6f7a8b');
    expect(handshakeEndpoint('/run/user/1000/pipdesk/pipdesk-1a2b3c4d5e6f7a8b.sock')).toBe(
      '/run/user/1000/pipdesk/pipdesk-1a2b3c4d5e6f7a8b.sock',
    );
  });
});

describe('v2 handshake at the server', () => {
  it('pairs an EA that proves the token; the token never crosses the pipe', async () => {
    const s = await server();
    const ea = await rawClient(s.path, track);
    expect(await pairRaw(ea, s.token, s.path)).toMatchObject({ type: 'welcome', protocol: 2 });
    expect(ea.received()).not.toContain(s.token);
    expect(JSON.stringify(s.log.records)).not.toContain(s.token);
  });

  it.each([
    ['protocol 1 with a token', { protocol: 1, token: 'a'.repeat(64) }],
    ['protocol 2 carrying a token field', { token: 'a'.repeat(64) }],
    ['protocol 3', { protocol: 3 }],
  ])('refuses %s with PROTOCOL_UNSUPPORTED and tells the trader to update the EA', async (_label, fields) => {
    const s = await server();
    const ea = await rawClient(s.path, track);
    const refused = next(s.server.onSession, refusedWith('PROTOCOL_UNSUPPORTED'));
    ea.send(rawHello(fields));
    const frame = await ea.nextFrame();
    expect(frame).toMatchObject({ type: 'refused', reason: 'PROTOCOL_UNSUPPORTED', supported: '2' });
    expect(String(frame['message'])).toMatch(/update/i);
    await refused;
    await ea.closed;
    expect(JSON.stringify(s.log.records)).not.toContain('a'.repeat(64));
  });

  it('refuses a wrong proof with BAD_TOKEN', async () => {
    const s = await server();
    const ea = await rawClient(s.path, track);
    const hello = rawHello();
    ea.send(hello);
    const challenge = await ea.nextFrame((f) => f['type'] === 'challenge');
    const wrong = handshakeProof(
      generateToken(),
      'ea',
      handshakeEndpoint(s.path),
      String(hello['nonce']),
      String(challenge['nonce']),
    );
    ea.send({ type: 'auth', proof: wrong });
    expect(await ea.nextFrame((f) => f['type'] === 'refused')).toMatchObject({ reason: 'BAD_TOKEN' });
    await ea.closed;
    expect(s.server.sessions()).toEqual([]);
  });

  it("refuses the app's own proof reflected back as auth", async () => {
    const s = await server();
    const ea = await rawClient(s.path, track);
    ea.send(rawHello());
    const challenge = await ea.nextFrame((f) => f['type'] === 'challenge');
    ea.send({ type: 'auth', proof: challenge['proof'] });
    expect(await ea.nextFrame((f) => f['type'] === 'refused')).toMatchObject({ reason: 'BAD_TOKEN' });
  });

  it('refuses a replayed auth: the app nonce is fresh on every connection', async () => {
    const s = await server();
    // A recording of a good handshake (what a process that could watch the pipe might hold)…
    const first = await rawClient(s.path, track);
    const hello = rawHello();
    expect(await pairRaw(first, s.token, s.path, hello)).toMatchObject({ type: 'welcome' });
    const recordedChallenge = first.frames.find((f) => f['type'] === 'challenge');
    const recordedAuth = handshakeProof(
      s.token,
      'ea',
      handshakeEndpoint(s.path),
      String(hello['nonce']),
      String(recordedChallenge?.['nonce']),
    );
    // …replayed frame for frame on a new connection, same EA nonce included.
    const replay = await rawClient(s.path, track);
    replay.send(hello);
    const challenge = await replay.nextFrame((f) => f['type'] === 'challenge');
    expect(challenge['nonce']).not.toBe(recordedChallenge?.['nonce']);
    replay.send({ type: 'auth', proof: recordedAuth });
    expect(await replay.nextFrame((f) => f['type'] === 'refused')).toMatchObject({ reason: 'BAD_TOKEN' });
    expect(s.server.sessions().map((x) => x.id)).toHaveLength(1);
  });

  it('refuses a silent connection with HELLO_TIMEOUT and a missing auth with AUTH_TIMEOUT', async () => {
    const s = await server({ helloTimeoutMs: 100, authTimeoutMs: 100 });
    const silent = await rawClient(s.path, track);
    expect(await silent.nextFrame()).toMatchObject({ type: 'refused', reason: 'HELLO_TIMEOUT' });
    const refused = next(s.server.onSession, refusedWith('AUTH_TIMEOUT'));
    sim({ path: s.path, token: s.token, faults: { handshake: 'no-auth' } });
    await refused;
  });

  it('refuses a frame sent before the challenge and a frame other than auth after it', async () => {
    const s = await server();
    const early = await rawClient(s.path, track);
    early.send(`${JSON.stringify(rawHello())}\n${JSON.stringify({ type: 'hb' })}\n`);
    expect(await early.nextFrame((f) => f['type'] === 'refused')).toMatchObject({ reason: 'BAD_HELLO' });
    const other = await rawClient(s.path, track);
    other.send(rawHello());
    await other.nextFrame((f) => f['type'] === 'challenge');
    other.send(ORDER);
    expect(await other.nextFrame((f) => f['type'] === 'refused')).toMatchObject({ reason: 'BAD_HELLO' });
  });

  it('refuses an auth proven with a token rotated away during the handshake', async () => {
    let token = generateToken();
    const path = socketPath();
    const bridge = await startBridgeServer({ path, getToken: () => token });
    track(() => bridge.close());
    const s = { path };
    const ea = await rawClient(s.path, track);
    const hello = rawHello();
    ea.send(hello);
    const challenge = await ea.nextFrame((f) => f['type'] === 'challenge');
    const proof = handshakeProof(
      token,
      'ea',
      handshakeEndpoint(s.path),
      String(hello['nonce']),
      String(challenge['nonce']),
    );
    token = generateToken();
    ea.send({ type: 'auth', proof });
    expect(await ea.nextFrame((f) => f['type'] === 'refused')).toMatchObject({ reason: 'BAD_TOKEN' });
  });
});

describe('the simulated EA verifies the app first', () => {
  it('a squatter on the endpoint learns nothing and no order runs; the app reports the busy pipe', async () => {
    const token = generateToken();
    const path = socketPath();
    // The squatter listens before the app: it answers hello with a made-up challenge, then tries a welcome
    // and an order anyway.
    const squatter = await rawApp(track, {
      path,
      onFrame: (frame, reply) => {
        if (frame['type'] !== 'hello') return;
        reply({ type: 'challenge', protocol: 2, nonce: generateNonce(), proof: generateNonce() });
        reply({
          type: 'welcome',
          protocol: 2,
          sessionId: 's-evil',
          heartbeatMs: 5000,
          silenceMs: 15000,
          maxFrameBytes: 1048576,
          app: 'evil',
        });
        reply(ORDER);
      },
    });
    const log = createMemoryLogger();
    const app = await startBridgeServer({ path, token, logger: log, busyRetryMs: 50 });
    track(() => app.close());
    expect(app.listenState()).toMatchObject({ kind: 'busy' });
    expect(log.records.some((l) => l.level === 'error' && l.message.includes('busy'))).toBe(true);

    const ea = sim({ path, token, refusedRetryMs: 60_000 });
    expect(await ea.waitForStatus('impostor')).toMatchObject({ kind: 'impostor' });
    expect(squatter.received()).not.toContain(token);
    expect(squatter.frames.map((f) => f['type'])).toEqual(['hello']);
    expect(ea.state.executions('squat-1')).toBe(0);
    expect(ea.state.positions()).toHaveLength(0);

    // A squatter that skips the challenge and sends welcome and an order at once fares no better.
    const blunt = await rawApp(track, {
      onFrame: (frame, reply) => {
        if (frame['type'] === 'hello') {
          reply({
            type: 'welcome',
            protocol: 2,
            sessionId: 's-evil',
            heartbeatMs: 5000,
            silenceMs: 15000,
            maxFrameBytes: 1048576,
            app: 'evil',
          });
          reply(ORDER);
        }
      },
    });
    const second = sim({ path: blunt.path, token, refusedRetryMs: 60_000 });
    await second.waitForStatus('impostor');
    expect(blunt.frames.map((f) => f['type'])).toEqual(['hello']);
    expect(second.state.executions('squat-1')).toBe(0);

    // Once the squatter leaves, the app takes its endpoint back and the EA pairs with it.
    const listening = next(app.onListenState, (state) => state.kind === 'listening');
    await new Promise<void>((r) =>
      squatter.server.close(() => {
        r();
      }),
    );
    await listening;
    ea.connect();
    await ea.waitForSession();
  });

  it('a relay between two endpoints fails: the proofs cover the endpoint', async () => {
    const s = await server();
    const relayPath = socketPath();
    const relay = createServer((inbound: Socket) => {
      const outbound = connect(s.path);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((r) => relay.listen(relayPath, r));
    track(
      () =>
        new Promise<void>((r) =>
          relay.close(() => {
            r();
          }),
        ),
    );
    const abandoned = next(s.server.onSession, (e) => e.kind === 'abandoned');
    const ea = sim({ path: relayPath, token: s.token, refusedRetryMs: 60_000 });
    await ea.waitForStatus('impostor');
    await abandoned;
    expect(s.server.sessions()).toEqual([]);
  });

  it('a replayed challenge fails: the EA nonce is fresh on every connection', async () => {
    const token = generateToken();
    const path = socketPath();
    let recorded: Record<string, unknown> | undefined;
    // First a real app answers once, and its challenge is recorded; then the recording is replayed.
    const app = await rawApp(track, {
      path,
      onFrame: (frame, reply, close) => {
        if (frame['type'] === 'auth') {
          reply({ type: 'refused', reason: 'BUSY', message: 'come back later' });
          close();
        }
        if (frame['type'] !== 'hello') return;
        if (recorded === undefined) {
          const nonce = generateNonce();
          recorded = {
            type: 'challenge',
            protocol: 2,
            nonce,
            proof: handshakeProof(token, 'app', handshakeEndpoint(path), String(frame['nonce']), nonce),
          };
        }
        reply(recorded);
      },
    });
    const ea = sim({ path, token, reconnect: { minMs: 10, maxMs: 10 }, refusedRetryMs: 10 });
    // The first connection goes through the challenge (the raw app never welcomes); the second is a replay.
    await expect.poll(() => app.connections()).toBeGreaterThanOrEqual(2);
    expect(await ea.waitForStatus('impostor')).toMatchObject({ kind: 'impostor' });
    expect(app.frames.filter((f) => f['type'] === 'auth')).toHaveLength(1);
  });
});

describe('session identity and token rotation', () => {
  it('exposes the trade server offset from hello and follows it in account events', async () => {
    const s = await server();
    const opened = next(s.server.onSession, (e) => e.kind === 'opened');
    const before = Date.now();
    const handle = sim({ path: s.path, token: s.token, timeOffsetSec: 3 * 3600 });
    const event = await opened;
    if (event.kind !== 'opened') throw new Error('opened');
    expect(event.session.timeOffsetSec).toBe(10_800);
    // The simulator's times are on the trade server's clock: three hours ahead of UTC.
    const quote = await event.session.request('quote', { symbol: 'EURUSD' });
    if (!quote.ok) throw new Error(quote.error.message);
    expect(quote.value.timeMsc - 10_800_000).toBeGreaterThanOrEqual(before - 1_000);
    expect(quote.value.timeMsc - 10_800_000).toBeLessThanOrEqual(Date.now() + 1_000);
    const account = await event.session.request('account', {});
    expect(account.ok && account.value.timeOffsetSec).toBe(10_800);
    expect(handle.isConnected).toBe(true);
  });

  it('rotation ends every session; the EA re-reads the token file and proves the new token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pd-rot-'));
    track(() => rm(dir, { recursive: true, force: true }));
    const tokenFile = join(dir, 'token.txt');
    await writeTokenFile(tokenFile, generateToken());
    const path = socketPath();
    const bridge = await startBridgeServer({ path, tokenFile });
    track(() => bridge.close());
    const handle = sim({ path, tokenFile });
    await handle.waitForSession();
    const first = bridge.sessions()[0];
    const closed = next(bridge.onSession, (e) => e.kind === 'closed');
    const reopened = next(bridge.onSession, (e) => e.kind === 'opened');
    await writeTokenFile(tokenFile, generateToken());
    bridge.closeSessions('token_rotated', 'rotated');
    expect(await closed).toMatchObject({ reason: 'token_rotated' });
    const again = await reopened;
    expect(again.kind === 'opened' && again.session).not.toBe(first);
  });
});
