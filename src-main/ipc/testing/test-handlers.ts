import { appError, err } from '../../../src-core/result';
import { IPC_CHANNELS } from '../../../src-core/contracts/ipc';
import type { IpcHandlers } from '../handlers';

/**
 * A handler map where every channel answers `NOT_CONNECTED`, with some channels replaced. For tests of the
 * boundary itself (dispatcher, web host, Electron glue), where what a handler does is beside the point.
 */
export function handlersWith(overrides: Partial<IpcHandlers>): IpcHandlers {
  const base = Object.fromEntries(
    IPC_CHANNELS.map((channel) => [
      channel,
      () => err(appError('NOT_CONNECTED', 'No terminal in this test.')),
    ]),
  ) as unknown as IpcHandlers;
  return { ...base, ...overrides };
}
