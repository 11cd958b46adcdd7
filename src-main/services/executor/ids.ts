import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../src-core/clock';

/** Base36 time + random: sortable, 15 characters, well inside the protocol's 26 and MT5's 31. */
export function newClientOrderId(clock: Clock): string {
  const time = clock.now().toString(36).padStart(9, '0').slice(-9);
  const rand = randomBytes(4).readUInt32BE(0).toString(36).padStart(7, '0').slice(-5);
  return `P${time}${rand}`;
}

/**
 * The id sent for attempt `n` of an intent. Attempt 1 uses the journal's id itself; retries of a retryable
 * outcome get `.n` so the EA's de-duplication table (which replays a stored result for a known id) does not
 * answer a retry with the earlier requote. Only the last attempt can be uncertain, so it alone is looked up.
 */
export function attemptClOrdId(clientOrderId: string, attempt: number): string {
  return attempt <= 1 ? clientOrderId : `${clientOrderId}.${attempt}`;
}
