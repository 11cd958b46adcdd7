import { describe, expect, it } from 'vitest';
import type { ClosedTrade } from './closed-trades';
import { filterTrades, realisedToday, sumTrades, totalsBy, weekStartOf } from './totals';

const H = 3_600_000;
/** 2026-12-03 (a Thursday) 00:00 on a clock reading UTC. */
const DEC3 = Date.UTC(2026, 11, 3);

const trade = (closeTimeMs: number, net: number, symbol = 'EURUSD'): ClosedTrade => ({
  id: String(closeTimeMs),
  positionId: 'P',
  symbol,
  side: 'buy',
  volume: 0.1,
  openTimeMs: closeTimeMs - H,
  openPrice: 1.1,
  closeTimeMs,
  closePrice: 1.1,
  reason: 'expert',
  isPartial: false,
  commission: -0.7,
  swap: 0,
  profit: net + 0.7,
  net,
  comment: '',
});

describe('sumTrades', () => {
  it('adds every column and rounds once to the currency decimals', () => {
    const t = sumTrades([trade(DEC3, 0.1), trade(DEC3, 0.2)]);
    expect(t).toEqual({ trades: 2, volume: 0.2, commission: -1.4, swap: 0, profit: 1.7, net: 0.3 });
  });
  it('is all zeros for no trades', () => {
    expect(sumTrades([]).net).toBe(0);
  });
});

describe('weekStartOf', () => {
  it.each([
    ['2026-12-03', '2026-11-30'],
    ['2026-11-30', '2026-11-30'],
    ['2026-12-06', '2026-11-30'],
    ['2026-12-07', '2026-12-07'],
    ['2027-01-01', '2026-12-28'],
  ])('%s is in the week of %s', (day, monday) => {
    expect(weekStartOf(day)).toBe(monday);
  });
});

describe('totalsBy', () => {
  // Server at UTC+2; deal times are on its clock.
  const offsetSec = 7_200;
  const trades = [
    trade(DEC3 + 1 * H, 10),
    trade(DEC3 + 23 * H, 5),
    trade(DEC3 - 2 * H, -3),
    trade(DEC3 + 4 * 24 * H, 7),
  ];

  it('groups by day on the server clock, newest first', () => {
    const days = totalsBy('day', trades, { kind: 'server', offsetSec }, offsetSec);
    expect(days.map((d) => [d.key, d.net])).toEqual([
      ['2026-12-07', 7],
      ['2026-12-03', 15],
      ['2026-12-02', -3],
    ]);
  });

  it('moves the boundary with the clock chosen in Settings (UTC here: 01:00 server is 23:00 the day before)', () => {
    const days = totalsBy('day', trades, { kind: 'local', timeZone: 'UTC' }, offsetSec);
    expect(days.map((d) => [d.key, d.net])).toEqual([
      ['2026-12-06', 7],
      ['2026-12-03', 5],
      ['2026-12-02', 7],
    ]);
  });

  it('groups by ISO week (Monday first)', () => {
    const weeks = totalsBy('week', trades, { kind: 'server', offsetSec }, offsetSec);
    expect(weeks.map((w) => [w.key, w.trades, w.net])).toEqual([
      ['2026-12-07', 1, 7],
      ['2026-11-30', 3, 12],
    ]);
  });
});

describe('filterTrades', () => {
  const trades = [trade(DEC3, 1, 'EURUSD'), trade(DEC3 + H, 2, 'XAUUSD'), trade(DEC3 + 2 * H, 3, 'EURUSD')];
  it('keeps a symbol', () => {
    expect(filterTrades(trades, { symbol: 'XAUUSD' }, 0).map((t) => t.net)).toEqual([2]);
  });
  it('keeps a date range given as instants, both ends inclusive, after the server offset', () => {
    // Server UTC+1: the trade closing at 01:00 server time is at 00:00 UTC.
    const kept = filterTrades(trades, { fromUtcMs: DEC3, toUtcMs: DEC3 + H }, 3_600);
    expect(kept.map((t) => t.net)).toEqual([2, 3]);
  });
  it('an empty symbol means every symbol', () => {
    expect(filterTrades(trades, { symbol: '' }, 0)).toHaveLength(3);
  });
});

describe('realisedToday', () => {
  const offsetSec = 10_800; // UTC+3
  it('counts closes since midnight on the server clock', () => {
    const trades = [trade(DEC3 + 5 * H, 20), trade(DEC3 - 1, -50), trade(DEC3, 1.25)];
    // 2026-12-03 10:00 UTC is 13:00 on the server.
    expect(realisedToday(trades, DEC3 + 10 * H, offsetSec)).toBe(21.25);
  });
  it('turns over at server midnight, which is 21:00 UTC for a UTC+3 server', () => {
    const trades = [trade(DEC3 + 23 * H, 20)];
    expect(realisedToday(trades, DEC3 + 20 * H + 59 * 60_000, offsetSec)).toBe(20);
    expect(realisedToday(trades, DEC3 + 21 * H, offsetSec)).toBe(0);
  });
});
