import { describe, expect, it } from 'vitest';
import { DEAL_ENTRY, DEAL_TYPE } from '../../src-bridge/protocol/enums';
import type { WireDeal } from '../../src-bridge/protocol/messages';
import { slope, soakViolations, type SoakFacts } from './invariants';
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
  heapPerDay: [50e6, 51e6, 50e6],
  heapSlopeLimit: 8e6,
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
    expect(soakViolations({ ...base, heapPerDay: [50e6, 60e6, 70e6] })).toEqual([
      'heap grows 10.0 MB a simulated day (limit 8.0 MB)',
    ]);
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
});
