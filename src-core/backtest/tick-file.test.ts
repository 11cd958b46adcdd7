import { describe, expect, it } from 'vitest';
import { detectReplayFormat, parseTickFile, TickLineParser } from './tick-file';

const MT5_HEADER = '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>';
const mt5 = (...rows: string[]): string => [MT5_HEADER, ...rows].join('\r\n');

describe('detectReplayFormat', () => {
  it.each([
    [MT5_HEADER, 'mt5-ticks'],
    ['\uFEFF<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>', 'mt5-bars'],
    ['time,symbol,bid,ask', 'csv-ticks'],
    ['1704200700123,EURUSD,1.1,1.1001', 'csv-ticks'],
    ['time,symbol,open,high,low,close', 'csv-bars'],
    ['60000,EURUSD,1.1,1.2,1.0,1.15', 'csv-bars'],
  ])('%j is %s', (line, format) => {
    expect(detectReplayFormat(line)).toEqual({ ok: true, value: format });
  });

  it.each([['<DATE>\t<TIME>\t<SOMETHING>'], ['hello world'], ['a,b,c'], ['PK\u0003\u0004']])(
    'refuses %j',
    (line) => {
      expect(detectReplayFormat(line).ok).toBe(false);
    },
  );
});

describe("parseTickFile: MT5's tick export", () => {
  it('reads ms times on the server clock and carries an empty side forward', () => {
    const r = parseTickFile(
      mt5(
        '2024.01.02\t13:05:00.123\t1.10438\t1.10450\t\t\t6',
        '2024.01.02\t13:05:00.123\t1.10440\t\t\t\t2',
        '2024.01.02\t13:05:01.5\t\t1.10455\t\t\t4',
        '2024.01.02\t13:05:02\t1.10441\t1.10452\t\t\t6',
        '',
      ),
      'mt5-ticks',
      { symbol: 'EURUSD' },
    );
    const t0 = Date.UTC(2024, 0, 2, 13, 5, 0, 123);
    expect(r).toEqual({
      ok: true,
      value: [
        { symbol: 'EURUSD', bid: 1.10438, ask: 1.1045, timeMs: t0 },
        { symbol: 'EURUSD', bid: 1.1044, ask: 1.1045, timeMs: t0 },
        { symbol: 'EURUSD', bid: 1.1044, ask: 1.10455, timeMs: Date.UTC(2024, 0, 2, 13, 5, 1, 500) },
        { symbol: 'EURUSD', bid: 1.10441, ask: 1.10452, timeMs: Date.UTC(2024, 0, 2, 13, 5, 2) },
      ],
    });
  });

  it('gives no tick before both sides are known, nor for a row that changed only LAST', () => {
    const r = parseTickFile(
      mt5(
        '2024.01.02\t00:00:00.001\t1.1\t\t\t\t2',
        '2024.01.02\t00:00:00.002\t\t1.2\t\t\t4',
        '2024.01.02\t00:00:00.003\t\t\t1.15\t3\t8',
      ),
      'mt5-ticks',
      { symbol: 'X' },
    );
    expect(r.ok && r.value).toEqual([{ symbol: 'X', bid: 1.1, ask: 1.2, timeMs: Date.UTC(2024, 0, 2) + 2 }]);
  });

  it.each([
    ['a NUL byte', '2024.01.02\t00:00:00.000\t1.1\u0000\t1.2\t\t\t6', 'NUL'],
    ['1e308', '2024.01.02\t00:00:00.000\t1e308\t1e308\t\t\t6', 'bid is not a positive decimal'],
    ['a negative ask', '2024.01.02\t00:00:00.000\t1.1\t-1.2\t\t\t6', 'ask is not a positive decimal'],
    ['a zero bid', '2024.01.02\t00:00:00.000\t0\t1.2\t\t\t6', 'bid is not a positive decimal'],
    ['hex', '2024.01.02\t00:00:00.000\t0x10\t1.2\t\t\t6', 'bid is not a positive decimal'],
    ['ask below bid', '2024.01.02\t00:00:00.000\t1.2\t1.1\t\t\t6', 'ask is below the bid'],
    ['31 February', '2024.02.31\t00:00:00.000\t1.1\t1.2\t\t\t6', 'date or time'],
    ['hour 24', '2024.01.02\t24:00:00.000\t1.1\t1.2\t\t\t6', 'date or time'],
    ['an ISO date', '2024-01-02\t00:00:00.000\t1.1\t1.2\t\t\t6', 'date or time'],
    ['commas for tabs', '2024.01.02,00:00:00.000,1.1,1.2,,,6', 'separated by tabs'],
    [
      'time going back',
      '2024.01.02\t00:00:01.000\t1.1\t1.2\t\t\t6\r\n2024.01.02\t00:00:00.999\t1.1\t1.2\t\t\t6',
      'time goes back',
    ],
  ])('refuses %s, naming the line', (_what, rows, why) => {
    const r = parseTickFile(mt5(rows), 'mt5-ticks', { symbol: 'EURUSD' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('BAD_REPLAY');
    expect(!r.ok && r.error.message).toMatch(/^line [23]: /);
    expect(!r.ok && r.error.message).toContain(why);
  });

  it('needs to be told the symbol', () => {
    expect(() => new TickLineParser('mt5-ticks')).toThrow('symbol');
  });
});

describe("parseTickFile: Pipdesk's tick CSV", () => {
  it('reads ms and ISO times, keeps the symbols asked for, allows repeats of one ms', () => {
    const text = [
      'time,symbol,bid,ask',
      '1704200700123,EURUSD,1.10438,1.1045',
      '1704200700123,GBPUSD.a_#,1.27,1.2702',
      '2024-01-02T13:05:00.200Z,EURUSD,1.1044,1.1045',
    ].join('\n');
    const all = parseTickFile(text, 'csv-ticks');
    expect(all.ok && all.value.map((t) => t.symbol)).toEqual(['EURUSD', 'GBPUSD.a_#', 'EURUSD']);
    const one = parseTickFile(text, 'csv-ticks', { symbols: new Set(['EURUSD']) });
    expect(one.ok && one.value.map((t) => t.timeMs)).toEqual([
      1704200700123,
      Date.UTC(2024, 0, 2, 13, 5, 0, 200),
    ]);
  });

  it('checks time order per symbol (a recording interleaves symbols as they arrive)', () => {
    const ok = parseTickFile('2000,EURUSD,1,1.1\n1000,GBPUSD,1,1.1\n2000,GBPUSD,1,1.1', 'csv-ticks');
    expect(ok.ok).toBe(true);
    const back = parseTickFile('2000,EURUSD,1,1.1\n1000,GBPUSD,1,1.1\n1999,EURUSD,1,1.1', 'csv-ticks');
    expect(!back.ok && back.error.message).toBe(
      'line 3: the time goes back (ticks of EURUSD must be in time order)',
    );
  });

  it.each([
    ['five cells', '1,EURUSD,1,1.1,9', 'expected time,symbol,bid,ask'],
    ['a bad symbol', '1,EUR USD,1,1.1', 'symbol name'],
    ['a control character in a symbol', '1,EUR\u0001USD,1,1.1', 'symbol name'],
    ['a 65-character symbol', `1,${'X'.repeat(65)},1,1.1`, 'symbol name'],
    ['a time past year 9999', '999999999999999,EURUSD,1,1.1', 'time'],
    ['a word for a time', 'yesterday,EURUSD,1,1.1', 'time'],
    ['Infinity', '1,EURUSD,Infinity,Infinity', 'positive decimal'],
    ['ask below bid', '1,EURUSD,1.2,1.1', 'ask is below the bid'],
    ['a NUL', '1,EURUSD,1.1,1.2\u0000', 'NUL'],
  ])('refuses %s', (_what, row, why) => {
    const r = parseTickFile(`time,symbol,bid,ask\n${row}`, 'csv-ticks');
    expect(!r.ok && r.error.message).toMatch(/^line 2: /);
    expect(!r.ok && r.error.message).toContain(why);
  });

  it('stops at the tick cap instead of filling memory, and refuses a file without ticks', () => {
    const rows = Array.from({ length: 11 }, (_, i) => `${String(i)},EURUSD,1,1.1`).join('\n');
    const r = parseTickFile(rows, 'csv-ticks', { maxTicks: 10 });
    expect(!r.ok && r.error.message).toBe('more than 10 ticks: split the file');
    const none = parseTickFile('time,symbol,bid,ask\n', 'csv-ticks');
    expect(!none.ok && none.error.message).toBe('no ticks in the file');
  });
});
