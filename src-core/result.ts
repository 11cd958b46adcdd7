import type { ErrorCode } from './errors';

/**
 * The outcome of an operation that can fail in an expected way (a lot below the minimum, a missing rate).
 * Exceptions are kept for bugs; boundaries convert them to `{ code, message }`.
 */
export type Result<T, E = AppError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/**
 * A failure a user can read: a SCREAMING_SNAKE code from the one list in `errors.ts`, and plain words. The code is
 * typed as that list, so an unlisted code does not compile; `C` narrows it to the codes one function can return.
 */
export interface AppError<C extends ErrorCode = ErrorCode> {
  readonly code: C;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Wraps a value as a success. */
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

/** Wraps an error as a failure. */
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/**
 * Builds an {@link AppError}, the one error factory; `details` is left out when not given
 * (exactOptionalPropertyTypes). The code must be in `ERROR_CODES` (errors.ts).
 */
export const appError = <C extends ErrorCode>(
  code: C,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): AppError<C> => (details === undefined ? { code, message } : { code, message, details });

/** For exhaustive switches: a value TypeScript proved impossible reached here, which is a bug. */
export function missingCaseError(value: never): Error {
  return new Error(`Unhandled case: ${String(value)}`);
}
