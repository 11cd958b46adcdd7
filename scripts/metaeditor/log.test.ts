import { describe, expect, it } from 'vitest';
import { decodeLog, judge, parseLog } from './log';

/** What MetaEditor writes: UTF-16LE with a BOM, CRLF lines. */
function utf16Log(lines: string[]): Uint8Array {
  const body = Buffer.from(lines.join('\r\n') + '\r\n', 'utf16le');
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), body]));
}

const CLEAN = [
  "C:\\Program Files\\MetaTrader 5\\MQL5\\Experts\\Pipdesk\\PipdeskBridge.mq5 : information: compiling 'PipdeskBridge.mq5'",
  "C:\\Program Files\\MetaTrader 5\\MQL5\\Include\\Pipdesk\\Json.mqh : information: including 'Json.mqh'",
  'C:\\Program Files\\MetaTrader 5\\MQL5\\Experts\\Pipdesk\\PipdeskBridge.mq5 : information: generating code',
  "Result: 0 errors, 0 warnings, 812 msec elapsed, cpu='X64 Regular'",
];

describe('MetaEditor log', () => {
  it('decodes the UTF-16LE log and passes a clean build', () => {
    const result = parseLog(decodeLog(utf16Log(CLEAN)));
    expect(result).toEqual({ errors: 0, warnings: 0, problems: [] });
    expect(judge(result, true)).toEqual({ ok: true, line: 'MetaEditor: 0 errors, 0 warnings, .ex5 written' });
  });

  it('fails on a single warning, and lists it', () => {
    const text = decodeLog(
      utf16Log([
        CLEAN[0] ?? '',
        "PipdeskBridge.mq5(120,7) : warning 43: possible loss of data due to type conversion from 'long' to 'int'",
        'Result: 0 errors, 1 warnings, 790 msec elapsed',
      ]),
    );
    const result = parseLog(text);
    expect(result?.warnings).toBe(1);
    expect(result?.problems).toEqual([
      "PipdeskBridge.mq5(120,7) : warning 43: possible loss of data due to type conversion from 'long' to 'int'",
    ]);
    expect(judge(result, true)).toEqual({
      ok: false,
      line: 'MetaEditor: 0 errors, 1 warnings (none allowed)',
    });
  });

  it('fails on errors (also in the lower-case form some builds print)', () => {
    const result = parseLog(
      'Trade.mqh(40,3) : error 256: undeclared identifier\nresult 2 errors, 0 warnings, 100 msec elapsed\n',
    );
    expect(result).toMatchObject({ errors: 2, warnings: 0 });
    expect(judge(result, false)).toEqual({
      ok: false,
      line: 'MetaEditor: 2 errors, 0 warnings (none allowed)',
    });
  });

  it('fails when there is no result line or no .ex5', () => {
    expect(judge(parseLog(CLEAN.slice(0, 2).join('\n')), true)).toEqual({
      ok: false,
      line: 'MetaEditor left no "Result:" line in its log (did it run?)',
    });
    expect(judge(parseLog(CLEAN.join('\n')), false)).toEqual({
      ok: false,
      line: 'MetaEditor: 0 errors, 0 warnings, but no .ex5 was written',
    });
  });

  it('reads a UTF-8 log too (a log re-saved by a tool)', () => {
    expect(decodeLog(new TextEncoder().encode('Result: 0 errors, 0 warnings'))).toBe(
      'Result: 0 errors, 0 warnings',
    );
  });
});
