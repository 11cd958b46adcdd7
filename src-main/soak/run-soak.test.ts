import { describe, expect, it } from 'vitest';
import { DEAL_ENTRY, DEAL_TYPE } from '../../src-bridge/protocol/enums';
import type { WireDeal } from '../../src-bridge/protocol/messages';
import { appHeapSlope, slope, soakViolations, type SoakFacts } from './invariants';
import { runSoak } from './run-soak';

const deal = (over: Partial<WireDeal>): WireDeal => ({
  ticket: '1',
  order: '1',
  positionId: '1',
  symbol: 'EURUSD',
  type: DEAL_TYPE.BUY,
  entry: DEAL_ENTRY.IN,
  reason: 3,
  volume: 0.1,
  price: 1.1,
  profit: 0,
  swap: 0,
  commission: 0,
  magic: '0',
  comment: 'a',
  timeMsc: 0,
  ...over,
});

const base: SoakFacts = {
  initialBalance: 1_000,
  balance: 1_012.3,
  currencyDigits: 2,
  deals: [
    deal({ type: DEAL_TYPE.BALANCE, profit: 1_000, comment: '' }),
    deal({ commission: -0.35 }),
    deal({ type: DEAL_TYPE.SELL, entry: DEAL_ENTRY.OUT, profit: 13, commission: -0.35, comment: 'b' }),
  ],
  journalEntries: 2,
  journalFinal: 2,
  appHeapPerDay: [50e6, 50.05e6, 50.1e6, 50.02e6, 50.11e6],
  terminalHeapPerDay: [20e6, 21e6, 22e6, 23e6, 24e6],
  warmUpDays: 1,
  heapSlopeLimit: 100e3,
};

describe('the soak invariants', () => {
  it('hold on a hand-computed account: 1,000 + 13 − 0.35 − 0.35 = 1,012.30', () => {
    expect(soakViolations(base)).toEqual([]);
  });

  it('name each violation', () => {
    expect(soakViolations({ ...base, balance: 1_012.31 })[0]).toMatch(/^balance 1012.31/);
    expect(soakViolations({ ...base, journalFinal: 1 })).toEqual([
      '1 of 2 journal entries have no final state',
    ]);
    const twice = [...base.deals, deal({ ticket: '9', comment: 'a' })];
    expect(soakViolations({ ...base, deals: twice, balance: 1_012.3 })).toContain(
      'clOrdId a opened 2 positions',
    );
    // After the warm-up day: 50.2, 50.35, 50.5 MB, a slope of 150 KB a day.
    expect(soakViolations({ ...base, appHeapPerDay: [40e6, 50.2e6, 50.35e6, 50.5e6] })).toEqual([
      "the app's heap grows 150 KB a simulated day after the warm-up (limit 100 KB)",
    ]);
  });

  it("judge memory on the app's heap after the warm-up, never on the terminal's", () => {
    // Days 2–5: 50.05, 50.1, 50.02, 50.11 MB, mean 50.07: slope (−1.5·−0.02 − 0.5·0.03 + 0.5·−0.05 + 1.5·0.04)/5
    // = 0.05/5 MB = 10 KB a day.
    expect(appHeapSlope(base)).toBeCloseTo(10e3, 6);
    expect(soakViolations({ ...base, terminalHeapPerDay: [20e6, 40e6, 60e6, 80e6, 100e6] })).toEqual([]);
    // A steep first day is the warm-up: left out of the fit.
    expect(soakViolations({ ...base, appHeapPerDay: [10e6, 50e6, 50e6, 50e6] })).toEqual([]);
    // Fewer than three samples after the warm-up: not judged.
    expect(appHeapSlope({ appHeapPerDay: [50e6, 60e6, 70e6], warmUpDays: 1 })).toBeUndefined();
  });

  it('slope is the least-squares growth per sample', () => {
    expect(slope([1, 3, 5, 7])).toBe(2);
    expect(slope([4])).toBe(0);
  });
});

describe('runSoak', () => {
  it('trades an hour of simulated time with drops and restarts, and the invariants hold', async () => {
    const report = await runSoak({ hours: 1, stepMs: 2_000, seed: 3 });
    expect(report.violations).toEqual([]);
    expect(report.orders).toBeGreaterThan(50);
    expect(report.drops).toBeGreaterThan(10);
    expect(report.eaRestarts).toBeGreaterThan(0);
    expect(report.appRestarts).toBeGreaterThan(0);
    expect(
      report.facts.deals.filter((d) => d.type === DEAL_TYPE.BUY || d.type === DEAL_TYPE.SELL).length,
    ).toBeGreaterThan(20);
  }, 120_000);

  it("fails when the app's heap grows: 1 MB a simulated day kept in the app's thread", async () => {
    const kept: number[][] = [];
    const stepMs = 600_000; // 144 steps a simulated day
    const report = await runSoak({
      hours: 5 * 24,
      stepMs,
      seed: 5,
      // About 7 KB a step (875 numbers, 8 bytes each): 1 MB a simulated day.
      onStep: (step) => {
        kept.push(Array.from({ length: 875 }, (_, i) => step + i));
      },
    });
    expect(report.facts.appHeapPerDay).toHaveLength(5);
    expect(report.facts.terminalHeapPerDay).toHaveLength(5);
    expect(appHeapSlope(report.facts)).toBeGreaterThan(0.9e6);
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]).toMatch(/^the app's heap grows \d+ KB a simulated day after the warm-up/);
    expect(kept).toHaveLength(5 * 144);
  }, 120_000);
});
