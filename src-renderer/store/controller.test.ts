import { describe, expect, it } from 'vitest';
import type { IpcTransport, Settings } from '../../src-core/contracts/ipc';
import { createIpcClient } from '../../src-core/contracts/ipc-client';
import type { OrderFailure } from '../../src-core/contracts/orders';
import { createAppStore } from './app-store';
import { createController, describeFailure, newRequestKey } from './controller';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../src-core/contracts/notification-settings';

/**
 * The controller's wiring without React or main: a transport that answers from a table and lets the test push
 * events, as the web host would. The real path (main, web host, simulator) is covered by e2e/desktop.
 */
function scriptedTransport(answers: Record<string, (request: unknown) => unknown>) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: { channel: string; request: unknown }[] = [];
  const transport: IpcTransport = {
    invoke: (channel, request) => {
      calls.push({ channel, request });
      const answer = answers[channel];
      return Promise.resolve(
        answer === undefined
          ? { ok: false, error: { code: 'NOT_CONNECTED', message: 'No terminal.' } }
          : answer(request),
      );
    },
    subscribe: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
  const emit = (event: string, payload: unknown): void => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return {
    transport,
    calls,
    emit,
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

const settings: Settings = {
  riskLimits: {
    maxLotSize: 10,
    maxOpenPositions: 20,
    maxRiskPercent: null,
    isRetryAllowed: false,
    maxRetries: 1,
  },
  isOneClickEnabled: true,
  isOneClickRiskAcknowledged: true,
  pipeName: 'pipdesk',
  theme: 'dark',
  watchlist: ['EURUSD'],
  defaultVolume: 0.1,
  defaultDeviationPoints: 10,
  timeDisplay: 'server',
  notifications: DEFAULT_NOTIFICATION_SETTINGS,
};

const ok = (value: unknown) => () => ({ ok: true, value });

function manualFrames() {
  let queued: (() => void)[] = [];
  return {
    schedule: (f: () => void) => {
      queued.push(f);
    },
    run: () => {
      const now = queued;
      queued = [];
      for (const f of now) f();
    },
  };
}

describe('controller', () => {
  it('loads settings and the bridge state, then pushes events into the store', async () => {
    const t = scriptedTransport({
      'app:get-info': ok({ version: '1', shell: 'web', platform: 'linux', dataDir: '/d', logFile: '/l' }),
      'settings:get': ok(settings),
      'bridge:get-status': ok({
        state: 'disconnected',
        reason: 'No EA yet.',
        pipePath: '/p',
        sessions: [],
        activeSessionId: null,
        isDemoRunning: false,
      }),
      'journal:query': ok({ entries: [] }),
    });
    const store = createAppStore();
    const frames = manualFrames();
    const controller = createController(createIpcClient(t.transport), store, frames.schedule);
    await controller.start();
    expect(store.getState()).toMatchObject({
      watchlist: ['EURUSD'],
      selectedSymbol: 'EURUSD',
      transport: 'open',
    });
    expect(store.getState().bridge?.reason).toBe('No EA yet.');

    t.emit('quotes:tick', { quotes: [{ symbol: 'EURUSD', bid: 1.1, ask: 1.1001, timeMs: 1 }] });
    t.emit('quotes:tick', { quotes: [{ symbol: 'EURUSD', bid: 1.2, ask: 1.2001, timeMs: 2 }] });
    expect(store.getState().quotes['EURUSD']).toBeUndefined();
    frames.run();
    expect(store.getState().quotes['EURUSD']?.bid).toBe(1.2);

    t.emit('settings:changed', { ...settings, isOneClickEnabled: false, watchlist: ['EURUSD', 'USDJPY'] });
    expect(store.getState().settings?.isOneClickEnabled).toBe(false);
    expect(store.getState().watchlist).toEqual(['EURUSD', 'USDJPY']);

    controller.stop();
    expect(t.listenerCount()).toBe(0);
  });

  it("shows a saved watchlist under this broker's suffixed names, and drops what it lacks", async () => {
    const t = scriptedTransport({
      'settings:get': ok({ ...settings, watchlist: ['EURUSD', 'XAUUSD.pro', 'BTCUSD'] }),
      'bridge:get-status': ok({
        state: 'connected',
        reason: null,
        pipePath: '/p',
        sessions: [],
        activeSessionId: null,
        isDemoRunning: false,
      }),
      'symbols:list': ok({
        symbols: ['EURUSDm', 'XAUUSDm', 'USDJPYm'].map((name) => ({
          name,
          description: name,
          digits: null,
          isVisible: true,
        })),
      }),
      'journal:query': ok({ entries: [] }),
    });
    const store = createAppStore();
    const controller = createController(createIpcClient(t.transport), store, manualFrames().schedule);
    await controller.start();
    expect(store.getState().watchlist).toEqual(['EURUSDm', 'XAUUSDm']);
    const subscribe = t.calls.find((c) => c.channel === 'quotes:subscribe');
    expect(subscribe?.request).toEqual({ symbols: ['EURUSDm', 'XAUUSDm'] });
    controller.stop();
  });

  it('sends each action with a fresh request key and puts a refusal where it happened', async () => {
    const refused: OrderFailure = {
      code: 'TRADE_REJECTED',
      message: 'Not enough money.',
      retcode: 10019,
    };
    const t = scriptedTransport({ 'orders:open-market': () => ({ ok: false, error: refused }) });
    const store = createAppStore();
    const controller = createController(createIpcClient(t.transport), store, manualFrames().schedule);
    const first = controller.openMarket('one-click:EURUSD', { symbol: 'EURUSD', side: 'buy', volume: 1 });
    // A second click while the first is in flight sends nothing.
    expect(
      await controller.openMarket('one-click:EURUSD', { symbol: 'EURUSD', side: 'buy', volume: 1 }),
    ).toBeNull();
    expect(await first).toEqual({ ok: false, error: refused });
    expect(t.calls).toHaveLength(1);
    expect((t.calls[0]?.request as { requestKey: string }).requestKey).toMatch(/^ui-[0-9a-f]{24}$/);
    expect(store.getState().errors['one-click:EURUSD']).toBe('Not enough money. (retcode 10019)');
    expect(store.getState().busy).toEqual({});
  });

  it('marks the app unreachable when the transport fails, and reachable again when it answers', async () => {
    let isDown = true;
    const t = scriptedTransport({});
    const transport: IpcTransport = {
      invoke: (channel, request) =>
        isDown ? Promise.reject(new Error('socket closed')) : t.transport.invoke(channel, request),
      subscribe: (event, listener) => t.transport.subscribe(event, listener),
    };
    const store = createAppStore();
    const controller = createController(createIpcClient(transport), store, manualFrames().schedule);
    await controller.closeAll('close-all', {});
    expect(store.getState().transport).toBe('lost');
    expect(store.getState().errors['close-all']).toMatch(/The app did not answer: socket closed/);
    isDown = false;
    await controller.closeAll('close-all', {});
    expect(store.getState().transport).toBe('open');
  });

  it('makes request keys unique and failures readable', () => {
    expect(new Set(Array.from({ length: 100 }, newRequestKey)).size).toBe(100);
    expect(describeFailure({ code: 'TRADE_REJECTED', message: 'Refused.' })).toBe('Refused.');
    expect(describeFailure({ code: 'TRADE_REJECTED', message: 'Refused.', retcode: 10019 })).toBe(
      'Refused. (retcode 10019)',
    );
  });

  it('loads and follows the cloud state; asking for a TOTP code is a step, not an error', async () => {
    const cloud = {
      status: 'signed_out',
      cloudUrl: 'https://cloud.example.com',
      email: null,
      notice: null,
      tokenStorage: 'in memory',
      accounts: [],
      unsyncedEntries: 0,
    };
    const signedIn = { ...cloud, status: 'signed_in', email: 'me@example.com' };
    const t = scriptedTransport({
      'settings:get': ok(settings),
      'journal:query': ok({ entries: [] }),
      'cloud:get-state': ok(cloud),
      'cloud:sign-in': (request) =>
        (request as { totpCode?: string }).totpCode === undefined
          ? { ok: false, error: { code: 'TOTP_REQUIRED', message: 'Enter the code.' } }
          : (request as { totpCode: string }).totpCode === '123456'
            ? { ok: true, value: signedIn }
            : { ok: false, error: { code: 'INVALID_TOTP_CODE', message: 'The code is wrong.' } },
      'cloud:link-account': () => ({
        ok: false,
        error: { code: 'CLOUD_UNREACHABLE', message: 'The cloud cannot be reached.' },
      }),
    });
    const store = createAppStore();
    const controller = createController(createIpcClient(t.transport), store, manualFrames().schedule);
    await controller.start();
    expect(store.getState().cloud).toEqual(cloud);

    const input = { email: 'me@example.com', password: 'secret words' };
    expect(await controller.cloudSignIn(input)).toBe('TOTP_REQUIRED');
    expect(store.getState().errors['cloud-sign-in']).toBeUndefined();
    expect(await controller.cloudSignIn({ ...input, totpCode: '000000' })).toBe('INVALID_TOTP_CODE');
    expect(store.getState().errors['cloud-sign-in']).toBe('The code is wrong.');
    expect(await controller.cloudSignIn({ ...input, totpCode: '123456' })).toBeNull();
    expect(store.getState().errors['cloud-sign-in']).toBeUndefined();
    expect(store.getState().cloud?.status).toBe('signed_in');

    // A failed link is said on that account's row.
    await controller.cloudLinkAccount('5001@Demo');
    expect(store.getState().errors['cloud-account:5001@Demo']).toBe('The cloud cannot be reached.');
    expect(store.getState().busy['cloud-account:5001@Demo']).toBeFalsy();

    // Pushed states replace the loaded one (a session revoked elsewhere).
    t.emit('cloud:state-changed', { ...cloud, notice: 'Your cloud session ended.' });
    expect(store.getState().cloud?.notice).toBe('Your cloud session ended.');
    controller.stop();
  });

  it('shows only the symbols the broker has, and switches terminals on request', async () => {
    const status = (active: string | null) => ({
      state: active === null ? 'disconnected' : 'connected',
      reason: active === null ? 'Lost 1@A.' : null,
      pipePath: '/p',
      sessions: [],
      activeSessionId: active,
      isDemoRunning: false,
    });
    const t = scriptedTransport({
      'settings:get': ok({ ...settings, watchlist: ['EURUSD', 'XAUUSD', 'US30'] }),
      'bridge:get-status': ok(status('1@A')),
      'journal:query': ok({ entries: [] }),
      'symbols:list': ok({
        symbols: [
          { name: 'EURUSD', description: '', digits: null, isVisible: true },
          { name: 'XAUUSD', description: '', digits: null, isVisible: true },
        ],
      }),
      'positions:list': ok({ positions: [] }),
      'orders:list-pending': ok({ orders: [] }),
      'bridge:select-session': (request) => ({
        ok: true,
        value: status((request as { sessionId: string }).sessionId),
      }),
    });
    const store = createAppStore();
    const controller = createController(createIpcClient(t.transport), store, manualFrames().schedule);
    await controller.start();
    expect(store.getState().watchlist).toEqual(['EURUSD', 'XAUUSD']);
    await controller.selectSession('2@B');
    expect(store.getState().bridge?.activeSessionId).toBe('2@B');
    expect(t.calls.filter((c) => c.channel === 'symbols:list')).toHaveLength(2);

    // The active account's paper status changing (it took a symbol from the live Market Watch) lists symbols again;
    // another account's does not.
    t.emit('paper:status-changed', {
      key: '9@Other #paper',
      sourceKey: '9@Other',
      canOpen: true,
      hasSaved: true,
      costs: null,
    });
    t.emit('paper:status-changed', {
      key: '2@B',
      sourceKey: '1@A',
      canOpen: true,
      hasSaved: true,
      costs: { commissionPerLotPerSide: 0, slippagePoints: 0, commissionFrom: 'none' },
    });
    await expect.poll(() => t.calls.filter((c) => c.channel === 'symbols:list').length).toBe(3);
    controller.stop();
  });
});
