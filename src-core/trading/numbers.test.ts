import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decimalsOf,
  isMultipleOfStep,
  normalizePrice,
  pipSize,
  pipsToPrice,
  pointsToPrice,
  priceToPips,
  priceToPoints,
  roundMoney,
  roundMoneyDown,
  roundVolumeDown,
  stripFloatNoise,
  toDecimals,
} from './numbers';

describe('decimalsOf', () => {
  it('counts the decimals of a grid, including exponent-notation values', () => {
    expect(decimalsOf(0.01)).toBe(2);
    expect(decimalsOf(0.00001)).toBe(5);
    expect(decimalsOf(1e-7)).toBe(7);
    expect(decimalsOf(0.25)).toBe(2);
    expect(decimalsOf(5)).toBe(0);
    expect(decimalsOf(0.1 + 0.2)).toBe(1); // 0.30000000000000004 is 0.3 within the tolerance
  });
});

describe('normalizePrice', () => {
  it('rounds to the nearest tick and prints clean', () => {
    expect(normalizePrice(1.085426, 0.00001)).toBe(1.08543);
    expect(normalizePrice(1.085424, 0.00001)).toBe(1.08542);
    // half a tick goes up, even where the quotient is 108542.49999… in binary
    expect(normalizePrice(1.085425, 0.00001)).toBe(1.08543);
    expect(normalizePrice(0.1 + 0.2, 0.1)).toBe(0.3);
  });
  it('uses tick sizes larger than the point (index quoted to 0.01 with ticks of 0.25)', () => {
    expect(normalizePrice(5123.13, 0.25)).toBe(5123.25);
    expect(normalizePrice(5123.12, 0.25)).toBe(5123);
    expect(normalizePrice(39123.7, 1)).toBe(39124);
  });
  it('rejects a non-positive tick size as a bug', () => {
    expect(() => normalizePrice(1, 0)).toThrow(RangeError);
  });
  it('property: result is on the tick grid and within half a tick', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.0001, max: 100000, noNaN: true }),
        fc.constantFrom(0.00001, 0.001, 0.01, 0.1, 0.25, 1, 5),
        (price, tick) => {
          const p = normalizePrice(price, tick);
          expect(isMultipleOfStep(p, tick)).toBe(true);
          expect(Math.abs(p - price)).toBeLessThanOrEqual(tick / 2 + 1e-9 * Math.max(1, price));
        },
      ),
    );
  });
});

describe('roundVolumeDown', () => {
  it('floors to the step without float noise', () => {
    expect(roundVolumeDown(0.079, 0.01)).toBe(0.07);
    expect(roundVolumeDown(0.3, 0.1)).toBe(0.3); // 0.3/0.1 = 2.9999999999999996
    expect(roundVolumeDown(1.23456, 0.01)).toBe(1.23);
    expect(roundVolumeDown(0.07, 0.01)).toBe(0.07); // 0.07/0.01 = 7.000000000000001
    expect(roundVolumeDown(7.99, 1)).toBe(7);
    expect(roundVolumeDown(0.009, 0.01)).toBe(0);
    expect(roundVolumeDown(-1, 0.01)).toBe(0);
    expect(roundVolumeDown(0.58, 0.01)).toBe(0.58); // 0.58/0.01 = 57.99999999999999
  });
  it('rejects a non-positive step as a bug', () => {
    expect(() => roundVolumeDown(1, 0)).toThrow(RangeError);
  });
  it('property: never above the input, a multiple of the step, less than one step below', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10000, noNaN: true }),
        fc.constantFrom(0.001, 0.01, 0.1, 1, 0.5),
        (v, step) => {
          const r = roundVolumeDown(v, step);
          expect(r).toBeLessThanOrEqual(v + 1e-9);
          expect(isMultipleOfStep(r, step)).toBe(true);
          expect(v - r).toBeLessThan(step + 1e-9);
          expect(String(r).length).toBeLessThanOrEqual(String(Math.floor(v)).length + 1 + decimalsOf(step));
        },
      ),
    );
  });
});

describe('roundMoney / roundMoneyDown', () => {
  it('rounds half-up, including values that are x.xx4999… in binary', () => {
    expect(roundMoney(1.005)).toBe(1.01);
    expect(roundMoney(2.675)).toBe(2.68);
    expect(roundMoney(2.344)).toBe(2.34);
    expect(roundMoney(-1.005)).toBe(-1.01);
    expect(roundMoney(10.5, 0)).toBe(11);
    expect(roundMoney(123.4567, 3)).toBe(123.457);
    expect(roundMoney(-0.001)).toBe(0);
  });
  it('rounds down to cents', () => {
    expect(roundMoneyDown(12.349)).toBe(12.34);
    expect(roundMoneyDown(0.29)).toBe(0.29); // 0.29*100 = 28.999999999999996
    expect(roundMoneyDown(10000 * 0.0123)).toBe(123); // 122.99999999999999 in binary
    expect(roundMoneyDown(-1.001)).toBe(-1.01);
    expect(roundMoneyDown(5.999, 0)).toBe(5);
  });
  it('property: roundMoneyDown ≤ amount and within a cent; roundMoney within half a cent', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => {
        const down = roundMoneyDown(x);
        expect(down).toBeLessThanOrEqual(x + 1e-6);
        expect(x - down).toBeLessThan(0.01 + 1e-6);
        expect(Math.abs(roundMoney(x) - x)).toBeLessThanOrEqual(0.005 + 1e-6);
      }),
    );
  });
});

