import { z } from 'zod';

/** The cloud's error body (docs/errors.md): `{"error":{"code","message","details"?}}`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * A failed API call as the portal sees it: the cloud's code and message, plus the HTTP status (0: no answer). Not
 * an `AppError`: those carry the desktop's codes, the portal speaks the cloud's (docs/errors.md maps the two).
 */
export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly status: number;
  /** Seconds, from `Retry-After` on a 429. */
  readonly retryAfter?: number;
}

export function apiError(
  status: number,
  code: string,
  message: string,
  extra: { details?: Readonly<Record<string, unknown>>; retryAfter?: number } = {},
): ApiError {
  return {
    status,
    code,
    message,
    ...(extra.details === undefined ? {} : { details: extra.details }),
    ...(extra.retryAfter === undefined ? {} : { retryAfter: extra.retryAfter }),
  };
}

/** Codes are SCREAMING_SNAKE in the cloud's list; compare without caring for case so `totp_required` matches. */
export function hasCode(error: ApiError, code: string): boolean {
  return error.code.toUpperCase() === code.toUpperCase();
}

/** Words for a person: the cloud's message, or a plain one for failures that never reached it. */
export function describeError(error: ApiError): string {
  if (error.status === 0) return 'The Pipdesk cloud cannot be reached. Check your connection and try again.';
  if (error.status === 429) {
    const wait = error.retryAfter === undefined ? 'a moment' : `${error.retryAfter} s`;
    return `Too many attempts. Please wait ${wait} and try again.`;
  }
  return error.message;
}
