import { describe, expect, it } from 'vitest';
import type { BridgeStatus } from '../../../src-core/contracts/ipc';
import type { JournalEntry } from '../../../src-core/contracts/journal';
import type { Deal } from '../../../src-core/history/deal';
import { catalogSpec, testAccount } from '../../testing/fixtures';
import { accountKindOf, buildReport, exportFileName, reportMark, reportRange } from './report-model';

const HOUR = 3_600_000;
const zone = { kind: 'server', offsetSec: 7_200 } as const;

describe('reportRange', () => {
  const base = {
    nowUtcMs: Date.UTC(2026, 0, 7, 15), // a Wednesday, 17:00 on a UTC+2 server
    zone,
    offsetSec: 7_200,
    custom: { from: '', to: '' },
    sessionStartUtcMs: Date.UTC(2026, 0, 7, 9),
    dealsFromMs: 1_000,
  };

  it('starts this session when the account connected, on the server clock', () => {
    expect(reportRange({ ...base, period: 'session' })).toEqual({
      fromMs: Date.UTC(2026, 0, 7, 9) + 2 * HOUR,
      toMs: null,
    });
    expect(reportRange({ ...base, period: 'session', sessionStartUtcMs: null })).toBeNull();
  });

  it('starts today at the server’s midnight and this week on its Monday', () => {
    expect(reportRange({ ...base, period: 'today' })?.fromMs).toBe(Date.UTC(2026, 0, 7));
    expect(reportRange({ ...base, period: 'week' })?.fromMs).toBe(Date.UTC(2026, 0, 5));
  });

  it('covers all loaded history once a load answered, and whole days of a date range', () => {
    expect(reportRange({ ...base, period: 'all' })).toEqual({ fromMs: 1_000, toMs: null });
    expect(reportRange({ ...base, period: 'all', dealsFromMs: null })).toBeNull();
    expect(
      reportRange({ ...base, period: 'custom', custom: { from: '2026-01-05', to: '2026-01-06' } }),
    ).toEqual({ fromMs: Date.UTC(2026, 0, 5), toMs: Date.UTC(2026, 0, 7) - 1 });
    expect(reportRange({ ...base, period: 'custom', custom: { from: '2026-01-06', to: '' } })).toBeNull();
  });
});

describe('reportMark', () => {
  const status = (state: BridgeStatus['state']): BridgeStatus =>
    ({
      state,
      activeSessionId: 'p@Paper',
      sessions: [{ id: 'p@Paper', connectedAtMs: 42 }],
    }) as unknown as BridgeStatus;

  it('marks a paper account PAPER, a replay REPLAY and nothing else', () => {
    expect(reportMark(status('paper'))).toBe('PAPER');
    expect(reportMark(status('replay'))).toBe('REPLAY');
    expect(reportMark(status('demo'))).toBeNull();
    expect(reportMark(status('connected'))).toBeNull();
    expect(reportMark(null)).toBeNull();
    expect(accountKindOf('PAPER')).toBe('paper');
    expect(accountKindOf('REPLAY')).toBe('replay');
    expect(accountKindOf(null)).toBe('real');
  });
});

describe('buildReport', () => {
  const deal = (d: Partial<Deal> & Pick<Deal, 'ticket' | 'timeMs'>): Deal => ({
    order: '',
    positionId: '100',
    symbol: 'EURUSD',
    kind: 'buy',
    entry: 'in',
    reason: 'expert',
    volume: 0.5,
    price: 1.1,
    profit: 0,
    swap: 0,
    commission: 0,
    magic: '0',
    comment: '',
    ...d,
  });
  const opened = (position: string, accountKind: 'real' | 'paper' | 'replay'): JournalEntry =>
    ({
      operation: 'open_market',
      state: 'done',
      accountKind,
      symbol: 'EURUSD',
      side: 'buy',
      position,
      sl: 1.098,
      filledPrice: 1.1,
      createdAt: 1,
    }) as JournalEntry;

  it('takes R from the journal of the same kind of account, with the symbol’s money per lot', () => {
    const deals = {
      '1': deal({ ticket: '1', timeMs: 10 }),
      '2': deal({ ticket: '2', timeMs: 20, kind: 'sell', entry: 'out', price: 1.102, profit: 100 }),
    };
    const sources = {
      deals,
      account: testAccount({ balance: 10_100 }),
      journal: [opened('100', 'paper')],
      specs: { EURUSD: catalogSpec('EURUSD') },
      rates: {},
    };
    // 20 pips on 1 lot of EURUSD = 200 USD; 0.5 lot risked 100 and made 100 → 1 R.
    const paper = buildReport({ ...sources, accountKind: 'paper' }, { fromMs: 0, toMs: null });
    expect(paper.report.averageR).toBeCloseTo(1, 9);
    expect(paper.report).toMatchObject({ trades: 1, netProfit: 100, startBalance: 10_000 });
    // The same position id on the real account is another position: no R from the paper journal.
    expect(
      buildReport({ ...sources, accountKind: 'real' }, { fromMs: 0, toMs: null }).report.averageR,
    ).toBeNull();
    // A replay's journal rows are its own: its report takes R from them and not from a paper account's.
    expect(
      buildReport({ ...sources, accountKind: 'replay' }, { fromMs: 0, toMs: null }).report.averageR,
    ).toBeNull();
    const replay = buildReport(
      { ...sources, journal: [opened('100', 'replay')], accountKind: 'replay' },
      { fromMs: 0, toMs: null },
    );
    expect(replay.report.averageR).toBeCloseTo(1, 9);
  });
});

describe('exportFileName', () => {
  it('names files by what, login and date, keeping only safe characters', () => {
    const now = Date.UTC(2026, 0, 7, 15);
    expect(exportFileName('report', '5001', now)).toBe('pipdesk-report-5001-2026-01-07.html');
    expect(exportFileName('equity', '../x y', now)).toBe('pipdesk-equity-xy-2026-01-07.csv');
    expect(exportFileName('trades', '', now)).toBe('pipdesk-trades-account-2026-01-07.csv');
  });

  it('names a paper account’s and a replay’s files with their mark', () => {
    const now = Date.UTC(2026, 0, 7, 15);
    expect(exportFileName('trades', '77', now, 'REPLAY')).toBe('pipdesk-trades-replay-77-2026-01-07.csv');
    expect(exportFileName('report', '5', now, 'PAPER')).toBe('pipdesk-report-paper-5-2026-01-07.html');
    expect(exportFileName('equity', '5', now, null)).toBe('pipdesk-equity-5-2026-01-07.csv');
  });
});
