import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ok } from '../../src-core/result';
import { createIpcClient } from '../../src-core/contracts/ipc-client';
import {
  WS_CLOSE_BAD_FRAME,
  WS_CLOSE_UNAUTHORIZED,
  createWebSocketTransport,
  type WebTransport,
} from '../../src-core/contracts/ipc-web-transport';
import { createIpcDispatcher } from '../ipc/dispatcher';
import { createIpcEventHub, type IpcEventHub } from '../ipc/events';
import { handlersWith } from '../ipc/testing/test-handlers';
import { createMemoryLogger } from '../../src-core/logger';
import { connectNodeSocket } from './node-socket';
import { startWebHost, type WebHost, type WebHostLimits } from './web-host';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../src-core/contracts/notification-settings';

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a raw socket and resolves with the close code (and any frames seen before it). */
function closeCodeOf(
  url: string,
  firstFrame: string | null,
  origin?: string,
): Promise<{ code: number; frames: string[] }> {
  return new Promise((resolve) => {
    const frames: string[] = [];
    const s = connectNodeSocket(url, origin);
    s.onopen = () => {
      if (firstFrame !== null) s.send(firstFrame);
    };
    s.onmessage = (data) => frames.push(data);
    s.onclose = (code) => {
      resolve({ code, frames });
    };
  });
}

