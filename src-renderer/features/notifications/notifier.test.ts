import { describe, expect, it } from 'vitest';
import type { AccountInfo, BridgeStatus, Settings } from '../../../src-core/contracts/ipc';
import type { JournalEntry } from '../../../src-core/contracts/journal';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../../src-core/contracts/notification-settings';
import type { Deal } from '../../../src-core/history/deal';
import { createAppStore } from '../../store/app-store';
import { createNotifier, type ShowDesktop } from './notifier';
import { announceDeal, announceMarginCall } from './notify-rules';
import type { SoundKind } from './sound';

const deal = (d: Partial<Deal>): Deal => ({
  ticket: '900',
  order: '800',
  positionId: '700',
  symbol: 'EURUSD',
  kind: 'sell',
  entry: 'out',
  reason: 'sl',
  volume: 0.2,
  price: 1.095,
  profit: -100,
  swap: 0,
  commission: -1.4,
  magic: '0',
  comment: '[sl 1.09500]',
  timeMs: 1,
  ...d,
});

const none = { operationOf: () => undefined };

describe('announceDeal', () => {
  it.each([
    [{ reason: 'sl' as const }, 'stopHit', 'Stop loss hit on EURUSD'],
    [{ reason: 'tp' as const, profit: 50 }, 'stopHit', 'Take profit hit on EURUSD'],
    [{ reason: 'so' as const }, 'stopOut', 'Stop-out: the broker closed a position'],
    [
      { entry: 'in' as const, reason: 'client' as const, kind: 'buy' as const },
      'fill',
      'Filled in MetaTrader 5: Buy 0.20 EURUSD',
    ],
  ])('%j → %s', (patch, event, title) => {
    const a = announceDeal(deal(patch), none, () => 5, 'USD');
    expect(a?.event).toBe(event);
    expect(a?.title).toBe(title);
    expect(a?.tag).toBe('deal-900');
  });

  it('says the close price and the net money of a stop-loss close', () => {
    expect(announceDeal(deal({}), none, () => 5, 'USD')?.body).toBe(
      'Buy 0.20 EURUSD closed at 1.09500: -101.40\u00a0USD.',
    );
  });

  it('stays quiet for a market order or close Pipdesk sent itself (its answer already said it) and balance deals', () => {
    const own = {
      operationOf: (c: string) =>
        c === 'pd-1' ? 'open_market' : c === 'pd-2' ? 'close_position' : undefined,
    };
    expect(
      announceDeal(deal({ entry: 'in', reason: 'expert', comment: 'pd-1' }), own, () => 5, 'USD'),
    ).toBeNull();
    expect(
      announceDeal(deal({ entry: 'out', reason: 'expert', comment: 'pd-2' }), own, () => 5, 'USD'),
    ).toBeNull();
    expect(
      announceDeal(deal({ kind: 'balance', entry: 'in', reason: 'client' }), own, () => 5, 'USD'),
    ).toBeNull();
  });

  it('announces a pending order of Pipdesk that filled later', () => {
    const own = { operationOf: () => 'place_pending' };
    const a = announceDeal(deal({ entry: 'in', reason: 'expert', kind: 'buy' }), own, () => 5, 'USD');
    expect(a?.title).toBe('Pending order filled: Buy 0.20 EURUSD');
  });
});

describe('announceMarginCall', () => {
  it('tells once per crossing, again only after recovering', () => {
    const at = (marginLevel: number | null) => ({ marginLevel, currency: 'USD' });
    expect(announceMarginCall(at(150), at(100), 100)?.event).toBe('marginCall');
    expect(announceMarginCall(at(100), at(90), 100)).toBeNull();
    expect(announceMarginCall(at(90), at(120), 100)).toBeNull();
    expect(announceMarginCall(at(null), at(80), 100)?.event).toBe('marginCall');
    expect(announceMarginCall(null, at(null), 100)).toBeNull();
  });
});

describe('createNotifier', () => {
  const settings = (notifications = DEFAULT_NOTIFICATION_SETTINGS) =>
    ({ notifications }) as unknown as Settings;
  function setup(notifications = DEFAULT_NOTIFICATION_SETTINGS) {
    const store = createAppStore();
    store.getState().setSettings(settings(notifications));
    const desktop: string[] = [];
    const sounds: SoundKind[] = [];
    const show: ShowDesktop = (a) => {
      desktop.push(a.title);
      return Promise.resolve(true);
    };
    const notifier = createNotifier(store, show, (k) => sounds.push(k));
    return { store, notifier, desktop, sounds };
  }

  it('shows a stop-loss hit in the app and on the desktop; sounds only when switched on', () => {
    const { store, notifier, desktop, sounds } = setup({
      ...DEFAULT_NOTIFICATION_SETTINGS,
      stopHit: { isInApp: true, isDesktop: true, isSound: true },
    });
    notifier.onDeals([deal({})]);
    expect(store.getState().notices.map((n) => n.text)).toEqual([
      'Stop loss hit on EURUSD. Buy 0.20 EURUSD closed at 1.09500: -101.40.',
    ]);
    expect(desktop).toEqual(['Stop loss hit on EURUSD']);
    expect(sounds).toEqual(['alert']);
  });

  it('does nothing for an event whose switches are off', () => {
    const off = { isInApp: false, isDesktop: false, isSound: false };
    const { store, notifier, desktop, sounds } = setup({ ...DEFAULT_NOTIFICATION_SETTINGS, stopHit: off });
    notifier.onDeals([deal({})]);
    expect(store.getState().notices).toEqual([]);
    expect(desktop).toEqual([]);
    expect(sounds).toEqual([]);
  });

  it('skips fills of market orders in the journal', () => {
    const { store, notifier, desktop } = setup();
    store.getState().upsertJournal([
      {
        id: 'j1',
        clientOrderId: 'pd-1',
        operation: 'open_market',
        version: 1,
        createdAt: 1,
      } as JournalEntry,
    ]);
    notifier.onDeals([deal({ entry: 'in', reason: 'expert', kind: 'buy', comment: 'pd-1' })]);
    expect(store.getState().notices).toEqual([]);
    expect(desktop).toEqual([]);
  });

  it('tells a margin call when the margin level crosses the broker level, and the link loss on the desktop', () => {
    const { store, desktop, sounds } = setup();
    const account = { login: '1', currency: 'USD', marginLevel: 180, marginCallPercent: 150 } as AccountInfo;
    store.getState().setAccount(account);
    store.getState().setAccount({ ...account, marginLevel: 140 });
    store.getState().setAccount({ ...account, marginLevel: 120 });
    expect(desktop).toEqual(['Margin call']);
    const up = { state: 'demo', reason: null, sessions: [], activeSessionId: 'a' } as unknown as BridgeStatus;
    store.getState().setBridge(up);
    store.getState().setBridge({ ...up, state: 'disconnected', reason: 'EA removed' });
    expect(desktop).toEqual(['Margin call', 'MT5 link lost']);
    expect(sounds).toEqual(['alert', 'alert']);
  });
});
