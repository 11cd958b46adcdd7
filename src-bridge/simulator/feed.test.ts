import { describe, expect, it } from 'vitest';
import { CATALOG_MID_PRICES, SYMBOL_CATALOG } from '../../src-core/trading/catalog';
import { RandomWalkFeed, parseReplayCsv, seededRandom } from './feed';

const specs = new Map(SYMBOL_CATALOG.map((s) => [s.name, s]));

describe('RandomWalkFeed', () => {
  it('is deterministic for a seed, keeps ask above bid and prices on the tick grid', () => {
    const run = (seed: number) => {
      const feed = new RandomWalkFeed(SYMBOL_CATALOG, CATALOG_MID_PRICES, seededRandom(seed));
      return [feed.initial(0), ...Array.from({ length: 50 }, (_, i) => feed.step(i + 1))].flat();
    };
    const a = run(42);
    expect(run(42)).toEqual(a);
    expect(run(43)).not.toEqual(a);
    for (const tick of a) {
      const spec = specs.get(tick.symbol);
      if (spec === undefined) throw new Error(tick.symbol);
      expect(tick.ask).toBeGreaterThan(tick.bid);
      const ticks = tick.bid / spec.tickSize;
      expect(Math.abs(ticks - Math.round(ticks))).toBeLessThan(1e-6);
    }
  });
});

describe('parseReplayCsv', () => {
  it('reads ticks and bars with a header, ISO or ms times', () => {
    const csv = [
      'time,symbol,bid,ask',
      '1700000000000,EURUSD,1.08,1.0801',
      '',
      '2023-11-14T22:13:21Z,EURUSD,1.081,1.0811',
      '1700000002000,GBPUSD,1.25,1.26,1.24,1.255',
    ].join('\n');
    const parsed = parseReplayCsv(csv, specs);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value).toHaveLength(6);
    expect(parsed.value[1]).toMatchObject({
      symbol: 'EURUSD',
      bid: 1.081,
      timeMs: Date.parse('2023-11-14T22:13:21Z'),
    });
    // An up bar: open, low, high, close.
    expect(parsed.value.slice(2).map((t) => t.bid)).toEqual([1.25, 1.24, 1.26, 1.255]);
  });

  it.each([
    ['nonsense,EURUSD,1,2', 'time'],
    ['1,NOPE,1,2', 'unknown symbol'],
    ['1,EURUSD,abc,2', 'positive numbers'],
    ['1,EURUSD,1.2,1.1', 'ask below bid'],
    ['1,EURUSD,1,2,3', 'expected'],
    ['1,EURUSD,1.1,1.0,1.2,1.1', 'high below low'],
  ])('rejects %s', (line, why) => {
    const parsed = parseReplayCsv(`time,symbol,a,b\n${line}`, specs);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toContain(why);
  });
});
