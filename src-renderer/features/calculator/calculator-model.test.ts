import { describe, expect, it } from 'vitest';
import { DEFAULT_CALCULATOR, type CalculatorDraft } from '../../store/drafts-slice';
import type { QuoteView } from '../../store/market-slice';
import {
  flagText,
  pendingKindFor,
  ratesFromQuotes,
  sizeFromDraft,
  ticketPatchFromSizing,
  type SizingContext,
} from './calculator-model';
import { catalogSpec, testAccount } from '../../testing/fixtures';

const account = testAccount({ equity: 9_000, profit: -1_000, freeMargin: 9_000 });

const ctx: SizingContext = {
  spec: catalogSpec('EURUSD'),
  quote: { bid: 1.085, ask: 1.0851 },
  account,
  rates: {},
  maxLotSize: 10,
};
const draft = (patch: Partial<CalculatorDraft>): CalculatorDraft => ({
  ...DEFAULT_CALCULATOR,
  symbol: 'EURUSD',
  ...patch,
});

describe('position-size calculator', () => {
  it('sizes 1% of the balance with a 20-pip stop at 0.50 lots', () => {
    const out = sizeFromDraft(draft({ risk: '1', sl: '20' }), ctx);
    if (!out.ok) throw new Error(out.message);
    expect(out.size.lotSize).toBe(0.5);
    expect(out.size.riskAmount).toBe(100);
    expect(out.size.actualRiskAmount).toBe(100);
    expect(out.size.pipValuePerLot).toBe(10);
    expect(out.entry).toBe(1.0851);
  });

  it('uses equity, a money risk, a typed entry and commission when asked', () => {
    const out = sizeFromDraft(
      draft({
        baseOn: 'equity',
        riskMode: 'money',
        risk: '90',
        entryMode: 'typed',
        entry: '1.0800',
        side: 'sell',
        slUnit: 'price',
        sl: '1.0830',
        commission: '3.5',
      }),
      ctx,
    );
    if (!out.ok) throw new Error(out.message);
    // 30 pips × $10 + 2 × $3.50 = $307 per lot → 90 / 307 = 0.29 lots
    expect(out.size.lotSize).toBe(0.29);
    expect(out.side).toBe('sell');
  });

  it('reports the flags in words', () => {
    const tiny = sizeFromDraft(draft({ riskMode: 'money', risk: '0.5', sl: '50' }), ctx);
    if (!tiny.ok) throw new Error(tiny.message);
    expect(tiny.size.flags).toEqual(['BELOW_MIN_LOT']);
    expect(flagText('BELOW_MIN_LOT', catalogSpec('EURUSD'), 10)).toMatch(/Below the minimum lot \(0\.01\)/);
    const huge = sizeFromDraft(draft({ risk: '50', sl: '1' }), { ...ctx, maxLotSize: 2 });
    if (!huge.ok) throw new Error(huge.message);
    expect(huge.size.lotSize).toBe(2);
    expect(flagText('CAPPED_AT_MAX_LOT', catalogSpec('EURUSD'), 2)).toMatch(
      /Capped at 2\.00 lots \(your max lot size\)/,
    );
  });

  it('explains bad input and missing data', () => {
    expect(sizeFromDraft(draft({ sl: '' }), ctx)).toMatchObject({
      ok: false,
      message: 'Enter the stop loss in pips.',
    });
    expect(sizeFromDraft(draft({ risk: '150' }), ctx)).toMatchObject({
      ok: false,
      code: 'INVALID_RISK_PERCENT',
    });
    expect(sizeFromDraft(draft({}), { ...ctx, account: null })).toMatchObject({
      ok: false,
      code: 'NOT_CONNECTED',
    });
    const gbpjpy = sizeFromDraft(draft({ symbol: 'GBPJPY' }), {
      ...ctx,
      spec: catalogSpec('GBPJPY'),
      quote: { bid: 190.5, ask: 190.52 },
    });
    expect(gbpjpy).toMatchObject({ ok: false, code: 'MISSING_CONVERSION_RATE' });
    if (!gbpjpy.ok)
      expect(gbpjpy.message).toMatch(/Add (JPYUSD|GBPUSD) \(or (USDJPY|USDGBP)\) to the market watch/);
  });

  it('converts through rates built from the quotes on screen', () => {
    const quotes: Record<string, QuoteView> = {
      USDJPY: { symbol: 'USDJPY', bid: 149.99, ask: 150.01, timeMs: 1, bidDirection: 0, askDirection: 0 },
      GBPUSD: { symbol: 'GBPUSD', bid: 1.2699, ask: 1.2701, timeMs: 1, bidDirection: 0, askDirection: 0 },
      US500: { symbol: 'US500', bid: 5200, ask: 5200.5, timeMs: 1, bidDirection: 0, askDirection: 0 },
    };
    const rates = ratesFromQuotes(
      { USDJPY: catalogSpec('USDJPY'), GBPUSD: catalogSpec('GBPUSD'), US500: catalogSpec('US500') },
      quotes,
    );
    expect(rates).toEqual({ USDJPY: 150, GBPUSD: 1.27 });
    const out = sizeFromDraft(draft({ symbol: 'GBPJPY', sl: '20' }), {
      ...ctx,
      spec: catalogSpec('GBPJPY'),
      quote: { bid: 190.5, ask: 190.52 },
      rates,
    });
    expect(out.ok).toBe(true);
  });

  it('fills the ticket: market with pips, or a pending order at a typed entry', () => {
    const live = sizeFromDraft(draft({ sl: '20', tpPips: '40' }), ctx);
    if (!live.ok) throw new Error(live.message);
    expect(
      ticketPatchFromSizing(draft({ sl: '20', tpPips: '40' }), live, catalogSpec('EURUSD'), ctx.quote),
    ).toEqual({
      symbol: 'EURUSD',
      side: 'buy',
      volume: '0.50',
      mode: 'market',
      stopUnit: 'pips',
      sl: '20',
      tp: '40',
    });
    const typedDraft = draft({
      entryMode: 'typed',
      entry: '1.0800',
      slUnit: 'price',
      sl: '1.0780',
      tpPips: '30',
    });
    const typed = sizeFromDraft(typedDraft, ctx);
    if (!typed.ok) throw new Error(typed.message);
    expect(ticketPatchFromSizing(typedDraft, typed, catalogSpec('EURUSD'), ctx.quote)).toMatchObject({
      mode: 'pending',
      pendingKind: 'buy_limit',
      price: '1.08000',
      stopUnit: 'price',
      sl: '1.07800',
      tp: '1.08300',
    });
  });

  it('picks limit or stop by where the entry is', () => {
    const quote = { bid: 1.085, ask: 1.0851 };
    expect(pendingKindFor('buy', 1.08, quote)).toBe('buy_limit');
    expect(pendingKindFor('buy', 1.09, quote)).toBe('buy_stop');
    expect(pendingKindFor('sell', 1.09, quote)).toBe('sell_limit');
    expect(pendingKindFor('sell', 1.08, quote)).toBe('sell_stop');
  });
});
