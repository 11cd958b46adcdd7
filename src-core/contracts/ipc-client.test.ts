import { describe, expect, it } from 'vitest';
import { IPC_CHANNELS, IPC_EVENTS, ipcChannels, isIpcChannel, isIpcEvent, type IpcTransport } from './ipc';
import { createIpcClient } from './ipc-client';

/** A transport that answers from a function, the way main would after validation. */
function loopback(answer: (channel: string, request: unknown) => unknown): {
  transport: IpcTransport;
  emit: (event: string, payload: unknown) => void;
} {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    transport: {
      invoke: (channel, request) => Promise.resolve(answer(channel, request)),
      subscribe: (event, listener) => {
        const set = listeners.get(event) ?? new Set();
        set.add(listener);
        listeners.set(event, set);
        return () => set.delete(listener);
      },
    },
    emit: (event, payload) => {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
}

describe('IPC contract', () => {
  it('names every channel area:verb-noun', () => {
    for (const name of [...IPC_CHANNELS, ...IPC_EVENTS]) {
      expect(name).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/);
    }
  });

  it('narrows untrusted names', () => {
    expect(isIpcChannel('orders:open-market')).toBe(true);
    expect(isIpcChannel('toString')).toBe(false);
    expect(isIpcChannel(42)).toBe(false);
    expect(isIpcEvent('quotes:tick')).toBe(true);
    expect(isIpcEvent('orders:open-market')).toBe(false);
  });

  it('applies request defaults and refuses unknown fields', () => {
    const demo = ipcChannels['demo:start'].request.parse({});
    expect(demo).toEqual({ marginMode: 'hedging', balance: 10_000, currency: 'USD' });
    expect(ipcChannels['symbols:get-spec'].request.safeParse({ symbol: 'EURUSD', x: 1 }).success).toBe(false);
    expect(ipcChannels['settings:set'].request.safeParse({ patch: { theme: 'pink' } }).success).toBe(false);
  });
});

describe('createIpcClient', () => {
  it('sends the channel and request and returns the typed answer', async () => {
    const seen: unknown[] = [];
    const { transport } = loopback((channel, request) => {
      seen.push([channel, request]);
      return { ok: true, value: { margin: 108.5, currency: 'USD' } };
    });
    const client = createIpcClient(transport);
    const res = await client.invoke('margin:calc', { symbol: 'EURUSD', side: 'buy', volume: 1 });
    expect(seen).toEqual([['margin:calc', { symbol: 'EURUSD', side: 'buy', volume: 1 }]]);
    expect(res.ok && res.value.margin).toBe(108.5);
  });

  it('sends an empty object when a channel needs no request', async () => {
    const seen: unknown[] = [];
    const client = createIpcClient(
      loopback((_c, request) => {
        seen.push(request);
        return { ok: false, error: { code: 'NOT_CONNECTED', message: 'No terminal' } };
      }).transport,
    );
    const res = await client.invoke('account:get-info');
    expect(seen).toEqual([{}]);
    expect(res).toEqual({ ok: false, error: { code: 'NOT_CONNECTED', message: 'No terminal' } });
  });

  it('turns a transport failure into a TRANSPORT error instead of throwing', async () => {
    const client = createIpcClient({
      invoke: () => Promise.reject(new Error('socket closed')),
      subscribe: () => () => undefined,
    });
    const res = await client.invoke('bridge:get-status');
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('TRANSPORT');
      expect(res.error.message).toContain('socket closed');
    }
  });

  it('delivers events until unsubscribed', () => {
    const { transport, emit } = loopback(() => null);
    const client = createIpcClient(transport);
    const got: number[] = [];
    const off = client.on('quotes:tick', (p) => got.push(p.quotes.length));
    emit('quotes:tick', { quotes: [] });
    off();
    emit('quotes:tick', { quotes: [] });
    expect(got).toEqual([0]);
  });

  it('types requests from the contract', () => {
    const client = createIpcClient(loopback(() => null).transport);
    // Compile-time checks: a channel that needs a request refuses none, and a wrong field type does not compile.
    const check = (): void => {
      // @ts-expect-error symbols:get-spec needs { symbol }
      void client.invoke('symbols:get-spec');
      // @ts-expect-error volume is a number
      void client.invoke('margin:calc', { symbol: 'EURUSD', side: 'buy', volume: '1' });
      // @ts-expect-error not a channel
      void client.invoke('orders:explode', {});
      void client.invoke('orders:close-all');
      void client.invoke('demo:start');
    };
    expect(typeof check).toBe('function');
  });
});
