import { describe, expect, it } from 'vitest';
import type { Position, RiskLimits } from '../../../src-core/contracts/ipc';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { DEFAULT_CALCULATOR, type CalculatorDraft } from '../../store/drafts-slice';
import { checkAgainstAccount, switchRiskMode, type AccountCheckContext } from './calculator-checks';
import { sizeFromDraft } from './calculator-model';
import { catalogSpec, testAccount } from '../../testing/fixtures';

const account = testAccount();
const limits: RiskLimits = {
  maxLotSize: 100,
  maxOpenPositions: 20,
  maxRiskPercent: null,
  isRetryAllowed: true,
  maxRetries: 1,
};
const position = (p: Partial<Position>): Position => ({
  ticket: '1',
  symbol: 'EURUSD',
  side: 'buy',
  volume: 0.5,
  priceOpen: 1.085,
  priceCurrent: 1.085,
  sl: 1.083,
  tp: null,
  profit: 0,
  swap: 0,
  commission: 0,
  openTimeMs: 0,
  magic: '0',
  comment: '',
  clientOrderId: null,
  ...p,
});

function run(
  draftPatch: Partial<CalculatorDraft>,
  ctxPatch: Partial<AccountCheckContext> & { spec: SymbolSpec },
) {
  const ctx: AccountCheckContext = {
    quote: { bid: 1.085, ask: 1.0851 },
    account,
    rates: {},
    limits,
    positions: [],
    specs: { EURUSD: catalogSpec('EURUSD'), XAUUSD: catalogSpec('XAUUSD') },
    ...ctxPatch,
  };
  const draft: CalculatorDraft = { ...DEFAULT_CALCULATOR, symbol: ctx.spec.name, ...draftPatch };
  const outcome = sizeFromDraft(draft, { ...ctx, maxLotSize: ctx.limits?.maxLotSize });
  if (!outcome.ok) throw new Error(outcome.message);
  return { outcome, checks: checkAgainstAccount(draft, outcome, ctx) };
}

describe('calculator: sizing against the account', () => {
  it('flags the XAUUSD regression: 0.20 stop under a 26-point spread, sized 5 lots, is refused', () => {
    const { outcome, checks } = run(
      { sl: '20' }, // XAUUSD pips are points (2 digits): 20 pips = 0.20
      { spec: catalogSpec('XAUUSD'), quote: { bid: 2650, ask: 2650.26 } },
    );
    // 1 % of 10,000 = 100; 20 ticks × 1 USD = 20 per lot → 5 lots
    expect(outcome.size.lotSize).toBe(5);
    expect(checks.warnings.map((w) => w.code)).toContain('STOP_INSIDE_SPREAD');
    expect(checks.warnings.find((w) => w.code === 'STOP_INSIDE_SPREAD')?.text).toMatch(
      /20 points from the entry, inside the 26-point spread/,
    );
    // 5 lots × 100 oz × 2,650.26 / 100 = 13,251.30 of margin > 10,000 free; 10,000 / 2,650.26 = 3.77 lots
    expect(checks.maxLotsByMargin).toBe(3.77);
    expect(checks.warnings.find((w) => w.code === 'INSUFFICIENT_MARGIN')?.text).toMatch(
      /needs 13,251\.30\sUSD of margin; 10,000\.00\sUSD is free\. The free margin carries at most 3\.77 lots/,
    );
  });

  it('passes a clean EURUSD trade and shows the max lots by margin', () => {
    const { checks } = run({ sl: '20' }, { spec: catalogSpec('EURUSD') });
    expect(checks.warnings).toEqual([]);
    // 1 lot = 1,000 EUR × 1.0851 = 1,085.10; 10,000 / 1,085.10 = 9.2157 → 9.21
    expect(checks.maxLotsByMargin).toBe(9.21);
  });

  it('applies the trader’s limits: max risk % of equity and max open positions', () => {
    const { checks } = run(
      { risk: '3', sl: '20' },
      {
        spec: catalogSpec('EURUSD'),
        account: { ...account, equity: 9_000 },
        limits: { ...limits, maxRiskPercent: 2, maxOpenPositions: 1 },
        positions: [position({})],
      },
    );
    const codes = checks.warnings.map((w) => w.code);
    // 3 % of the 10,000 balance = 300 > 2 % of the 9,000 equity = 180
    expect(codes).toEqual(['MAX_OPEN_POSITIONS_EXCEEDED', 'MAX_RISK_PER_TRADE_EXCEEDED']);
    expect(checks.warnings[1]?.text).toMatch(/limit is 2% \(180\.00 USD\)/);
  });

  it('adds this trade to the portfolio risk and reports positions without a stop', () => {
    const { checks } = run(
      { sl: '20' },
      {
        spec: catalogSpec('EURUSD'),
        positions: [position({ ticket: '1' }), position({ ticket: '2', sl: null })],
      },
    );
    // The open EURUSD position risks 0.5 × 200 ticks × 1 USD = 100; this trade 0.5 lots × 20 pips = 100.
    expect(checks.portfolio).toMatchObject({ atRisk: 100, unbounded: ['2'] });
    expect(checks.portfolioAfter).toBe(200);
  });
});

describe('switching "risk as"', () => {
  const draft = { ...DEFAULT_CALCULATOR, riskMode: 'money' as const, risk: '150' };
  it('turns 150 USD into 1.5 % of the balance, and back', () => {
    expect(switchRiskMode(draft, 'percent', account)).toEqual({ riskMode: 'percent', risk: '1.5' });
    expect(switchRiskMode({ ...draft, riskMode: 'percent', risk: '1.5' }, 'money', account)).toEqual({
      riskMode: 'money',
      risk: '150.00',
    });
  });
  it('uses the equity when sizing on equity, and keeps unreadable text', () => {
    expect(switchRiskMode({ ...draft, baseOn: 'equity' }, 'percent', { ...account, equity: 7_500 })).toEqual({
      riskMode: 'percent',
      risk: '2',
    });
    // "1." reads as 1 USD: 0.01 % of 10,000.
    expect(switchRiskMode({ ...draft, risk: '1.' }, 'percent', account)).toEqual({
      riskMode: 'percent',
      risk: '0.01',
    });
    expect(switchRiskMode({ ...draft, risk: 'abc' }, 'percent', account)).toEqual({ riskMode: 'percent' });
    expect(switchRiskMode(draft, 'percent', null)).toEqual({ riskMode: 'percent', risk: '' });
    expect(switchRiskMode(draft, 'money', account)).toEqual({});
  });
});
