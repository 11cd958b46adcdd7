import { describe, expect, it } from 'vitest';
import type { Deal } from '../history/deal';
import { accountReport } from './account-report';
import { riskPerLotFromJournal } from './initial-risk';

let tickets = 0;
const deal = (d: Partial<Deal> & Pick<Deal, 'timeMs'>): Deal => ({
  ticket: String((tickets += 1)),
  order: '',
  positionId: '0',
  symbol: 'EURUSD',
  kind: 'buy',
  entry: 'in',
  reason: 'expert',
  volume: 1,
  price: 1.1,
  profit: 0,
  swap: 0,
  commission: 0,
  magic: '0',
  comment: '',
  ...d,
});

/**
 * A period from t=1000 (server ms) with every case the report must get right, worked out by hand:
 * - A: buy 1 lot opened before the period (commission −7), closed in it: +100 profit, −1 swap, −7 commission →
 *   net 85 (its entry commission counts at the close); risk 50 → R 1.7.
 * - B: sell 0.5, closed in two parts. 0.2 at −40 with −1.4 commission and −1.4 of the entry's −3.5 → −42.8
 *   (risk 20, R −2.14); 0.3 at +60, swap +0.5, −2.1 commission and the entry's other −2.1 → 56.3 (risk 30,
 *   R 1.8767).
 * - a withdrawal of 500 between B and C.
 * - C: buy 1 without a stop, −60 → not in the average R.
 * - D: a close at exactly 0 (neither a win nor a loss), risk 40 → R 0.
 * Trades 85, −42.8, 56.3, −60, 0: 2 wins, 2 losses, win rate 40 %, gross +141.3 / −102.8, net 38.5, profit
 * factor 1.3745, expectancy 7.7, average R (1.7 − 2.14 + 1.8767 + 0) / 4 = 0.3592.
 * Balance: 10,000 deposited before the period, −7 (A in) → 9,993 at the start. Curve: 9,993 → 10,078 (A) →
 * 10,035.2 (B1, drawdown 42.8) → 10,091.5 (B2, new peak) → 9,591.5 (withdrawal: the peak moves with it) →
 * 9,531.5 (C, drawdown 60 = 0.63 % of 9,591.5) → 9,531.5 (D). Without moving the peak the withdrawal would read
 * as a 560 drawdown.
 */
function handCheckedDeals(): Deal[] {
  return [
    deal({ timeMs: 500, kind: 'balance', positionId: '0', profit: 10_000 }),
    deal({ timeMs: 900, positionId: 'A', commission: -7 }),
    deal({
      timeMs: 1100,
      positionId: 'A',
      kind: 'sell',
      entry: 'out',
      profit: 100,
      swap: -1,
      commission: -7,
    }),
    deal({ timeMs: 1200, positionId: 'B', kind: 'sell', volume: 0.5, commission: -3.5 }),
    deal({ timeMs: 1300, positionId: 'B', entry: 'out', volume: 0.2, profit: -40, commission: -1.4 }),
    deal({
      timeMs: 1400,
      positionId: 'B',
      entry: 'out',
      volume: 0.3,
      profit: 60,
      swap: 0.5,
      commission: -2.1,
    }),
    deal({ timeMs: 1450, kind: 'balance', profit: -500 }),
    deal({ timeMs: 1500, positionId: 'C' }),
    deal({ timeMs: 1600, positionId: 'C', kind: 'sell', entry: 'out', profit: -60, reason: 'sl' }),
    deal({ timeMs: 1800, positionId: 'D' }),
    deal({ timeMs: 1900, positionId: 'D', kind: 'sell', entry: 'out' }),
  ];
}
/** 10,000 − 7 + 92 − 3.5 − 41.4 + 58.4 − 500 − 60: the balance after every deal above. */
const BALANCE_NOW = 9_538.5;
const RISK = new Map([
  ['A', 50],
  ['B', 100],
  ['D', 40],
]);

