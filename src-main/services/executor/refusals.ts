import type { ExecutionFailure } from '../../../src-core/contracts/orders';
import type { ErrorCode } from '../../../src-core/errors';
import { appError } from '../../../src-core/result';
import { NOT_CONNECTED_MESSAGE } from '../messages';
import type { BridgeFailure } from '../trading-bridge';
import type { Refusal } from './context';

/** A failed {@link ExecutionFailure} result. */
export function failure(
  code: ErrorCode,
  message: string,
  extra: Partial<Omit<ExecutionFailure, 'ok' | 'code' | 'message'>> = {},
): ExecutionFailure {
  return { ok: false, code, message, ...extra };
}

/** A reason not to send. */
export function refusal(
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
  state?: 'rejected' | 'failed',
): Refusal {
  const e = appError(code, message, details);
  return state === undefined ? e : { ...e, state };
}

/** No terminal session: nothing was sent. */
export const notConnected = (): Refusal =>
  refusal('NOT_CONNECTED', NOT_CONNECTED_MESSAGE, undefined, 'failed');

/** A bridge call that failed before anything was sent, in the trader's words. */
export function fromBridgeFailure(f: BridgeFailure, what: string): Refusal {
  switch (f.kind) {
    case 'not_connected':
    case 'not_sent':
    case 'disconnected':
      return notConnected();
    case 'timeout':
      return refusal(
        'TRADE_NOT_EXECUTED',
        `MetaTrader 5 did not answer in time while ${what}; nothing was sent.`,
        undefined,
        'failed',
      );
    case 'ea_error':
      if (f.eaCode === 'UNKNOWN_SYMBOL')
        return refusal('SYMBOL_NOT_FOUND', `The terminal does not know this symbol (${f.message}).`);
      if (f.eaCode === 'NOT_FOUND')
        return refusal('TICKET_NOT_FOUND', 'That ticket does not exist (any more).');
      if (f.eaCode === 'NO_QUOTE')
        return refusal('NO_QUOTE', 'There is no price for this symbol right now; nothing was sent.');
      return refusal(
        'TRADE_NOT_EXECUTED',
        `MetaTrader 5 could not do this while ${what}: ${f.message}. Nothing was sent.`,
        { eaCode: f.eaCode },
        'failed',
      );
    case 'bad_response':
      return refusal(
        'INTERNAL',
        `MetaTrader 5 sent an answer Pipdesk could not read while ${what}; nothing was sent.`,
        undefined,
        'failed',
      );
  }
}
