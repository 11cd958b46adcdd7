import { describe, expect, it } from 'vitest';
import type { ClosedTrade } from './closed-trades';
import { csvField, tradesToCsv, type CsvOptions } from './csv';

const trade: ClosedTrade = {
  id: '8000002',
  positionId: '5000001',
  symbol: 'EURUSD',
  side: 'sell',
  volume: 0.2,
  openTimeMs: Date.UTC(2026, 11, 3, 10, 0, 0),
  openPrice: 1.1,
  closeTimeMs: Date.UTC(2026, 11, 3, 11, 30, 5),
  closePrice: 1.1025,
  reason: 'sl',
  isPartial: false,
  commission: -1.4,
  swap: 0,
  profit: -50,
  net: -51.4,
  comment: 'pd-1, "first"',
};

const options: CsvOptions = {
  zone: { kind: 'server', offsetSec: 7_200 },
  offsetSec: 7_200,
  currency: 'USD',
  currencyDigits: 2,
  digitsOf: (s) => (s === 'EURUSD' ? 5 : undefined),
  pipsOf: () => -25,
};

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['nul\u0000inside', 'nul\u0000inside'],
  ])('%j → %j', (input, output) => {
    expect(csvField(input)).toBe(output);
  });
});

describe('tradesToCsv', () => {
  it('writes a header naming the clock and currency, then one CRLF line per trade', () => {
    const csv = tradesToCsv([trade], options);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'Position,Deal,Symbol,Side,Volume,Open time (server),Open price,Close time (server),Close price,Closed by,' +
        'Pips,Commission (USD),Swap (USD),Profit (USD),Net (USD),Comment',
    );
    expect(lines[1]).toBe(
      '5000001,8000002,EURUSD,sell,0.20,2026-12-03 10:00:00,1.10000,2026-12-03 11:30:05,1.10250,stop loss,' +
        '-25.0,-1.40,0.00,-50.00,-51.40,"pd-1, ""first"""',
    );
    expect(lines[2]).toBe('');
  });

  it('writes money with the account currency decimals (JPY: none) and times on the local clock when chosen', () => {
    const csv = tradesToCsv([{ ...trade, profit: -5000.4, net: -5001.6, commission: -1.2, comment: '' }], {
      ...options,
      zone: { kind: 'local', timeZone: 'UTC' },
      currency: 'JPY',
      currencyDigits: 0,
    });
    const line = csv.split('\r\n')[1] ?? '';
    expect(line).toContain('2026-12-03 08:00:00');
    expect(line.endsWith(',-1,0,-5000,-5002,')).toBe(true);
    expect(csv.split('\r\n')[0]).toContain('Open time (local)');
  });

  it('leaves the open columns empty when the opening deal was not loaded, and marks partial closes', () => {
    const csv = tradesToCsv(
      [{ ...trade, openTimeMs: null, openPrice: null, isPartial: true, reason: 'expert' }],
      {
        ...options,
        pipsOf: () => null,
      },
    );
    const cells = (csv.split('\r\n')[1] ?? '').split(',');
    expect(cells[5]).toBe('');
    expect(cells[6]).toBe('');
    expect(cells[9]).toBe('Pipdesk/EA (partial)');
    expect(cells[10]).toBe('');
  });

  it('neutralises a formula in a symbol or comment from the terminal', () => {
    const csv = tradesToCsv([{ ...trade, symbol: '=cmd|x', comment: '-2+3' }], options);
    expect(csv).toContain(",'=cmd|x,");
    expect(csv).toContain(",'-2+3\r\n");
  });
});
