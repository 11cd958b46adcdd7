import { describe, expect, it } from 'vitest';
import { parseBarFile } from './bar-file';

describe('parseBarFile', () => {
  it("reads MT5's own bar export (tabs, <DATE> header, server-clock dates)", () => {
    const text = [
      '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>',
      '2024.01.02\t00:00:00\t1.10438\t1.10452\t1.10401\t1.10412\t57\t0\t12',
      '2024.01.02\t00:01:00\t1.10412\t1.10420\t1.10400\t1.10418\t31\t0\t11',
      '',
    ].join('\r\n');
    const r = parseBarFile(text, 'EURUSD');
    expect(r).toEqual({
      ok: true,
      value: [
        {
          timeMs: Date.UTC(2024, 0, 2),
          open: 1.10438,
          high: 1.10452,
          low: 1.10401,
          close: 1.10412,
          tickVolume: 57,
          spread: 12,
        },
        {
          timeMs: Date.UTC(2024, 0, 2, 0, 1),
          open: 1.10412,
          high: 1.1042,
          low: 1.104,
          close: 1.10418,
          tickVolume: 31,
          spread: 11,
        },
      ],
    });
  });

  it("reads Pipdesk's replay CSV, keeping only the symbol asked for", () => {
    const text =
      'time,symbol,open,high,low,close\n60000,EURUSD,1.1,1.2,1.0,1.15\n60000,GBPUSD,1.3,1.3,1.3,1.3\n';
    const r = parseBarFile(text, 'EURUSD');
    expect(r.ok && r.value.map((b) => b.close)).toEqual([1.15]);
  });

  it.each([
    ['a high below the close', '2024.01.02\t00:00\t1.1\t1.1\t1.0\t1.2\t1\t0\t1', 'high/low'],
    ['a NUL in a price', '2024.01.02\t00:00\t1.1\u0000\t1.2\t1.0\t1.1\t1\t0\t1', 'positive numbers'],
    ['1e308 then Infinity', '2024.01.02\t00:00\t1e308\t1e400\t1\t1\t1\t0\t1', 'positive numbers'],
    ['a bad date', '2024-01-02\t00:00\t1\t1\t1\t1\t1\t0\t1', 'not a date'],
    [
      'bars out of order',
      '2024.01.02\t00:01\t1\t1\t1\t1\t1\t0\t1\n2024.01.02\t00:00\t1\t1\t1\t1\t1\t0\t1',
      'time order',
    ],
  ])('refuses %s with the line number', (_what, rows, why) => {
    const r = parseBarFile(
      `<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n${rows}`,
      'X',
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/^line \d+: /);
    expect(!r.ok && r.error.message).toContain(why);
  });

  it('says so when the file has no bar of the symbol', () => {
    const r = parseBarFile('time,symbol,open,high,low,close\n1,GBPUSD,1,1,1,1\n', 'EURUSD');
    expect(!r.ok && r.error.message).toBe('no bars of EURUSD in the file');
  });
});
