import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, commonPasswords } from './password-policy';

const reason = (password: string, email?: string) => {
  const result = checkPasswordPolicy(password, email);
  return result.ok ? 'ok' : result.error.reason;
};

describe('password policy', () => {
  it('bundles more than 3,000 common passwords', () => {
    expect(commonPasswords().size).toBeGreaterThan(3000);
    expect(commonPasswords().has('123456')).toBe(true);
  });

  it.each([
    ['correct horse battery', 'ok'],
    ['Tr0ub4dor&3 extended', 'ok'],
    ['ünïcødé pässwörd', 'ok'],
    ['short', 'too_short'],
    ['elevenchars', 'too_short'],
    ['x'.repeat(129), 'too_long'],
    ['winniethepooh', 'common'],
    ['Password2024!', 'common'],
    ['!!qwerty123456', 'common'],
    ['abcabcabcabc', 'repetitive'],
    ['aaaaaaaaaaaaaaaa', 'repetitive'],
    ['abcdefghijklmn', 'repetitive'],
    ['987654321098', 'ok'],
  ])('%s → %s', (password, expected) => {
    expect(reason(password)).toBe(expected);
  });

  it('counts characters, not UTF-16 units, and allows 128 of them', () => {
    expect(reason('🔒'.repeat(11) + 'x')).toBe('ok');
    expect(reason('🔒'.repeat(6))).toBe('too_short');
    expect(reason('a1'.repeat(63) + 'zq')).toBe('ok');
  });

  it('refuses a password containing the email name', () => {
    expect(reason('jane.trader-2026-x', 'Jane.Trader@example.com')).toBe('contains_email');
    expect(reason('completely different', 'jane@example.com')).toBe('ok');
  });
});
