import { describe, expect, it } from 'vitest';
import { barTicks, readReplayText, ReplayReader, type BarPricing } from './replay-reader';

const fx: BarPricing = { point: 0.00001, tickSize: 0.00001, spreadPoints: 10 };
const pricing = (symbol: string): BarPricing | undefined => (symbol.startsWith('X') ? undefined : fx);

describe('ReplayReader', () => {
  it("reads MT5's tick export with the symbol it is told", () => {
    const r = readReplayText(
      '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>\r\n2024.01.02\t00:00:00.250\t1.1\t1.1002\t\t\t6\r\n',
      { symbol: 'EURUSD', pricing },
    );
    expect(r).toEqual({
      ok: true,
      value: {
        format: 'mt5-ticks',
        symbols: ['EURUSD'],
        ticks: [{ symbol: 'EURUSD', bid: 1.1, ask: 1.1002, timeMs: Date.UTC(2024, 0, 2) + 250 }],
      },
    });
  });

  it("plays MT5's bar export as four prices 15 s apart with the bar's spread", () => {
    const r = readReplayText(
      [
        '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>',
        '2024.01.02\t00:00:00\t1.10438\t1.10452\t1.10401\t1.10412\t57\t0\t12',
      ].join('\r\n'),
      { symbol: 'EURUSD', pricing },
    );
    const t = Date.UTC(2024, 0, 2);
    expect(r.ok && r.value.format).toBe('mt5-bars');
    // Closed down: open, high, low, close; ask = bid + 12 points.
    expect(r.ok && r.value.ticks).toEqual([
      { symbol: 'EURUSD', bid: 1.10438, ask: 1.1045, timeMs: t },
      { symbol: 'EURUSD', bid: 1.10452, ask: 1.10464, timeMs: t + 15_000 },
      { symbol: 'EURUSD', bid: 1.10401, ask: 1.10413, timeMs: t + 30_000 },
      { symbol: 'EURUSD', bid: 1.10412, ask: 1.10424, timeMs: t + 45_000 },
    ]);
  });

  it("reads Pipdesk's bar CSV of several symbols and puts every price in time order", () => {
    const r = readReplayText(
      '# a comment\ntime,symbol,open,high,low,close\n60000,EURUSD,1.1,1.2,1.0,1.15\n60000,GBPUSD,1.3,1.3,1.3,1.3\n',
      { pricing },
    );
    expect(r.ok && r.value.symbols).toEqual(['EURUSD', 'GBPUSD']);
    expect(r.ok && r.value.ticks.map((t) => `${t.symbol}@${String(t.timeMs)}`)).toEqual([
      'EURUSD@60000',
      'GBPUSD@60000',
      'EURUSD@75000',
      'GBPUSD@75000',
      'EURUSD@90000',
      'GBPUSD@90000',
      'EURUSD@105000',
      'GBPUSD@105000',
    ]);
  });

  it('sorts a recording whose symbols arrived slightly out of order, and keeps one symbol when asked', () => {
    const text = 'time,symbol,bid,ask\n2000,EURUSD,1,1.1\n1000,GBPUSD,1,1.1\n3000,GBPUSD,1,1.1\n';
    const all = readReplayText(text, { pricing });
    expect(all.ok && all.value.ticks.map((t) => t.timeMs)).toEqual([1000, 2000, 3000]);
    const one = readReplayText(text, { pricing, symbol: 'GBPUSD' });
    expect(one.ok && one.value.ticks.map((t) => t.timeMs)).toEqual([1000, 3000]);
  });

  it.each([
    ['an empty file', '\n\n', {}, 'the file is empty'],
    ['a binary file', 'PK\u0003\u0004\u0000\u0000', {}, 'line 1: a NUL byte'],
    ['text that is no replay', 'hello\nworld', {}, 'line 1: not a replay file'],
    ['an MT5 export without a symbol', '<DATE>\t<TIME>\t<BID>\t<ASK>\n', {}, 'names no symbol'],
    ['a bar of an unknown symbol', '60000,XAG,1,1,1,1', {}, 'unknown symbol XAG'],
    [
      'a bad bar, with its line number counted from the top',
      '\n\n<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n2024.01.02\t00:00\t1.1\t1.1\t1.0\t1.2\t1\t0\t1',
      { symbol: 'EURUSD' },
      'line 4: high/low',
    ],
    ['too many ticks', '1,A,1,1\n2,A,1,1\n3,A,1,1', { maxTicks: 2 }, 'more than 2 ticks'],
    ['a bar file past its cap', '60000,EURUSD,1,1,1,1\n'.repeat(10), { maxBarChars: 100 }, 'too large'],
  ])('refuses %s', (_what, text, extra, why) => {
    const r = readReplayText(text, { pricing, ...extra });
    expect(!r.ok && r.error.code).toBe('BAD_REPLAY');
    expect(!r.ok && r.error.message).toContain(why);
  });

  it('keeps answering its first refusal', () => {
    const reader = new ReplayReader({ pricing });
    expect(reader.line('time,symbol,bid,ask', 1).ok).toBe(true);
    expect(reader.line('1,EURUSD,2,1', 2).ok).toBe(false);
    expect(reader.line('2,EURUSD,1,2', 3)).toEqual(reader.finish());
    expect(reader.format).toBe('csv-ticks');
  });
});

describe('barTicks', () => {
  it("falls back to the symbol's typical spread where the bar has none", () => {
    const ticks = barTicks(
      { timeMs: 0, open: 1, high: 1.5, low: 0.5, close: 1.2, tickVolume: 0, spread: 0 },
      'EURUSD',
      fx,
    );
    expect(ticks.map((t) => [t.bid, t.ask])).toEqual([
      [1, 1.0001],
      [0.5, 0.5001],
      [1.5, 1.5001],
      [1.2, 1.2001],
    ]);
  });
});