describe('pips and points', () => {
  const eurusd = { digits: 5, point: 0.00001 };
  const usdjpy = { digits: 3, point: 0.001 };
  const xauusd = { digits: 2, point: 0.01 };
  const us30 = { digits: 1, point: 0.1 };

  it('derives the pip size: 10 points for 3/5 digits, else 1 point, spec override wins', () => {
    expect(pipSize(eurusd)).toBe(0.0001);
    expect(pipSize(usdjpy)).toBe(0.01);
    expect(pipSize(xauusd)).toBe(0.01);
    expect(pipSize(us30)).toBe(0.1);
    expect(pipSize({ digits: 4, point: 0.0001 })).toBe(0.0001);
    expect(pipSize({ ...xauusd, pipSize: 0.1 })).toBe(0.1);
  });
  it('converts both ways', () => {
    expect(priceToPoints(0.0015, eurusd)).toBe(150);
    expect(priceToPips(0.0015, eurusd)).toBe(15);
    expect(priceToPips(1.0843 - 1.0823, eurusd)).toBe(20);
    expect(pipsToPrice(15, eurusd)).toBe(0.0015);
    expect(pipsToPrice(20.5, usdjpy)).toBe(0.205);
    expect(pointsToPrice(15, eurusd)).toBe(0.00015);
    expect(priceToPoints(-0.3, usdjpy)).toBe(-300);
  });
  it('property: pips and points round-trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(eurusd, usdjpy, xauusd, us30),
        (n, spec) => {
          expect(priceToPoints(pointsToPrice(n, spec), spec)).toBe(n);
          expect(priceToPips(pipsToPrice(n / 10, spec), spec)).toBe(n / 10);
        },
      ),
    );
  });
});

describe('helpers', () => {
  it('toDecimals never returns -0 and stripFloatNoise keeps zero and infinities', () => {
    expect(Object.is(toDecimals(-0.0001, 2), 0)).toBe(true);
    expect(stripFloatNoise(0.1 + 0.2)).toBe(0.3);
    expect(stripFloatNoise(Infinity)).toBe(Infinity);
    expect(stripFloatNoise(-0)).toBe(0);
  });
});

describe('distances from price differences', () => {
  it('removes the absolute float error of a price difference', () => {
    const gbpjpy = { digits: 3, point: 0.001 };
    expect(190.5 - 190.49).not.toBe(0.01); // 0.010000000000019327
    expect(priceToPoints(190.5 - 190.49, gbpjpy)).toBe(10);
    expect(priceToPips(190.5 - 190.49, gbpjpy)).toBe(1);
  });
});

describe('normalizePrice fast path', () => {
  /** The reference: the printed-and-read-back path the fast path must agree with. */
  function reference(price: number, tickSize: number): number {
    const ticks = Math.round(stripFloatNoise(price / tickSize));
    return toDecimals(ticks * tickSize, decimalsOf(tickSize));
  }

  it('returns the same double as printing and reading back, on and off the grid', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const tickSize of [0.00001, 0.001, 0.01, 0.05, 0.25, 0.5, 1, 5, 0.1, 0.0001, 0.3]) {
      const digits = decimalsOf(tickSize);
      // Prices of up to a billion ticks (EURUSD up to 10,000; an index at 0.01 up to 10 million): beyond 15
      // significant digits a double cannot hold the decimal and neither path means anything.
      const top = tickSize * 1e9;
      for (let i = 0; i < 2_000; i += 1) {
        const onGrid = toDecimals(Math.round((random() * top) / tickSize) * tickSize, digits);
        const offGrid = random() * top;
        expect(normalizePrice(onGrid, tickSize)).toBe(reference(onGrid, tickSize));
        expect(normalizePrice(offGrid, tickSize)).toBe(reference(offGrid, tickSize));
      }
    }
    expect(Object.is(normalizePrice(-0, 0.01), 0)).toBe(true);
  });
});

describe('roundMoney fast path', () => {
  /** The reference: half-up through the 15-digit string round trip. */
  function reference(value: number, decimals: number): number {
    const scaled = Number((Math.abs(value) * 10 ** decimals).toPrecision(15));
    return toDecimals((Math.sign(value) * Math.round(scaled)) / 10 ** decimals, decimals);
  }

  it('returns the same double as the string round trip, including exact halves and their binary neighbours', () => {
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const decimals of [0, 2, 3, 8]) {
      for (let i = 0; i < 4_000; i += 1) {
        const value = (random() - 0.5) * 2 * 10 ** (1 + Math.floor(random() * 8));
        const half = (Math.round(value * 10 ** decimals) + 0.5) / 10 ** decimals;
        for (const v of [value, half, -half]) expect(roundMoney(v, decimals)).toBe(reference(v, decimals));
      }
    }
    expect(roundMoney(1.005)).toBe(1.01);
    expect(roundMoney(-1.005)).toBe(-1.01);
    expect(Object.is(roundMoney(-0.001), 0)).toBe(true);
  });
});