describe('web host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipdesk-webhost-'));
  const token = 'test-token-0123456789abcdef';
  let host: WebHost;
  let hub: IpcEventHub;
  const transports: WebTransport[] = [];

  const openClient = (origin?: string) => {
    const transport = createWebSocketTransport({
      url: host.wsUrl,
      token,
      connect: (url) => connectNodeSocket(url, origin ?? host.origin),
      setTimer: (f, ms) => setTimeout(f, ms),
    });
    transports.push(transport);
    return { transport, client: createIpcClient(transport) };
  };

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pipdesk</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'pipdesk-outside.txt'), 'outside');
    hub = createIpcEventHub();
    const dispatcher = createIpcDispatcher(
      handlersWith({
        'margin:calc': (req) => ok({ margin: req.volume * 1000, currency: 'USD' }),
      }),
      createMemoryLogger(),
    );
    host = await startWebHost({
      dispatcher,
      events: hub,
      logger: createMemoryLogger(),
      staticDir: dir,
      token,
      authTimeoutMs: 300,
    });
  });

  afterEach(() => {
    for (const t of transports.splice(0)) t.close();
  });

  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback only, with the token in the URL fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${token}`);
  });

  it('serves the renderer with a strict CSP and caching by kind', async () => {
    const index = await get(host.port, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<div id="root">');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain(`ws://127.0.0.1:${host.port}`);
    expect(index.headers['cache-control']).toBe('no-store');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const asset = await get(host.port, '/assets/app-1234.js');
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    const route = await get(host.port, '/journal');
    expect(route.body).toContain('<div id="root">');
  });

  it('refuses path traversal, foreign Host headers and writes', async () => {
    for (const path of ['/../pipdesk-outside.txt', '/%2e%2e/pipdesk-outside.txt', '/assets/..%2f..%2fx.js']) {
      const res = await get(host.port, path);
      expect(res.body).not.toContain('outside');
    }
    const rebinding = await get(host.port, '/', { Host: 'evil.example:80' });
    expect(rebinding.status).toBe(421);
    const post = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: '/', method: 'POST' }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      req.end();
    });
    expect(post).toBe(405);
  });

  it('round-trips IPC calls through the page transport', async () => {
    const { client } = openClient();
    const res = await client.invoke('margin:calc', { symbol: 'EURUSD', side: 'buy', volume: 0.5 });
    expect(res).toEqual({ ok: true, value: { margin: 500, currency: 'USD' } });
    const notConnected = await client.invoke('account:get-info');
    expect(!notConnected.ok && notConnected.error.code).toBe('NOT_CONNECTED');
  });

  it('answers bad IPC input with a clear BAD_REQUEST', async () => {
    const { client } = openClient();
    // Bypasses the types on purpose: this is what a buggy or hostile page could send.
    const res = await client.invoke('margin:calc', { symbol: '', side: 'buy', volume: 'lots' } as never);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('BAD_REQUEST');
    expect(res.error.message).toMatch(/symbol: .*; volume: /);
  });

  it('pushes only the events a page subscribed to, until it unsubscribes', async () => {
    const { client } = openClient();
    await client.invoke('bridge:get-status'); // the socket is authenticated once a call has answered
    const ticks: number[] = [];
    const off = client.on('quotes:tick', (p) => ticks.push(p.quotes.length));
    const got = new Promise<void>((resolve) => {
      const offSettings = client.on('settings:changed', () => {
        offSettings();
        resolve();
      });
    });
    // Subscriptions travel on the same ordered socket, so a round trip after them proves they arrived.
    await client.invoke('bridge:get-status');
    hub.emit('orders:changed', { orders: [] });
    hub.emit('quotes:tick', { quotes: [{ symbol: 'EURUSD', bid: 1.1, ask: 1.1001, timeMs: 1 }] });
    hub.emit('settings:changed', {
      riskLimits: {
        maxLotSize: 10,
        maxOpenPositions: 20,
        maxRiskPercent: null,
        isRetryAllowed: false,
        maxRetries: 0,
      },
      isOneClickEnabled: true,
      isOneClickRiskAcknowledged: true,
      pipeName: 'pipdesk',
      theme: 'dark',
      watchlist: [],
      defaultVolume: 0.1,
      defaultDeviationPoints: 10,
      timeDisplay: 'server',
      notifications: DEFAULT_NOTIFICATION_SETTINGS,
    });
    await got;
    expect(ticks).toEqual([1]);
    off();
    await client.invoke('bridge:get-status');
    hub.emit('quotes:tick', { quotes: [] });
    await client.invoke('bridge:get-status');
    expect(ticks).toEqual([1]);
  });

  it('closes a socket with a wrong token, a late token, or a non-auth first frame', async () => {
    const wrong = await closeCodeOf(host.wsUrl, JSON.stringify({ type: 'auth', token: 'nope' }), host.origin);
    expect(wrong).toEqual({ code: WS_CLOSE_UNAUTHORIZED, frames: [] });
    const silent = await closeCodeOf(host.wsUrl, null, host.origin);
    expect(silent.code).toBe(WS_CLOSE_UNAUTHORIZED);
    const early = JSON.stringify({ type: 'invoke', id: 1, channel: 'settings:get', request: {} });
    const noAuth = await closeCodeOf(host.wsUrl, early, host.origin);
    expect(noAuth).toEqual({ code: WS_CLOSE_UNAUTHORIZED, frames: [] });
  });

  it('reports a refused token to the page and fails its calls', async () => {
    const states: string[] = [];
    const transport = createWebSocketTransport({
      url: host.wsUrl,
      token: 'wrong-token-0000000000',
      connect: (url) => connectNodeSocket(url, host.origin),
      setTimer: (f, ms) => setTimeout(f, ms),
      onState: (s) => states.push(s),
    });
    transports.push(transport);
    const res = await createIpcClient(transport).invoke('settings:get');
    expect(!res.ok && res.error.code).toBe('TRANSPORT');
    expect(states).toEqual(['unauthorized']);
  });

  it('refuses sockets from another origin and on other paths before any frame', async () => {
    const foreign = await closeCodeOf(
      host.wsUrl,
      JSON.stringify({ type: 'auth', token }),
      'http://evil.example',
    );
    expect(foreign).toEqual({ code: 1006, frames: [] });
    const otherPath = await closeCodeOf(`ws://127.0.0.1:${host.port}/other`, null, host.origin);
    expect(otherPath.code).toBe(1006);
  });

  it('closes an authenticated socket that sends a malformed frame', async () => {
    const result = await new Promise<{ code: number; frames: string[] }>((resolve) => {
      const frames: string[] = [];
      const s = connectNodeSocket(host.wsUrl, host.origin);
      s.onopen = () => {
        s.send(JSON.stringify({ type: 'auth', token }));
      };
      s.onmessage = (data) => {
        frames.push(data);
        s.send('{"type":"invoke","id":"x"}');
      };
      s.onclose = (code) => {
        resolve({ code, frames });
      };
    });
    expect(result).toEqual({ code: WS_CLOSE_BAD_FRAME, frames: ['{"type":"ready"}'] });
  });
});

describe('web host without a built renderer', () => {
  it('serves a page that says how to build it', async () => {
    const host = await startWebHost({
      dispatcher: createIpcDispatcher(handlersWith({}), createMemoryLogger()),
      events: createIpcEventHub(),
      logger: createMemoryLogger(),
      staticDir: join(tmpdir(), 'pipdesk-no-such-dir'),
    });
    try {
      expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const res = await get(host.port, '/');
      expect(res.status).toBe(200);
      expect(res.body).toContain('npm run build');
    } finally {
      await host.close();
    }
  });
});

