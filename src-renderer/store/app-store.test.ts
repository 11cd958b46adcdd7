import { describe, expect, it } from 'vitest';
import type { BridgeStatus, Settings } from '../../src-core/contracts/ipc';
import type { JournalEntry } from '../../src-core/contracts/journal';
import { createAppStore } from './app-store';
import { describeBridge, describeCloud } from './connection-slice';
import type { CloudState } from '../../src-core/contracts/ipc-cloud';
import { filterJournal, JOURNAL_LIMIT, mergeJournal } from './journal-slice';
import { mergeQuotes } from './market-slice';
import { isOneClick } from './settings-slice';
import { NOTICE_LIMIT } from './ui-slice';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../src-core/contracts/notification-settings';

const q = (symbol: string, bid: number, ask: number, timeMs = 1) => ({ symbol, bid, ask, timeMs });

function entry(id: string, patch: Partial<JournalEntry> = {}): JournalEntry {
  return {
    id,
    clientOrderId: `c-${id}`,
    parentId: null,
    origin: 'local',
    operation: 'open_market',
    requestKey: null,
    symbol: 'EURUSD',
    side: 'buy',
    volume: 0.1,
    intent: {},
    state: 'done',
    outcome: 'done',
    request: null,
    response: null,
    retcode: 10009,
    retcodeName: 'TRADE_RETCODE_DONE',
    message: 'Bought 0.10 EURUSD at 1.08512',
    errorCode: null,
    requestedPrice: 1.08512,
    filledPrice: 1.08512,
    filledVolume: 0.1,
    bid: null,
    ask: null,
    sl: null,
    tp: null,
    margin: null,
    freeMargin: null,
    order: null,
    deal: null,
    position: '1001',
    attempts: 1,
    reconcileAttempts: 0,
    createdAt: 1000,
    sentAt: 1000,
    completedAt: 1001,
    latencyMs: 1,
    updatedAt: 1001,
    version: 1,
    ...patch,
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
  watchlist: ['EURUSD', 'USDJPY'],
  defaultVolume: 0.25,
  defaultDeviationPoints: 10,
  timeDisplay: 'server',
  notifications: DEFAULT_NOTIFICATION_SETTINGS,
};

describe('market slice', () => {
  it('replaces only the quotes that changed, so other symbols keep their object', () => {
    const before = mergeQuotes({}, [q('EURUSD', 1.1, 1.1001), q('USDJPY', 150, 150.01)]);
    const after = mergeQuotes(before, [q('EURUSD', 1.1002, 1.1003, 2)]);
    expect(after['USDJPY']).toBe(before['USDJPY']);
    expect(after['EURUSD']).not.toBe(before['EURUSD']);
    expect(after['EURUSD']).toMatchObject({ bid: 1.1002, bidDirection: 1, askDirection: 1 });
  });

  it('marks falls, keeps the last direction on an unchanged side, and ignores late ticks', () => {
    let quotes = mergeQuotes({}, [q('EURUSD', 1.1, 1.2, 1)]);
    expect(quotes['EURUSD']).toMatchObject({ bidDirection: 0, askDirection: 0 });
    quotes = mergeQuotes(quotes, [q('EURUSD', 1.09, 1.2, 2)]);
    expect(quotes['EURUSD']).toMatchObject({ bidDirection: -1, askDirection: 0 });
    quotes = mergeQuotes(quotes, [q('EURUSD', 1.09, 1.21, 3)]);
    expect(quotes['EURUSD']).toMatchObject({ bidDirection: -1, askDirection: 1 });
    const late = mergeQuotes(quotes, [q('EURUSD', 1.5, 1.6, 2)]);
    expect(late['EURUSD']).toBe(quotes['EURUSD']);
  });

  it('keeps the same quote object when a tick repeats the price', () => {
    const quotes = mergeQuotes({}, [q('EURUSD', 1.1, 1.2, 1)]);
    expect(mergeQuotes(quotes, [q('EURUSD', 1.1, 1.2, 5)])['EURUSD']).toBe(quotes['EURUSD']);
  });

  it('adds, removes and selects symbols in the watchlist', () => {
    const store = createAppStore();
    const s = () => store.getState();
    s().setWatchlist(['EURUSD', 'USDJPY', 'EURUSD']);
    expect(s().watchlist).toEqual(['EURUSD', 'USDJPY']);
    expect(s().selectedSymbol).toBe('EURUSD');
    s().addToWatchlist('XAUUSD');
    s().addToWatchlist('XAUUSD');
    expect(s().watchlist).toEqual(['EURUSD', 'USDJPY', 'XAUUSD']);
    s().selectSymbol('USDJPY');
    s().removeFromWatchlist('USDJPY');
    expect(s().watchlist).toEqual(['EURUSD', 'XAUUSD']);
    expect(s().selectedSymbol).toBe('EURUSD');
    s().removeFromWatchlist('EURUSD');
    s().removeFromWatchlist('XAUUSD');
    expect(s().selectedSymbol).toBeNull();
  });

  it('does not notify subscribers of one symbol when another ticks', () => {
    const store = createAppStore();
    store.getState().applyQuotes([q('EURUSD', 1.1, 1.2), q('USDJPY', 150, 150.1)]);
    const seen: unknown[] = [];
    let last = store.getState().quotes['USDJPY'];
    store.subscribe((state) => {
      if (state.quotes['USDJPY'] !== last) {
        last = state.quotes['USDJPY'];
        seen.push(last);
      }
    });
    store.getState().applyQuotes([q('EURUSD', 1.11, 1.21, 2)]);
    expect(seen).toHaveLength(0);
    store.getState().applyQuotes([q('USDJPY', 150.1, 150.2, 2)]);
    expect(seen).toHaveLength(1);
  });
});

describe('trading slice', () => {
  const position = (ticket: string, openTimeMs: number) => ({
    ticket,
    symbol: 'EURUSD',
    side: 'buy' as const,
    volume: 0.1,
    priceOpen: 1.1,
    priceCurrent: 1.1,
    sl: null,
    tp: null,
    profit: 0,
    swap: 0,
    commission: 0,
    openTimeMs,
    magic: '',
    comment: '',
    clientOrderId: null,
  });

  it('lists positions newest first and shows a just-opened one until the next list', () => {
    const store = createAppStore();
    store.getState().setPositions([position('1', 1), position('2', 2)]);
    expect(store.getState().positions.map((p) => p.ticket)).toEqual(['2', '1']);
    store.getState().addOpenedPosition(position('3', 3));
    store.getState().addOpenedPosition(position('3', 3));
    expect(store.getState().positions.map((p) => p.ticket)).toEqual(['3', '2', '1']);
    store.getState().setPositions([position('1', 1)]);
    expect(store.getState().positions.map((p) => p.ticket)).toEqual(['1']);
  });
});

describe('journal slice', () => {
  it('merges by id keeping the highest version, newest first', () => {
    const merged = mergeJournal(
      [entry('a', { createdAt: 1, state: 'pending', version: 1 }), entry('b', { createdAt: 2 })],
      [entry('a', { createdAt: 1, state: 'done', version: 3 }), entry('c', { createdAt: 3 })],
    );
    expect(merged.map((e) => e.id)).toEqual(['c', 'b', 'a']);
    expect(merged[2]?.state).toBe('done');
    const stale = mergeJournal(merged, [entry('a', { createdAt: 1, state: 'sent', version: 2 })]);
    expect(stale.find((e) => e.id === 'a')?.state).toBe('done');
  });

  it('keeps at most JOURNAL_LIMIT entries', () => {
    const many = Array.from({ length: JOURNAL_LIMIT + 20 }, (_, i) => entry(`e${i}`, { createdAt: i }));
    const merged = mergeJournal([], many);
    expect(merged).toHaveLength(JOURNAL_LIMIT);
    expect(merged[0]?.createdAt).toBe(JOURNAL_LIMIT + 19);
  });

  it('filters by state, symbol and text', () => {
    const entries = [
      entry('1', { state: 'done' }),
      entry('2', {
        state: 'rejected',
        symbol: 'USDJPY',
        message: 'Stop loss must be at least 15 points below the bid',
      }),
      entry('3', { state: 'unknown', position: '77' }),
    ];
    expect(filterJournal(entries, { states: [], symbol: '', text: '' })).toHaveLength(3);
    expect(
      filterJournal(entries, { states: ['rejected', 'failed'], symbol: '', text: '' }).map((e) => e.id),
    ).toEqual(['2']);
    expect(filterJournal(entries, { states: [], symbol: 'EURUSD', text: '' }).map((e) => e.id)).toEqual([
      '1',
      '3',
    ]);
    expect(filterJournal(entries, { states: [], symbol: '', text: 'STOP LOSS' }).map((e) => e.id)).toEqual([
      '2',
    ]);
    expect(filterJournal(entries, { states: [], symbol: '', text: '77' }).map((e) => e.id)).toEqual(['3']);
  });
});

describe('connection slice', () => {
  const status = (patch: Partial<BridgeStatus>): BridgeStatus => ({
    state: 'connected',
    reason: null,
    pipePath: '/tmp/p.sock',
    sessions: [],
    activeSessionId: null,
    isDemoRunning: false,
    ...patch,
  });

  it('forgets the account when the terminal goes away', () => {
    const store = createAppStore();
    store.getState().setAccount({
      login: '1',
      server: 's',
      name: 'n',
      company: 'c',
      currency: 'USD',
      currencyDigits: 2,
      leverage: 100,
      marginMode: 'hedging',
      accountTradeMode: 'demo',
      balance: 1,
      equity: 1,
      profit: 0,
      margin: 0,
      freeMargin: 1,
      marginLevel: null,
      isTradeAllowed: true,
      timeOffsetSec: 0,
    });
    store.getState().setBridge(status({ state: 'demo' }));
    expect(store.getState().account).not.toBeNull();
    store.getState().setBridge(status({ state: 'disconnected', reason: 'EA stopped' }));
    expect(store.getState().account).toBeNull();
  });

  it('forgets the prices of the terminal before on a switch, and keeps them when the link only drops', () => {
    const store = createAppStore();
    const quote = { symbol: 'EURUSD', bid: 1.085, ask: 1.0851, timeMs: Date.UTC(2026, 0, 1) };
    store.getState().setBridge(status({ state: 'demo', activeSessionId: '5001@Demo' }));
    store.getState().applyQuotes([quote]);
    store.getState().setBridge(status({ state: 'disconnected', activeSessionId: null }));
    store.getState().setBridge(status({ state: 'demo', activeSessionId: '5001@Demo' }));
    expect(store.getState().quotes['EURUSD']?.bid).toBe(1.085);
    // A replay's ticks are years older than the demo's last one: they must still show.
    store.getState().setBridge(status({ state: 'replay', activeSessionId: '9@Pipdesk Replay #replay' }));
    expect(store.getState().quotes).toEqual({});
    store.getState().applyQuotes([{ ...quote, bid: 1.1, ask: 1.1001, timeMs: Date.UTC(2024, 0, 2) }]);
    expect(store.getState().quotes['EURUSD']?.bid).toBe(1.1);
  });

  it('remembers that a terminal was connected, so a later link loss is not taken for a first run', () => {
    const store = createAppStore();
    store.getState().setBridge(status({ state: 'disconnected', reason: null }));
    expect(store.getState().hasHadTerminal).toBe(false);
    store.getState().setBridge(status({ state: 'connected' }));
    store.getState().setBridge(status({ state: 'disconnected', reason: 'EA stopped' }));
    expect(store.getState().hasHadTerminal).toBe(true);
  });

  it('describes each link state in words', () => {
    expect(describeBridge(null, 'connecting').label).toBe('Connecting…');
    expect(describeBridge(status({}), 'open').tone).toBe('ok');
    expect(describeBridge(status({ state: 'demo' }), 'open').label).toBe('Demo (simulator)');
    expect(
      describeBridge(status({ state: 'disconnected', reason: 'No heartbeat for 6 s' }), 'open'),
    ).toMatchObject({
      tone: 'down',
      detail: 'No heartbeat for 6 s',
    });
    expect(describeBridge(status({}), 'lost').label).toBe('App unreachable');
  });
});

describe('settings, drafts and ui slices', () => {
  it('treats one-click as off until settings say otherwise', () => {
    expect(isOneClick(null)).toBe(false);
    expect(isOneClick(settings)).toBe(true);
    expect(isOneClick({ ...settings, isOneClickEnabled: false })).toBe(false);
  });

  it('starts a one-click draft from the default volume in settings and keeps what was typed', () => {
    const store = createAppStore();
    store.getState().setSettings(settings);
    store.getState().setOneClick('EURUSD', { slPips: '20' });
    expect(store.getState().oneClick['EURUSD']).toEqual({ volume: '0.25', slPips: '20', tpPips: '' });
    store.getState().setSettings({ ...settings, defaultVolume: 0.1 });
    store.getState().setOneClick('GBPUSD', { slPips: '5' });
    // The default shows as a volume (0.10), never as a bare number (0.1).
    expect(store.getState().oneClick['GBPUSD']?.volume).toBe('0.10');
    store.getState().setOneClick('EURUSD', { volume: '1' });
    expect(store.getState().oneClick['EURUSD']?.slPips).toBe('20');
  });

  it('keeps the ticket draft when an error is set and cleared', () => {
    const store = createAppStore();
    store.getState().setTicket({ symbol: 'EURUSD', sl: '1.0800', stopUnit: 'price' });
    store.getState().setError('ticket', 'Stop loss must be at least 15 points below the bid');
    store.getState().setError('ticket', null);
    expect(store.getState().ticket).toMatchObject({ symbol: 'EURUSD', sl: '1.0800', stopUnit: 'price' });
    expect(store.getState().errors).toEqual({});
  });

  it('asks the ticket for focus and switches to it', () => {
    const store = createAppStore();
    store.getState().setSideTab('calculator');
    store.getState().requestTicketFocus();
    expect(store.getState()).toMatchObject({ sideTab: 'ticket', ticketFocusRequest: 1 });
  });

  it('tracks busy places and keeps the newest notices', () => {
    const store = createAppStore();
    store.getState().setBusy('ticket', true);
    expect(store.getState().busy).toEqual({ ticket: true });
    store.getState().setBusy('ticket', false);
    expect(store.getState().busy).toEqual({});
    for (let i = 0; i < NOTICE_LIMIT + 2; i += 1) store.getState().notify('ok', `n${i}`);
    expect(store.getState().notices.map((n) => n.text)).toEqual(['n2', 'n3', 'n4', 'n5']);
    const first = store.getState().notices[0];
    if (first !== undefined) store.getState().dismissNotice(first.id);
    expect(store.getState().notices).toHaveLength(NOTICE_LIMIT - 1);
  });

  it('never brings an older notice back once a newer one has timed out', () => {
    const store = createAppStore();
    store.getState().notify('ok', 'Bought 0.20 EURUSD at 1.08512');
    store.getState().notify('error', 'MT5 link lost: the terminal closed the connection');
    store.getState().notify('ok', 'Closed #1001');
    const newest = store.getState().notices.at(-1);
    if (newest === undefined) throw new Error('no notice');
    store.getState().expireNotices(newest.id);
    expect(store.getState().notices).toEqual([]);
    store.getState().notify('ok', 'MT5 link is back.');
    expect(store.getState().notices.map((n) => n.text)).toEqual(['MT5 link is back.']);
  });
});

describe('cloud chip', () => {
  const base: CloudState = {
    status: 'signed_out',
    cloudUrl: 'https://cloud.example.com',
    email: null,
    notice: null,
    tokenStorage: 'in memory',
    accounts: [],
    unsyncedEntries: 0,
  };
  const account = (connector: CloudState['accounts'][number]['connector']) => ({
    accountKey: '5001@Demo',
    login: '5001',
    server: 'Demo',
    connectionId: connector === 'not_linked' ? null : 'c1',
    isRemoteTradingOn: false,
    connector,
    isTerminalConnected: true,
  });

  it('says signed out, signing in, and a session that ended with its reason', () => {
    expect(describeCloud(null).label).toBe('Cloud: …');
    expect(describeCloud(base)).toMatchObject({ state: 'signed-out', label: 'Cloud: not signed in' });
    expect(describeCloud({ ...base, status: 'signing_in' }).state).toBe('signing-in');
    expect(describeCloud({ ...base, notice: 'Your cloud session ended.' })).toMatchObject({
      state: 'ended',
      detail: 'Your cloud session ended.',
    });
  });

  it('is online only while every linked connector is up, and counts entries still to send', () => {
    const signedIn: CloudState = { ...base, status: 'signed_in', email: 'me@example.com' };
    expect(
      describeCloud({ ...signedIn, accounts: [account('online'), account('not_linked')] }),
    ).toMatchObject({
      state: 'signed-in',
      label: 'Cloud: me@example.com',
    });
    const down = describeCloud({ ...signedIn, accounts: [account('offline')], unsyncedEntries: 3 });
    expect(down).toMatchObject({ state: 'offline', label: 'Cloud: offline · 3 to sync' });
    expect(describeCloud({ ...signedIn, accounts: [account('connecting')] }).state).toBe('offline');
  });

  it('is kept in the store as main reports it', () => {
    const store = createAppStore();
    expect(store.getState().cloud).toBeNull();
    store.getState().setCloud(base);
    expect(store.getState().cloud).toBe(base);
  });
});
