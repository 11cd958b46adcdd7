import { z } from 'zod';

/**
 * IPC for tick recording (docs/user-guide.md, "Recording ticks"), in the same `{ request, response }` form as
 * `ipcChannels` in ipc.ts, merged there with a spread. Recording is switched by the `isTickRecordingEnabled`
 * setting; these channels read what it did, so a replay can offer the files.
 */

/** One day's recording: `recordings/<day>.csv` in the data folder, Pipdesk's tick CSV (`time,symbol,bid,ask`). */
export const RecordingFile = z.object({
  /** `2026-12-03.csv`. */
  name: z.string(),
  /** The absolute path, for the replay to open. */
  path: z.string(),
  /** The trade server's day the ticks are of, `YYYY-MM-DD`. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  bytes: z.number().int().nonnegative(),
  modifiedMs: z.number().nonnegative(),
});
export type RecordingFile = z.infer<typeof RecordingFile>;

/**
 * - `off`: the setting is off.
 * - `recording`: ticks of the live terminal are written.
 * - `full`: a size cap is reached (the day's file or the folder); ticks are not written until the next day or
 *   until files are deleted. `message` says which.
 * - `failed`: a write failed (disk full, permissions); `message` says why; it tries again with the next ticks.
 */
export const RecordingState = z.enum(['off', 'recording', 'full', 'failed']);
export type RecordingState = z.infer<typeof RecordingState>;

export const RecordingStatus = z.object({
  state: RecordingState,
  /** The folder the files are in (`<data folder>/recordings`). */
  dir: z.string(),
  /** Ticks written and ticks skipped (over a cap, a write queue that fell behind, a time that went back) since start. */
  ticksWritten: z.number().int().nonnegative(),
  ticksSkipped: z.number().int().nonnegative(),
  /** Bytes of all the folder's recordings, as last counted. */
  totalBytes: z.number().int().nonnegative(),
  /** The caps: one day's file, and the folder. */
  maxFileBytes: z.number().int().positive(),
  maxTotalBytes: z.number().int().positive(),
  message: z.string().optional(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

const empty = z.strictObject({});

export const recordingIpcChannels = {
  'recording:get-status': { request: empty, response: RecordingStatus },
  /** The recordings in the folder, newest day first. */
  'recording:list': { request: empty, response: z.object({ files: z.array(RecordingFile) }) },
} as const;
