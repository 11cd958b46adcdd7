import { describe, expect, it } from 'vitest';
import { createIpcClient } from './ipc-client';
import {
  createWebSocketTransport,
  hashWithoutToken,
  tokenFromHash,
  parseHostFrame,
  type SocketLike,
  type WebClientFrame,
} from './ipc-web-transport';

/** The host's end of one socket, driven by the test: what the page sent, and frames pushed to the page. */
function scriptedSocket() {
  const sent: WebClientFrame[] = [];
  const socket: SocketLike = {
    send: (data) => {
      sent.push(JSON.parse(data) as WebClientFrame);
    },
    close: () => undefined,
    onopen: null,
    onmessage: null,
    onclose: null,
  };
  const push = (frame: unknown): void => {
    socket.onmessage?.(typeof frame === 'string' ? frame : JSON.stringify(frame));
  };
  return { socket, sent, push };
}

function openTransport() {
  const s = scriptedSocket();
  const bad: string[] = [];
  const transport = createWebSocketTransport({
    url: 'ws://127.0.0.1:1/ipc',
    token: 'token-0123456789abcdef',
    connect: () => s.socket,
    setTimer: () => undefined,
    onBadFrame: (reason) => bad.push(reason),
  });
  s.socket.onopen?.();
  s.push({ type: 'ready' });
  return { ...s, transport, bad, client: createIpcClient(transport) };
}

describe('web transport: frames from the host are checked with zod', () => {
  it.each([
    ['not JSON', '{"type":"result",', /not JSON/],
    ['an unknown type', { type: 'shutdown' }, /not a host frame/],
    ['a result without an id', { type: 'result', response: { ok: true, value: 1 } }, /id/],
    ['a negative id', { type: 'result', id: -1, response: { ok: true, value: 1 } }, /id/],
    ['an event without a name', { type: 'event', payload: {} }, /event/],
    ['an extra field', { type: 'ready', admin: true }, /not a host frame/],
    ['an array', [{ type: 'ready' }], /not a host frame/],
  ])('refuses %s', (_name, frame, reason) => {
    const parsed = parseHostFrame(typeof frame === 'string' ? frame : JSON.stringify(frame));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(reason);
  });

  it('drops a bad frame, reports it, and keeps serving good ones', async () => {
    const t = openTransport();
    const answer = t.client.invoke('settings:get');
    const call = t.sent.find((f) => f.type === 'invoke');
    t.push('garbage');
    t.push({ type: 'event', event: 42, payload: {} });
    expect(t.bad).toHaveLength(2);
    t.push({
      type: 'result',
      id: call?.type === 'invoke' ? call.id : -1,
      response: { ok: true, value: 'v' },
    });
    expect(await answer).toEqual({ ok: true, value: 'v' });
    t.transport.close();
  });

  it('fails a call whose answer is not an IPC Result instead of handing it on', async () => {
    const t = openTransport();
    const answers = [t.client.invoke('settings:get'), t.client.invoke('settings:get')];
    const [first, second] = t.sent.flatMap((f) => (f.type === 'invoke' ? [f.id] : []));
    t.push({ type: 'result', id: first, response: { ok: false, error: { code: 'lower', message: 'x' } } });
    t.push({ type: 'result', id: second, response: { value: 'no ok' } });
    for (const a of answers)
      expect(await a).toMatchObject({ ok: false, error: { code: 'TRANSPORT', message: /cannot read/ } });
    expect(t.bad.every((r) => r.includes('is not an IPC answer'))).toBe(true);
    t.transport.close();
  });

  it('passes order failures through with their extra fields', async () => {
    const t = openTransport();
    const answer = t.client.invoke('orders:close-all', {});
    const call = t.sent.find((f) => f.type === 'invoke');
    const error = { code: 'TRADE_REJECTED', message: 'No.', retcode: 10019, clientOrderId: 'P1' };
    t.push({ type: 'result', id: call?.type === 'invoke' ? call.id : -1, response: { ok: false, error } });
    expect(await answer).toEqual({ ok: false, error });
    t.transport.close();
  });
});

describe('the token in the URL fragment', () => {
  it('is read only from a well-formed token parameter', () => {
    expect(tokenFromHash('#token=abcdefghijklmnop0123')).toBe('abcdefghijklmnop0123');
    expect(tokenFromHash('#view=chart&token=abcdefghijklmnop0123')).toBe('abcdefghijklmnop0123');
    expect(tokenFromHash('#token=short')).toBeNull();
    expect(tokenFromHash('#token=abcdefghijklmnop%00')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
  });

  it('is removed from the fragment, keeping the other parameters', () => {
    expect(hashWithoutToken('#token=abcdefghijklmnop0123')).toBe('');
    expect(hashWithoutToken('#view=chart&token=abcdefghijklmnop0123&x=1')).toBe('#view=chart&x=1');
    expect(hashWithoutToken('#token')).toBe('');
    expect(hashWithoutToken('')).toBe('');
    expect(hashWithoutToken('#a=1')).toBe('#a=1');
  });
});
