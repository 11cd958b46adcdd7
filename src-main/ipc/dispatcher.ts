import type { z } from 'zod';
import { appError, err, type Result } from '../../src-core/result';
import {
  ipcChannels,
  isIpcChannel,
  type IpcChannel,
  type IpcRequest,
  type IpcResponse,
} from '../../src-core/contracts/ipc';
import type { Logger } from '../../src-core/logger';
import type { IpcHandler, IpcHandlers } from './handlers';

/** Where a call came from, for the log (`electron`, `web`, a test). */
export interface CallContext {
  readonly via: string;
}

/** The IPC boundary: validates, calls the handler, and never lets an exception or a stack out. */
export interface IpcDispatcher {
  invoke(channel: unknown, request: unknown, context: CallContext): Promise<Result<unknown>>;
}

/** Longest request message quoted back to the caller; the full issue list goes to the log. */
const MAX_MESSAGE = 600;

/** Plain words for a schema failure: each issue with its field path, e.g. `volume: Too small: expected number to be >0`. */
export function describeIssues(error: z.ZodError): string {
  const text = error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/**
 * Builds the dispatcher over a handler map. Bad input is `BAD_REQUEST` with the field and the rule; a thrown
 * exception is a bug: it is logged with its stack and answered as `INTERNAL` with a generic message.
 */
export function createIpcDispatcher(handlers: IpcHandlers, logger: Logger): IpcDispatcher {
  async function run<K extends IpcChannel>(
    channel: K,
    request: unknown,
    context: CallContext,
  ): Promise<IpcResponse<K>> {
    const parsed = ipcChannels[channel].request.safeParse(request ?? {});
    if (!parsed.success) {
      const message = describeIssues(parsed.error);
      logger.warn('ipc: bad request', { channel, via: context.via, message });
      return err(appError('BAD_REQUEST', `Invalid request for ${channel}: ${message}`));
    }
    const handler = handlers[channel] as IpcHandler<K>;
    // zod infers the output of a generic schema loosely; the schema is the one declared for K.
    return handler(parsed.data as IpcRequest<K>);
  }

  return {
    async invoke(channel, request, context) {
      if (!isIpcChannel(channel)) {
        logger.warn('ipc: unknown channel', { channel: String(channel).slice(0, 80), via: context.via });
        return err(appError('UNKNOWN_CHANNEL', `There is no IPC channel named ${JSON.stringify(channel)}.`));
      }
      const started = performance.now();
      try {
        const result = await run(channel, request, context);
        logger.debug('ipc', { channel, via: context.via, ok: result.ok, ms: performance.now() - started });
        return result;
      } catch (error) {
        logger.error('ipc: handler failed', {
          channel,
          via: context.via,
          error: error instanceof Error ? { message: error.message, stack: error.stack } : String(error),
        });
        return err(appError('INTERNAL', 'Something went wrong inside Pipdesk; the details are in the log.'));
      }
    },
  };
}
