import { z } from 'zod';

/**
 * IPC for replay sessions (docs/replay.md), in the same `{ request, response }` form as `ipcChannels` in ipc.ts,
 * merged there with a spread. Handlers live in src-main/services/replay. A replay is opened from a file in one of
 * the data folder's replay folders, named by folder and file name only: the renderer never sends a path, so a
 * request cannot make main read outside those folders.
 */

/** The data folder's sub-folders a replay file may come from. */
export const ReplayFolder = z.enum(['replays', 'recordings']);
export type ReplayFolder = z.infer<typeof ReplayFolder>;

const hasControlCharacter = (text: string): boolean => {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) < 0x20) return true;
  return false;
};

/**
 * A plain file name: no folder separators, no drive colon, no control characters, not hidden (`.x`) and not `..`,
 * so joining it to its folder cannot leave that folder.
 */
export const ReplayFileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\:*?"<>|]+$/, 'a file name without folders')
  .refine((name) => !hasControlCharacter(name), 'a file name without control characters')
  .refine((name) => !name.startsWith('.'), 'a file name that does not start with a dot');
export type ReplayFileName = z.infer<typeof ReplayFileName>;

/** Which file: its folder and its name. */
export const ReplayFileRef = z.strictObject({ folder: ReplayFolder, name: ReplayFileName });
export type ReplayFileRef = z.infer<typeof ReplayFileRef>;

/** A file the trader can open. */
export const ReplayFileInfo = z.object({
  folder: ReplayFolder,
  name: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  modifiedMs: z.number().int().nonnegative(),
});
export type ReplayFileInfo = z.infer<typeof ReplayFileInfo>;

/** The replay folders on disk (shown so the trader knows where to put files) and the files in them. */
export const ReplayFileList = z.object({
  folders: z.array(z.object({ folder: ReplayFolder, path: z.string() })),
  files: z.array(ReplayFileInfo),
  /** The largest file a replay opens, bytes. */
  maxBytes: z.number().int().positive(),
});
export type ReplayFileList = z.infer<typeof ReplayFileList>;

/** Market seconds per real second: 1× to 1000×. */
export const ReplaySpeed = z.number().int().min(1).max(1000);
export type ReplaySpeed = z.infer<typeof ReplaySpeed>;

/** The speeds the replay bar offers. */
export const REPLAY_SPEEDS: readonly ReplaySpeed[] = [1, 10, 100, 1000];

/** A time on the replay's (the file's trade server) clock, ms since 1970. */
const ReplayTime = z.number().int().nonnegative().max(4_102_444_800_000);

/** The replay as the replay bar shows it. */
export const ReplayStatus = z.object({
  /** `closed`: no replay; `ended`: every tick played (trading stays open at the last prices). */
  state: z.enum(['closed', 'paused', 'playing', 'ended']),
  /** `login@server` of the replay session; null when closed. */
  key: z.string().nullable(),
  file: ReplayFileRef.nullable(),
  symbols: z.array(z.string()),
  speed: ReplaySpeed,
  /** The replay clock now, and the first and last tick's times; null when closed. */
  timeMs: ReplayTime.nullable(),
  startMs: ReplayTime.nullable(),
  endMs: ReplayTime.nullable(),
  ticksPlayed: z.number().int().nonnegative(),
  ticksTotal: z.number().int().nonnegative(),
});
export type ReplayStatus = z.infer<typeof ReplayStatus>;

const empty = z.strictObject({});

export const replayIpcChannels = {
  'replay:get-status': { request: empty, response: ReplayStatus },
  /** The files in the data folder's `replays/` and `recordings/` folders (created when missing). */
  'replay:list-files': { request: empty, response: ReplayFileList },
  /**
   * Loads the file, starts its replay session paused at the first tick and makes it the account trading goes to.
   * A replay already open is closed first. `balance` is the simulated account's deposit (default 10,000 USD).
   */
  'replay:open': {
    request: z.strictObject({ file: ReplayFileRef, balance: z.number().positive().max(1e9).optional() }),
    response: ReplayStatus,
  },
  /**
   * Electron only: the trader picks a file in the system's file dialog and main copies it into `replays/` (so it
   * is listed like any other); `file` is null when the dialog was cancelled. The web host has no dialog and answers
   * `REPLAY_NO_DIALOG` (docs/replay.md, "Opening a file").
   */
  'replay:import-file': { request: empty, response: z.object({ file: ReplayFileRef.nullable() }) },
  /** Stops the replay session and makes the account that was active before it the active one again. */
  'replay:close': { request: empty, response: ReplayStatus },
  'replay:play': { request: empty, response: ReplayStatus },
  'replay:pause': { request: empty, response: ReplayStatus },
  'replay:set-speed': { request: z.strictObject({ speed: ReplaySpeed }), response: ReplayStatus },
  /** Plays the next tick (pausing first when playing). */
  'replay:step': { request: empty, response: ReplayStatus },
  /**
   * Fast-forwards to a time: every tick up to it is applied in order, so stops, take-profits and pending orders
   * trigger as they would have. A time before the replay clock answers `REPLAY_BACKWARDS` (docs/replay.md).
   */
  'replay:jump-to': { request: z.strictObject({ timeMs: ReplayTime }), response: ReplayStatus },
} as const;

export const replayIpcEvents = {
  /** The replay opened, closed, played, paused, changed speed or moved (at most a few times a second). */
  'replay:status-changed': ReplayStatus,
} as const;