describe('page transport across a host restart', () => {
  it('fails calls in flight, reconnects with backoff and renews its subscriptions', async () => {
    const token = 'restart-token-0123456789';
    const hubA = createIpcEventHub();
    const start = (port: number, hub: IpcEventHub) =>
      startWebHost({
        dispatcher: createIpcDispatcher(
          handlersWith({ 'margin:calc': () => new Promise(() => undefined) }),
          createMemoryLogger(),
        ),
        events: hub,
        logger: createMemoryLogger(),
        staticDir: null,
        token,
        port,
      });
    const first = await start(0, hubA);
    const states: string[] = [];
    let onOpen: (() => void) | null = null;
    const transport = createWebSocketTransport({
      url: first.wsUrl,
      token,
      connect: (url) => connectNodeSocket(url, first.origin),
      setTimer: (f, ms) => setTimeout(f, ms),
      reconnectDelaysMs: [20, 40],
      onState: (s) => {
        states.push(s);
        if (s === 'open') onOpen?.();
      },
    });
    const reopened = (): Promise<void> =>
      new Promise((resolve) => {
        onOpen = resolve;
      });
    const client = createIpcClient(transport);
    const ticks: number[] = [];
    client.on('quotes:tick', (p) => ticks.push(p.quotes.length));
    await client.invoke('settings:get');

    const hanging = client.invoke('margin:calc', { symbol: 'EURUSD', side: 'buy', volume: 1 });
    const back = reopened();
    await first.close();
    const failed = await hanging;
    expect(!failed.ok && failed.error.code).toBe('TRANSPORT');

    const hubB = createIpcEventHub();
    const second = await start(first.port, hubB);
    try {
      await back;
      expect(states).toEqual(['open', 'reconnecting', 'open']);
      await client.invoke('settings:get'); // ordered after the renewed subscribe frame
      hubB.emit('quotes:tick', { quotes: [] });
      await client.invoke('settings:get');
      expect(ticks).toEqual([0]);
    } finally {
      transport.close();
      await second.close();
    }
  });
});

/** Opens a raw TCP connection that never sends a byte; resolves once the client side is connected. */
function idleSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined); // a dropped socket may reset; its 'close' is what the test waits for
    socket.once('connect', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

const closed = (socket: Socket): Promise<void> =>
  socket.closed
    ? Promise.resolve()
    : new Promise((resolve) =>
        socket.once('close', () => {
          resolve();
        }),
      );

describe('web host under a connection flood', () => {
  const startCapped = (limits: Partial<WebHostLimits>, token: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'pipdesk-webhost-flood-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pipdesk</title><div id="root"></div>');
    return startWebHost({
      dispatcher: createIpcDispatcher(handlersWith({}), createMemoryLogger()),
      events: createIpcEventHub(),
      logger: createMemoryLogger(),
      staticDir: dir,
      token,
      limits,
    });
  };

  it('refuses connections over the cap at accept, so descriptors stay bounded', async () => {
    const host = await startCapped({ maxConnections: 4, idleTimeoutMs: 60_000 }, 'flood-token-0123456789');
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 4; i += 1) held.push(await idleSocket(host.port));
      await vi.waitFor(async () => {
        expect(await host.connectionCount()).toBe(4);
      });
      const excess = await Promise.all(Array.from({ length: 6 }, () => idleSocket(host.port)));
      await Promise.all(excess.map(closed)); // the host closes every one of them
      expect(await host.connectionCount()).toBe(4);
      expect(held.every((s) => !s.closed)).toBe(true);
      await expect(get(host.port, '/')).rejects.toThrow(); // full: a page cannot load while the flood holds
      for (const s of held) s.destroy();
      await vi.waitFor(async () => {
        expect(await host.connectionCount()).toBe(0);
      });
      expect((await get(host.port, '/')).status).toBe(200);
    } finally {
      for (const s of held) s.destroy();
      await host.close();
    }
  });

  it('closes idle connections, so the page loads again while an authenticated page keeps its socket', async () => {
    const token = 'flood-token-abcdef012345';
    const host = await startCapped({ maxConnections: 6, idleTimeoutMs: 150 }, token);
    const transport = createWebSocketTransport({
      url: host.wsUrl,
      token,
      connect: (url) => connectNodeSocket(url, host.origin),
      setTimer: (f, ms) => setTimeout(f, ms),
    });
    const client = createIpcClient(transport);
    try {
      const answer = async () => {
        const r = await client.invoke('settings:get');
        return r.ok ? 'ok' : r.error.code; // the test handlers answer NOT_CONNECTED; TRANSPORT would mean no socket
      };
      expect(await answer()).toBe('NOT_CONNECTED');
      // More idle connections than the cap: the excess is refused, the rest are closed once idle.
      const flood = await Promise.all(Array.from({ length: 12 }, () => idleSocket(host.port)));
      await Promise.all(flood.map(closed));
      expect((await get(host.port, '/')).body).toContain('<div id="root">');
      // The page's WebSocket outlived every idle deadline of the flood and still answers.
      expect(host.clientCount()).toBe(1);
      expect(await answer()).toBe('NOT_CONNECTED');
    } finally {
      transport.close();
      await host.close();
    }
  });
});
