import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ErrorCode, isErrorCode, toErrorCode } from './errors';
import { appError } from './result';

describe('ERROR_CODES', () => {
  it('has SCREAMING_SNAKE keys, each with a one-line meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(meaning.length).toBeGreaterThan(5);
      expect(meaning).not.toContain('\n');
    }
  });
  it('recognises its own codes only', () => {
    expect(isErrorCode('INVALID_BALANCE')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('NOT_A_CODE')).toBe(false);
  });
});

describe('one error model', () => {
  it('types AppError codes as the list, so an unlisted code does not compile', () => {
    // @ts-expect-error: 'NOT_A_CODE' is not in ERROR_CODES
    const bad = appError('NOT_A_CODE', 'x');
    expect(isErrorCode(bad.code)).toBe(false);
    expect(appError('BAD_REPLAY', 'line 3: no bid')).toEqual({
      code: 'BAD_REPLAY',
      message: 'line 3: no bid',
    });
  });

  it('lists the codes the desktop uses beyond the trading core', () => {
    for (const code of [
      'ACCOUNT_NOT_FOUND',
      'NOT_SIGNED_IN',
      'ACCOUNT_NOT_LINKED',
      'UNSUPPORTED_SYMBOL',
      'UNKNOWN_SYMBOL',
      'BAD_REPLAY',
      'ONE_CLICK_DISABLED',
    ])
      expect(ErrorCode.safeParse(code).success, code).toBe(true);
    expect(ErrorCode.safeParse('totp_required').success).toBe(false);
  });

  it('reads stored codes back as listed codes, falling back for absent or retired ones', () => {
    expect(toErrorCode('TRADE_NOT_EXECUTED', 'TRADE_REJECTED')).toBe('TRADE_NOT_EXECUTED');
    expect(toErrorCode(null, 'TRADE_REJECTED')).toBe('TRADE_REJECTED');
    expect(toErrorCode('RETIRED_CODE', 'TRADE_REJECTED')).toBe('TRADE_REJECTED');
  });
});
