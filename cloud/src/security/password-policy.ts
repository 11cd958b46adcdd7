import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../../../src-core/result';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordRule = 'too_short' | 'too_long' | 'common' | 'repetitive' | 'contains_email';

export interface PolicyFailure {
  readonly reason: PasswordRule;
  readonly message: string;
}

let common: ReadonlySet<string> | undefined;

/** The bundled list (Openwall password.lst, lower-cased), loaded once. */
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(fileURLToPath(new URL('./common-passwords.txt', import.meta.url)), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line.length > 0 && !line.startsWith('#')),
  );
  return common;
}

/**
 * The password policy (ASVS 4.0.3 2.1.1-2.1.9, 5.0 6.2.1-6.2.12): a length from 12 to 128 characters counted
 * in code points, no composition rules, and refusal of common and breached passwords, including the usual
 * disguises of a listed word (digits or symbols around it, repetition) and the account's own email.
 */
export function checkPasswordPolicy(password: string, email?: string): Result<void, PolicyFailure> {
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN_LENGTH) {
    return err({ reason: 'too_short', message: `Use at least ${PASSWORD_MIN_LENGTH} characters.` });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return err({ reason: 'too_long', message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` });
  }
  const lower = password.toLowerCase();
  const list = commonPasswords();
  // "Password2024!" is "password" with decoration: strip digits and symbols at both ends.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (list.has(lower) || (core.length >= 4 && list.has(core))) {
    return err({ reason: 'common', message: 'This password is too common. Choose another.' });
  }
  if (isRepetitive(lower)) {
    return err({
      reason: 'repetitive',
      message: 'This password is a repeated pattern or sequence. Choose another.',
    });
  }
  const local = email?.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local)) {
    return err({ reason: 'contains_email', message: 'The password must not contain your email address.' });
  }
  return ok(undefined);
}

/** A short unit repeated ("abcabcabcabc", "passwordpassword") or a run like "123456789012" or "abcdefghijkl". */
function isRepetitive(text: string): boolean {
  const chars = Array.from(text);
  for (let unit = 1; unit <= chars.length / 2; unit += 1) {
    if (chars.length % unit !== 0) continue;
    const head = chars.slice(0, unit).join('');
    if (head.repeat(chars.length / unit) === text) return true;
  }
  const step = (chars[1]?.codePointAt(0) ?? 0) - (chars[0]?.codePointAt(0) ?? 0);
  if (Math.abs(step) !== 1) return false;
  return chars.every(
    (c, i) => i === 0 || (c.codePointAt(0) ?? 0) - (chars[i - 1]?.codePointAt(0) ?? 0) === step,
  );
}