describe('accountReport', () => {
  it('computes every figure of a period by hand: partial closes, commission and swap, a withdrawal, no stop', () => {
    const r = accountReport({
      deals: handCheckedDeals(),
      fromMs: 1000,
      toMs: null,
      balanceNow: BALANCE_NOW,
      riskPerLot: RISK,
    });
    expect(r.trades.map((t) => [t.positionId, t.volume, t.netProfit])).toEqual([
      ['A', 1, 85],
      ['B', 0.2, -42.8],
      ['B', 0.3, 56.3],
      ['C', 1, -60],
      ['D', 1, 0],
    ]);
    expect(r.report).toMatchObject({
      trades: 5,
      wins: 2,
      losses: 2,
      winRate: 0.4,
      grossProfit: 141.3,
      grossLoss: -102.8,
      netProfit: 38.5,
      startBalance: 9_993,
      endEquity: 9_531.5,
      maxDrawdown: 60,
      maxDrawdownPercent: 0.63,
    });
    expect(r.report.profitFactor).toBeCloseTo(141.3 / 102.8, 12);
    expect(r.report.expectancy).toBeCloseTo(7.7, 12);
    expect(r.report.averageR).toBeCloseTo((1.7 - 2.14 + 56.3 / 30 + 0) / 4, 12);
    expect(r.cashMoves).toBe(-500);
    expect(r.equity.map((p) => p.equity)).toEqual([
      9_993, 10_078, 10_035.2, 10_091.5, 9_591.5, 9_531.5, 9_531.5,
    ]);
    expect(r.equity[4]).toEqual({ timeMs: 1450, equity: 9_591.5, cash: -500 });
  });

  it('ends a date range at its end and starts at the balance then', () => {
    // 1000..1350: A and B's first part only; the deals after the range still count toward the balance now.
    const r = accountReport({ deals: handCheckedDeals(), fromMs: 1000, toMs: 1350, balanceNow: BALANCE_NOW });
    expect(r.report).toMatchObject({ trades: 2, wins: 1, losses: 1, netProfit: 42.2, startBalance: 9_993 });
    expect(r.report.endEquity).toBe(9_993 + 42.2);
    expect(r.report.maxDrawdown).toBe(42.8);
    // No risk given: no trade has an R.
    expect(r.report.averageR).toBeNull();
  });

  it('answers "no trades" for a period without closes, with a flat curve at the balance', () => {
    const r = accountReport({ deals: handCheckedDeals(), fromMs: 2000, toMs: null, balanceNow: BALANCE_NOW });
    expect(r.trades).toEqual([]);
    expect(r.report).toMatchObject({
      trades: 0,
      winRate: null,
      profitFactor: null,
      expectancy: null,
      averageR: null,
      maxDrawdown: 0,
      maxDrawdownPercent: 0,
      startBalance: BALANCE_NOW,
      endEquity: BALANCE_NOW,
    });
    expect(r.equity).toEqual([{ timeMs: 2000, equity: BALANCE_NOW }]);
  });

  it('has no profit factor without losses, and no drawdown when every close gains', () => {
    const deals = [
      deal({ timeMs: 10, positionId: 'W1' }),
      deal({ timeMs: 20, positionId: 'W1', kind: 'sell', entry: 'out', profit: 30 }),
      deal({ timeMs: 30, positionId: 'W2', kind: 'sell' }),
      deal({ timeMs: 40, positionId: 'W2', kind: 'buy', entry: 'out', profit: 10 }),
    ];
    const r = accountReport({ deals, fromMs: 0, toMs: null, balanceNow: 1_040 });
    expect(r.report).toMatchObject({ trades: 2, wins: 2, losses: 0, winRate: 1, profitFactor: null });
    expect(r.report.expectancy).toBe(20);
    expect(r.report.maxDrawdown).toBe(0);
    expect(r.report.startBalance).toBe(1_000);
  });

  it('counts a cent account (USC) in cents, with the deposit that opened it as a cash move', () => {
    // A paper cent account over all its history: 1,000,000 USC deposited, one trade of −12,345.67 USC.
    const deals = [
      deal({ timeMs: 100, kind: 'balance', profit: 1_000_000 }),
      deal({ timeMs: 200, positionId: 'U', symbol: 'EURUSDc', commission: -0.6 }),
      deal({
        timeMs: 300,
        positionId: 'U',
        symbol: 'EURUSDc',
        kind: 'sell',
        entry: 'out',
        profit: -12_344.47,
        commission: -0.6,
      }),
    ];
    const r = accountReport({ deals, fromMs: 100, toMs: null, balanceNow: 987_654.33 });
    expect(r.report).toMatchObject({ startBalance: 0, netProfit: -12_345.67, endEquity: 987_654.33 });
    expect(r.cashMoves).toBe(1_000_000);
    // The deposit raises the peak with the balance: the drawdown is the trade's, as a share of 1,000,000.
    expect(r.report.maxDrawdown).toBe(12_345.67);
    expect(r.report.maxDrawdownPercent).toBe(1.23);
  });
});

describe('riskPerLotFromJournal', () => {
  const entry = (
    e: Partial<Parameters<typeof riskPerLotFromJournal>[0][number]>,
  ): Parameters<typeof riskPerLotFromJournal>[0][number] => ({
    operation: 'open_market',
    state: 'done',
    symbol: 'EURUSD',
    side: 'buy',
    position: 'P',
    sl: 1.098,
    filledPrice: 1.1,
    createdAt: 1,
    ...e,
  });
  // 1 lot of EURUSD: 100,000 × the distance in USD.
  const loss = (_s: string, side: 'buy' | 'sell', entryPrice: number, stop: number): number =>
    Math.round((side === 'buy' ? entryPrice - stop : stop - entryPrice) * 100_000 * 100) / 100;

  it('takes the stop each position opened with, from done market orders only', () => {
    const risk = riskPerLotFromJournal(
      [
        entry({ position: 'P', createdAt: 2, sl: 1.09 }), // a later add: the initial stop stays
        entry({ position: 'P', createdAt: 1 }),
        entry({ position: 'S', side: 'sell', sl: 1.1015, filledPrice: 1.1 }),
        entry({ position: 'N', sl: null }), // no stop: no R
        entry({ position: 'N', createdAt: 5, sl: 1.09 }), // a stop added by a later add is not the initial one
        entry({ position: 'R', state: 'rejected' }),
        entry({ position: 'M', operation: 'modify_position' }),
        entry({ position: 'W', sl: 1.101 }), // a stop on the wrong side risks nothing
      ],
      loss,
    );
    expect([...risk.entries()]).toEqual([
      ['P', 200],
      ['S', 150],
    ]);
  });
});
