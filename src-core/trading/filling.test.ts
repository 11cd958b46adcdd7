import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fillingCandidates, nextFillingCandidate, orderKindOf, type OrderKind } from './filling';
import { ExecutionMode, SYMBOL_FILLING_FLAG as F } from './symbol-spec';
import { SYMBOL_CATALOG, findCatalogSymbol } from './catalog';

const KINDS: readonly OrderKind[] = ['market', 'limit', 'stop'];

describe('orderKindOf', () => {
  it('names deals, limit and stop-limit orders, and stop orders', () => {
    expect(['BUY', 'SELL'].map(orderKindOf)).toEqual(['market', 'market']);
    expect(['BUY_LIMIT', 'SELL_LIMIT', 'BUY_STOP_LIMIT', 'SELL_STOP_LIMIT'].map(orderKindOf)).toEqual([
      'limit',
      'limit',
      'limit',
      'limit',
    ]);
    expect(['BUY_STOP', 'SELL_STOP'].map(orderKindOf)).toEqual(['stop', 'stop']);
  });
});

describe('fillingCandidates (the EA table in docs/mql5-functions.md, "Filling")', () => {
  it('Request and Instant execution: FOK only, whatever the flags and the order', () => {
    for (const kind of KINDS) {
      expect(fillingCandidates({ executionMode: 'INSTANT', fillingFlags: F.IOC }, kind)).toEqual(['FOK']);
      expect(fillingCandidates({ executionMode: 'REQUEST', fillingFlags: 0 }, kind)).toEqual(['FOK']);
    }
  });
  it('Market execution, market and stop orders: FOK then IOC as the flags allow, never RETURN', () => {
    for (const kind of ['market', 'stop'] as const) {
      const m = (flags: number): readonly string[] =>
        fillingCandidates({ executionMode: 'MARKET', fillingFlags: flags }, kind);
      expect(m(F.FOK | F.IOC)).toEqual(['FOK', 'IOC']);
      expect(m(F.IOC)).toEqual(['IOC']);
      expect(m(F.FOK | F.BOC)).toEqual(['FOK']);
      // Neither flag: nothing to send with, the EA answers 10030 itself (CTrade does the same).
      expect(m(0)).toEqual([]);
    }
  });
  it('Market execution, limit and stop-limit orders: RETURN first, then the first allowed of FOK/IOC', () => {
    const m = (flags: number): readonly string[] =>
      fillingCandidates({ executionMode: 'MARKET', fillingFlags: flags }, 'limit');
    expect(m(F.FOK | F.IOC)).toEqual(['RETURN', 'FOK']);
    expect(m(F.IOC)).toEqual(['RETURN', 'IOC']);
    expect(m(0)).toEqual(['RETURN']);
  });
  it('Exchange execution: market orders FOK/IOC then RETURN; limit and stop orders RETURN only', () => {
    expect(
      fillingCandidates({ executionMode: 'EXCHANGE', fillingFlags: F.FOK | F.IOC | F.BOC }, 'market'),
    ).toEqual(['FOK', 'IOC']);
    expect(fillingCandidates({ executionMode: 'EXCHANGE', fillingFlags: F.IOC }, 'market')).toEqual([
      'IOC',
      'RETURN',
    ]);
    expect(fillingCandidates({ executionMode: 'EXCHANGE', fillingFlags: 0 }, 'market')).toEqual(['RETURN']);
    const aapl = findCatalogSymbol('AAPL');
    expect(aapl && fillingCandidates(aapl, 'limit')).toEqual(['RETURN']);
    expect(aapl && fillingCandidates(aapl, 'stop')).toEqual(['RETURN']);
  });
  it('gives the catalog symbols their expected first choice', () => {
    const first = (n: string): string | undefined => {
      const s = findCatalogSymbol(n);
      return s && fillingCandidates(s, 'market')[0];
    };
    expect(first('EURUSD')).toBe('FOK');
    expect(first('GBPUSD')).toBe('IOC');
    expect(first('USDCHF')).toBe('FOK');
  });
  it('property: at most two, no duplicates, never BOC, FOK/IOC only when flagged (Market/Exchange)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ExecutionMode.options),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(...KINDS),
        (mode, flags, kind) => {
          const list = fillingCandidates({ executionMode: mode, fillingFlags: flags }, kind);
          expect(list.length).toBeLessThanOrEqual(2);
          expect(new Set(list).size).toBe(list.length);
          expect(list).not.toContain('BOC');
          if (mode === 'MARKET' || mode === 'EXCHANGE') {
            if (list.includes('FOK')) expect(flags & F.FOK).not.toBe(0);
            if (list.includes('IOC')) expect(flags & F.IOC).not.toBe(0);
          }
          if (mode === 'MARKET' && kind !== 'limit') expect(list).not.toContain('RETURN');
          if (list.length === 0) {
            expect(mode).toBe('MARKET');
            expect(flags & (F.FOK | F.IOC)).toBe(0);
          }
        },
      ),
    );
    // Every catalog symbol can be traded: none is left without a mode to send a deal with.
    expect(SYMBOL_CATALOG.every((s) => fillingCandidates(s, 'market').length > 0)).toBe(true);
  });
});

describe('nextFillingCandidate', () => {
  it('walks the list after 10030 and ends with undefined', () => {
    const spec = { executionMode: 'MARKET', fillingFlags: F.FOK | F.IOC } as const;
    expect(nextFillingCandidate(spec, 'market', 'FOK')).toBe('IOC');
    expect(nextFillingCandidate(spec, 'market', 'IOC')).toBeUndefined();
    // a mode not on the list restarts from the first candidate
    expect(nextFillingCandidate(spec, 'market', 'BOC')).toBe('FOK');
  });
});
