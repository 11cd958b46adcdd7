import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from './errors';

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
