import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './connector-socket';

describe('reconnect backoff', () => {
  const options = { baseMs: 500, maxMs: 30_000 };

  it('stays between half the base and the capped exponential ceiling, whatever the attempt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelay(attempt, options, () => r);
          const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 20));
          expect(delay).toBeGreaterThanOrEqual(options.baseMs / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('grows with the attempt and spreads reconnects (jitter), never past the cap', () => {
    const top = (attempt: number): number => backoffDelay(attempt, options, () => 0.999_999);
    expect(top(0)).toBeLessThan(top(3));
    expect(top(3)).toBeLessThan(top(6));
    expect(top(50)).toBeLessThanOrEqual(30_000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(6, options)));
    expect(spread.size).toBeGreaterThan(10);
  });
});
