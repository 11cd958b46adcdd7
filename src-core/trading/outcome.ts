import { z } from 'zod';

/**
 * What a trade server answer means for the app:
 * - `done`: executed or placed;
 * - `rejected`: definitely not executed, do not retry as is;
 * - `retryable`: definitely not executed, may be retried with a fresh price where settings allow;
 * - `unknown`: may or may not have executed; never resend blindly, reconcile by client order id.
 */
export const OutcomeClass = z.enum(['done', 'rejected', 'retryable', 'unknown']);
export type OutcomeClass = z.infer<typeof OutcomeClass>;
