import { describe, expect, it } from 'vitest';
import { Bar, aggregateBars, applyPrice, mergeBars } from './bars';

const at = (iso: string): number => Date.parse(`${iso}Z`);
const bar = (iso: string, o: number, h: number, l: number, c: number, v = 1, spread = 0): Bar => ({
  timeMs: at(iso),
  open: o,
  high: h,
  low: l,
  close: c,
  tickVolume: v,
  spread,
});

describe('applyPrice (live bars from ticks)', () => {
  it('updates the current bar and opens the next one on the boundary', () => {
    const bars: Bar[] = [];
    expect(applyPrice(bars, 'M5', 1.1, at('2026-03-04T10:01:00'), 12).kind).toBe('opened');
    expect(applyPrice(bars, 'M5', 1.102, at('2026-03-04T10:02:00'), 10).kind).toBe('updated');
    expect(applyPrice(bars, 'M5', 1.099, at('2026-03-04T10:04:59.999'), 14).kind).toBe('updated');
    const opened = applyPrice(bars, 'M5', 1.1005, at('2026-03-04T10:05:00'), 11);
    expect(opened).toEqual({
      kind: 'opened',
      bar: bar('2026-03-04T10:05:00', 1.1005, 1.1005, 1.1005, 1.1005, 1, 11),
    });
    expect(bars[0]).toEqual(bar('2026-03-04T10:00:00', 1.1, 1.102, 1.099, 1.099, 3, 10));
  });

  it('leaves a gap as a gap: no bars for periods without prices', () => {
    const bars: Bar[] = [];
    applyPrice(bars, 'M1', 1.1, at('2026-03-06T21:59:30'));
    // Friday close to Sunday open: the next bar is the Sunday one, nothing in between.
    applyPrice(bars, 'M1', 1.1012, at('2026-03-08T22:00:05'));
    expect(bars.map((b) => b.timeMs)).toEqual([at('2026-03-06T21:59:00'), at('2026-03-08T22:00:00')]);
    expect(bars[1]?.open).toBe(1.1012);
  });

  it('ignores a late tick older than the last bar', () => {
    const bars: Bar[] = [];
    applyPrice(bars, 'M1', 1.1, at('2026-03-04T10:01:00'));
    expect(applyPrice(bars, 'M1', 1.5, at('2026-03-04T10:00:59'))).toEqual({ kind: 'ignored' });
    expect(bars).toEqual([bar('2026-03-04T10:01:00', 1.1, 1.1, 1.1, 1.1)]);
  });
});

describe('aggregateBars', () => {
  const m1 = [
    bar('2026-02-27T23:58:00', 1.1, 1.101, 1.099, 1.1005, 3, 9),
    bar('2026-02-27T23:59:00', 1.1005, 1.103, 1.1, 1.102, 2, 12),
    // Saturday and Sunday have no bars (a gap), then the week opens.
    bar('2026-03-01T22:00:00', 1.104, 1.105, 1.0985, 1.099, 5, 0),
    bar('2026-03-02T00:00:00', 1.099, 1.1, 1.097, 1.0975, 4, 15),
  ];

  it('builds H1 and D1 bars, skipping empty periods', () => {
    expect(aggregateBars(m1, 'H1')).toEqual([
      bar('2026-02-27T23:00:00', 1.1, 1.103, 1.099, 1.102, 5, 9),
      bar('2026-03-01T22:00:00', 1.104, 1.105, 1.0985, 1.099, 5, 0),
      bar('2026-03-02T00:00:00', 1.099, 1.1, 1.097, 1.0975, 4, 15),
    ]);
    expect(aggregateBars(m1, 'D1').map((b) => b.timeMs)).toEqual([
      at('2026-02-27T00:00:00'),
      at('2026-03-01T00:00:00'),
      at('2026-03-02T00:00:00'),
    ]);
  });

  it('builds W1 bars that change on Sunday, and MN1 bars that change on the 1st', () => {
    const w1 = aggregateBars(m1, 'W1');
    expect(w1).toEqual([
      bar('2026-02-22T00:00:00', 1.1, 1.103, 1.099, 1.102, 5, 9),
      bar('2026-03-01T00:00:00', 1.104, 1.105, 1.097, 1.0975, 9, 15),
    ]);
    const mn1 = aggregateBars(m1, 'MN1');
    expect(mn1.map((b) => [new Date(b.timeMs).toISOString(), b.open, b.close])).toEqual([
      ['2026-02-01T00:00:00.000Z', 1.1, 1.102],
      ['2026-03-01T00:00:00.000Z', 1.104, 1.0975],
    ]);
  });

  it('gives the same bars as ticks folded straight into the higher timeframe', () => {
    const ticks: [string, number][] = [
      ['2026-03-04T10:00:01', 1.2],
      ['2026-03-04T10:00:40', 1.21],
      ['2026-03-04T10:01:10', 1.19],
      ['2026-03-04T10:14:59', 1.195],
      ['2026-03-04T10:15:00', 1.205],
      ['2026-03-04T10:47:00', 1.18],
    ];
    const minute: Bar[] = [];
    const quarter: Bar[] = [];
    for (const [t, p] of ticks) {
      applyPrice(minute, 'M1', p, at(t));
      applyPrice(quarter, 'M15', p, at(t));
    }
    expect(aggregateBars(minute, 'M15')).toEqual(quarter);
  });
});

describe('mergeBars', () => {
  it('replaces the overlapping tail and appends newer bars', () => {
    const older = [bar('2026-03-04T10:00:00', 1, 1, 1, 1), bar('2026-03-04T10:01:00', 2, 2, 2, 2)];
    const newer = [bar('2026-03-04T10:01:00', 3, 3, 3, 3), bar('2026-03-04T10:02:00', 4, 4, 4, 4)];
    expect(mergeBars(older, newer).map((b) => b.open)).toEqual([1, 3, 4]);
    expect(mergeBars(older, [])).toEqual(older);
  });
});

describe('Bar schema', () => {
  it('refuses a bar without a positive price or with a fractional volume', () => {
    expect(Bar.safeParse({ ...bar('2026-03-04T10:00:00', 1, 1, 1, 1), low: 0 }).success).toBe(false);
    expect(Bar.safeParse({ ...bar('2026-03-04T10:00:00', 1, 1, 1, 1), tickVolume: 1.5 }).success).toBe(false);
  });
});
