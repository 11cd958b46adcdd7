import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fillingCandidates, nextFillingCandidate } from './filling';
import { ExecutionMode, SYMBOL_FILLING_FLAG as F } from './symbol-spec';
import { SYMBOL_CATALOG, findCatalogSymbol } from './catalog';

describe('fillingCandidates', () => {
  it('Request and Instant execution: FOK only, whatever the flags', () => {
    expect(fillingCandidates({ executionMode: 'INSTANT', fillingFlags: F.IOC }, 'market')).toEqual(['FOK']);
    expect(fillingCandidates({ executionMode: 'REQUEST', fillingFlags: 0 }, 'market')).toEqual(['FOK']);
  });
  it('Market execution: FOK, then IOC, as the flags allow, then RETURN', () => {
    expect(fillingCandidates({ executionMode: 'MARKET', fillingFlags: F.FOK | F.IOC }, 'market')).toEqual([
      'FOK',
      'IOC',
      'RETURN',
    ]);
    expect(fillingCandidates({ executionMode: 'MARKET', fillingFlags: F.IOC }, 'market')).toEqual([
      'IOC',
      'RETURN',
    ]);
    expect(fillingCandidates({ executionMode: 'MARKET', fillingFlags: F.FOK }, 'market')).toEqual([
      'FOK',
      'RETURN',
    ]);
    // no flags at all: some brokers report 0 and accept only RETURN
    expect(fillingCandidates({ executionMode: 'MARKET', fillingFlags: 0 }, 'market')).toEqual(['RETURN']);
  });
  it('Exchange execution: same order; BOC is never used for market orders', () => {
    expect(
      fillingCandidates({ executionMode: 'EXCHANGE', fillingFlags: F.FOK | F.IOC | F.BOC }, 'market'),
    ).toEqual(['FOK', 'IOC', 'RETURN']);
  });
  it('pending orders: RETURN, or BOC when asked for and allowed', () => {
    const aapl = findCatalogSymbol('AAPL');
    expect(aapl && fillingCandidates(aapl, 'pending')).toEqual(['RETURN']);
    expect(aapl && fillingCandidates(aapl, 'pending', { bookOrCancel: true })).toEqual(['BOC']);
    expect(
      fillingCandidates({ executionMode: 'MARKET', fillingFlags: F.FOK }, 'pending', { bookOrCancel: true }),
    ).toEqual(['RETURN']);
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
  it('property: never empty, no duplicates, only modes the flags allow (RETURN aside)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ExecutionMode.options),
        fc.integer({ min: 0, max: 7 }),
        (mode, flags) => {
          const list = fillingCandidates({ executionMode: mode, fillingFlags: flags }, 'market');
          expect(list.length).toBeGreaterThan(0);
          expect(new Set(list).size).toBe(list.length);
          if (mode === 'MARKET' || mode === 'EXCHANGE') {
            if (list.includes('FOK')) expect(flags & F.FOK).not.toBe(0);
            if (list.includes('IOC')) expect(flags & F.IOC).not.toBe(0);
            expect(list.at(-1)).toBe('RETURN');
          }
        },
      ),
    );
    expect(SYMBOL_CATALOG.every((s) => fillingCandidates(s, 'market').length > 0)).toBe(true);
  });
});

describe('nextFillingCandidate', () => {
  it('walks the list after 10030 and ends with undefined', () => {
    const spec = { executionMode: 'MARKET', fillingFlags: F.FOK | F.IOC } as const;
    expect(nextFillingCandidate(spec, 'market', 'FOK')).toBe('IOC');
    expect(nextFillingCandidate(spec, 'market', 'IOC')).toBe('RETURN');
    expect(nextFillingCandidate(spec, 'market', 'RETURN')).toBeUndefined();
    // a mode not on the list (e.g. a stale cache) restarts from the first candidate
    expect(nextFillingCandidate(spec, 'market', 'BOC')).toBe('FOK');
  });
});
