import { describe, expect, it } from 'vitest';
import {
  checkRiskLimits,
  DEFAULT_RISK_LIMITS,
  RiskLimits,
  riskLimitViolations,
  type RiskCheckInput,
} from './risk-limits';

const input = (over: Partial<RiskCheckInput> = {}): RiskCheckInput => ({
  limits: DEFAULT_RISK_LIMITS,
  volume: 1,
  openPositions: 3,
  marginRequired: 1085,
  freeMargin: 9000,
  equity: 10_000,
  riskAmount: 100,
  accountCurrency: 'USD',
  ...over,
});

describe('RiskLimits schema', () => {
  it('has the defaults: 10 lots, 20 positions, margin within free margin, no risk cap', () => {
    expect(DEFAULT_RISK_LIMITS).toEqual({
      maxLotSize: 10,
      maxOpenPositions: 20,
      requireMarginWithinFree: true,
    });
  });
  it('validates configured limits', () => {
    expect(RiskLimits.safeParse({ maxLotSize: 0 }).success).toBe(false);
    expect(RiskLimits.safeParse({ maxOpenPositions: 2.5 }).success).toBe(false);
    expect(RiskLimits.safeParse({ maxRiskPerTrade: 101 }).success).toBe(false);
    expect(RiskLimits.safeParse({ maxRiskPerTrade: 0 }).success).toBe(false);
    expect(RiskLimits.safeParse({ requireMarginWithinFree: 'yes' }).success).toBe(false);
    expect(RiskLimits.safeParse({ unknownLimit: 1 }).success).toBe(false);
    expect(RiskLimits.parse({ maxRiskPerTrade: 2 })).toMatchObject({ maxLotSize: 10, maxRiskPerTrade: 2 });
  });
});

describe('checkRiskLimits', () => {
  it('passes an order within every limit', () => {
    expect(checkRiskLimits(input())).toEqual({ ok: true, value: undefined });
  });

  it('MAX_LOT_SIZE_EXCEEDED names the limit and the excess', () => {
    const r = checkRiskLimits(input({ volume: 12.5 }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('MAX_LOT_SIZE_EXCEEDED');
      expect(r.error.message).toBe(
        'The volume 12.5 lots is above your maximum lot size of 10 (by 2.5 lots).',
      );
      expect(r.error.details).toMatchObject({ limit: 'maxLotSize', excess: 2.5 });
    }
    // float noise in the excess: 10.3 - 10 = 0.3000000000000007
    const noisy = riskLimitViolations(input({ volume: 10.3 }));
    expect(noisy[0]?.details).toMatchObject({ excess: 0.3 });
  });

  it('MAX_OPEN_POSITIONS_EXCEEDED counts the new position; adding to a netting position does not', () => {
    const r = riskLimitViolations(input({ openPositions: 20 }));
    expect(r.map((v) => v.code)).toEqual(['MAX_OPEN_POSITIONS_EXCEEDED']);
    expect(r[0]?.message).toBe(
      '20 positions are open and your limit is 20; this order would make 21 (1 over).',
    );
    expect(checkRiskLimits(input({ openPositions: 20, opensNewPosition: false })).ok).toBe(true);
    expect(checkRiskLimits(input({ openPositions: 19 })).ok).toBe(true);
  });

  it('INSUFFICIENT_MARGIN with the shortfall; can be switched off', () => {
    const r = riskLimitViolations(input({ marginRequired: 1085, freeMargin: 900 }));
    expect(r[0]?.message).toBe(
      'This trade needs 1085.00 USD of margin but only 900.00 USD is free (185.00 USD short).',
    );
    expect(r[0]?.details).toMatchObject({ excess: 185 });
    const off = { ...DEFAULT_RISK_LIMITS, requireMarginWithinFree: false };
    expect(checkRiskLimits(input({ limits: off, marginRequired: 1085, freeMargin: 900 })).ok).toBe(true);
    // equal is within
    expect(checkRiskLimits(input({ marginRequired: 900, freeMargin: 900 })).ok).toBe(true);
  });

  it('MAX_RISK_PER_TRADE_EXCEEDED as a percent of the equity, and without a stop loss', () => {
    const limits = RiskLimits.parse({ maxRiskPerTrade: 2 });
    // 2% of 10,000 = 200; risking 250 is 50 over
    const r = riskLimitViolations(input({ limits, riskAmount: 250 }));
    expect(r.map((v) => v.code)).toEqual(['MAX_RISK_PER_TRADE_EXCEEDED']);
    expect(r[0]?.message).toBe(
      'This trade risks 250.00 USD (2.5% of the equity); your limit is 2% (200.00 USD), 50.00 USD over.',
    );
    expect(checkRiskLimits(input({ limits, riskAmount: 200 })).ok).toBe(true);
    const noStop = riskLimitViolations(input({ limits, riskAmount: undefined }));
    expect(noStop[0]?.code).toBe('MAX_RISK_PER_TRADE_EXCEEDED');
    expect(noStop[0]?.message).toContain('A stop loss is required');
    // without the limit configured, no stop loss is fine
    expect(checkRiskLimits(input({ riskAmount: undefined })).ok).toBe(true);
  });

  it('RISK_NOT_COMPUTABLE when a stop loss has no money figure (no tick value), only with a risk limit', () => {
    const limits = RiskLimits.parse({ maxRiskPerTrade: 2 });
    const r = riskLimitViolations(input({ limits, riskAmount: undefined, noTickValueFor: 'XAUUSD' }));
    expect(r.map((v) => v.code)).toEqual(['RISK_NOT_COMPUTABLE']);
    expect(r[0]?.message).toBe(
      'Cannot compute the risk: the terminal sent no tick value for XAUUSD, so this trade cannot be checked against your maximum risk per trade of 2% of the equity (200.00 USD).',
    );
    expect(r[0]?.details).toMatchObject({ limit: 'maxRiskPerTrade', symbol: 'XAUUSD', max: 200 });
    expect(checkRiskLimits(input({ riskAmount: undefined, noTickValueFor: 'XAUUSD' })).ok).toBe(true);
  });

  it('takes the per-trade limit on equity, not balance (Settings say "% equity")', () => {
    const limits = RiskLimits.parse({ maxRiskPerTrade: 1 });
    // Balance 10,000 but equity 8,000 after floating losses: 1% is 80, so risking 90 is refused.
    const r = riskLimitViolations(input({ limits, equity: 8_000, riskAmount: 90 }));
    expect(r[0]?.message).toBe(
      'This trade risks 90.00 USD (1.13% of the equity); your limit is 1% (80.00 USD), 10.00 USD over.',
    );
    expect(checkRiskLimits(input({ limits, equity: 8_000, riskAmount: 80 })).ok).toBe(true);
  });

  it('lists every broken limit in order, and checkRiskLimits returns the first', () => {
    const limits = RiskLimits.parse({ maxRiskPerTrade: 1, maxOpenPositions: 1, maxLotSize: 0.5 });
    const all = riskLimitViolations(input({ limits, openPositions: 1, freeMargin: 10 }));
    expect(all.map((v) => v.code)).toEqual([
      'MAX_LOT_SIZE_EXCEEDED',
      'MAX_OPEN_POSITIONS_EXCEEDED',
      'INSUFFICIENT_MARGIN',
    ]);
    const first = checkRiskLimits(input({ limits, openPositions: 1, freeMargin: 10 }));
    expect(first.ok ? '' : first.error.code).toBe('MAX_LOT_SIZE_EXCEEDED');
  });
});
