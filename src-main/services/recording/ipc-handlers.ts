import type { z } from 'zod';
import type { recordingIpcChannels } from '../../../src-core/contracts/ipc-recording';
import { ok, type Result } from '../../../src-core/result';
import type { TickRecorder } from './tick-recorder';

type Channels = typeof recordingIpcChannels;
type RecordingChannel = keyof Channels;

/** The handlers of the `recording:*` channels. */
export type RecordingIpcHandlers = {
  readonly [K in RecordingChannel]: (
    request: z.output<Channels[K]['request']>,
  ) => Result<z.output<Channels[K]['response']>> | Promise<Result<z.output<Channels[K]['response']>>>;
};

export function recordingIpcHandlers(recorder: TickRecorder): RecordingIpcHandlers {
  return {
    'recording:get-status': () => ok(recorder.status()),
    'recording:list': async () => ok({ files: await recorder.list() }),
  };
}
