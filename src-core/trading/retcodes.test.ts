import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALL_RETCODES, TRADE_RETCODE, isRetcodeDone, retcodeInfo } from './retcodes';
import { OutcomeClass } from './outcome';

describe('retcodes', () => {
  it('lists 0 and every code from 10004 to 10046 except 10005 and 10037', () => {
    const expected = [0];
    for (let c = 10004; c <= 10046; c += 1) if (c !== 10005 && c !== 10037) expected.push(c);
    expect(ALL_RETCODES.map((r) => r.code)).toEqual(expected);
  });

  it('gives each a plain message, a valid outcome and MT5 constant name', () => {
    for (const r of ALL_RETCODES) {
      expect(r.message.length).toBeGreaterThan(10);
      expect(r.message).toMatch(/\.$/);
      expect(OutcomeClass.safeParse(r.outcome).success).toBe(true);
      expect(r.constant).toBe(`TRADE_RETCODE_${r.name}`);
    }
  });

  it('classifies the codes that decide whether to resend', () => {
    const outcome = (c: number): string => retcodeInfo(c).outcome;
    // uncertain: never resend blindly (docs/architecture.md, "Key flows" 1)
    expect([10011, 10012, 10028, 10031].map(outcome)).toEqual(Array(4).fill('unknown'));
    expect(retcodeInfo(TRADE_RETCODE.LOCKED).action).toBe('reconcile');
    // definitely not executed, may be retried
    expect([10004, 10020, 10021, 10024, 10030].map(outcome)).toEqual(Array(5).fill('retryable'));
    // executed or placed
    expect([10008, 10009, 10010, 10025].map(outcome)).toEqual(Array(4).fill('done'));
    // final
    for (const c of [10006, 10013, 10014, 10015, 10016, 10017, 10018, 10019, 10029, 10042, 10044, 10046]) {
      expect(outcome(c), String(c)).toBe('rejected');
    }
    expect(retcodeInfo(TRADE_RETCODE.INVALID_FILL).action).toBe('next-filling');
    expect(retcodeInfo(TRADE_RETCODE.REQUOTE).name).toBe('REQUOTE');
  });

  it('answers unknown numbers safely, never as done or retryable', () => {
    const info = retcodeInfo(10005);
    expect(info).toMatchObject({ code: 10005, name: 'UNKNOWN', outcome: 'unknown', action: 'reconcile' });
    expect(info.message).toContain('10005');
    fc.assert(
      fc.property(fc.integer(), (c) => {
        const r = retcodeInfo(c);
        expect(r.code).toBe(c);
        if (r.name === 'UNKNOWN') expect(r.outcome).toBe('unknown');
      }),
    );
  });

  it('isRetcodeDone is true only for executed/placed/no-op', () => {
    expect(isRetcodeDone(10009)).toBe(true);
    expect(isRetcodeDone(10025)).toBe(true);
    expect(isRetcodeDone(10004)).toBe(false);
    expect(isRetcodeDone(0)).toBe(false);
    expect(isRetcodeDone(99999)).toBe(false);
  });
});
