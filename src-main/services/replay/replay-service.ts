import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import {
  ReplayFileName,
  type ReplayFileInfo,
  type ReplayFileList,
  type ReplayFileRef,
  type ReplayFolder,
  type ReplayStatus,
  type replayIpcChannels,
} from '../../../src-core/contracts/ipc-replay';
import type { Logger } from '../../../src-core/logger';
import { appError, err, ok, type Result } from '../../../src-core/result';
import { MAX_REPLAY_BYTES, loadReplayFile } from './replay-file';
import { isReplayKey, startReplaySession, type ReplaySession } from './replay-session';

/** Options of {@link createReplayService}. */
export interface ReplayServiceOptions {
  /** The app's data folder: replay files are read from its `replays/` and `recordings/` folders only. */
  readonly dataDir: string;
  /** The app's pipe and the token file the EAs read: the replay terminal connects like an EA. */
  readonly path: string;
  readonly tokenFile: string;
  readonly logger: Logger;
  /** The session trading goes to now. */
  readonly activeKey: () => string | undefined;
  /** Makes a session the one trading goes to (the explicit switch). */
  readonly select: (key: string) => Result<unknown>;
  /** Whether a session is open now (to return to it when the replay closes). */
  readonly isSessionOpen: (key: string) => boolean;
  readonly onStatus: (status: ReplayStatus) => void;
  /** The system's file dialog (Electron's); absent in the web host. Resolves with a path, or null when cancelled. */
  readonly chooseFile?: () => Promise<string | null>;
  /** Login of the next replay account (default: from the wall clock, so each replay has its own). */
  readonly nextLogin?: () => string;
}

/** The replay service: opens a file as a replay session, drives its clock, closes it. */
export interface ReplayService {
  status(): ReplayStatus;
  listFiles(): Promise<Result<ReplayFileList>>;
  /** Copies a file picked in the system's dialog into `replays/`; null when the dialog was cancelled. */
  importFile(): Promise<Result<{ file: ReplayFileRef | null }>>;
  open(file: ReplayFileRef, balance?: number): Promise<Result<ReplayStatus>>;
  close(): Promise<Result<ReplayStatus>>;
  play(): Result<ReplayStatus>;
  pause(): Result<ReplayStatus>;
  setSpeed(speed: number): Result<ReplayStatus>;
  step(): Result<ReplayStatus>;
  jumpTo(timeMs: number): Promise<Result<ReplayStatus>>;
  /** The replay clock of a replay session's key (its trade server's "now"); undefined for any other key. */
  serverNow(key: string): number | undefined;
  /** The running session (tests). */
  session(): ReplaySession | null;
  dispose(): Promise<void>;
}

const FOLDERS: readonly ReplayFolder[] = ['replays', 'recordings'];

const notOpen = (): Result<never> =>
  err(appError('REPLAY_NOT_OPEN', 'No replay is open. Open a file from Replay… in the status bar first.'));

/**
 * Runs replay sessions (docs/replay.md). Opening one remembers the account that was active and makes the replay
 * the active one; closing it goes back to that account. One replay at a time.
 */
export function createReplayService(options: ReplayServiceOptions): ReplayService {
  const { logger } = options;
  let running: { session: ReplaySession; file: ReplayFileRef } | null = null;
  let previousKey: string | undefined;
  let opening = false;
  const nextLogin = options.nextLogin ?? (() => String(100_000_000 + (Date.now() % 900_000_000)));

  const status = (): ReplayStatus => {
    if (running === null) {
      return {
        state: 'closed',
        key: null,
        file: null,
        symbols: [],
        speed: 1,
        timeMs: null,
        startMs: null,
        endMs: null,
        ticksPlayed: 0,
        ticksTotal: 0,
      };
    }
    const { driver } = running.session;
    return {
      state: driver.state,
      key: running.session.key,
      file: running.file,
      symbols: [...running.session.symbols],
      speed: driver.speed,
      timeMs: Math.round(driver.timeMs),
      startMs: driver.startMs,
      endMs: driver.endMs,
      ticksPlayed: driver.ticksPlayed,
      ticksTotal: driver.ticksTotal,
    };
  };
  const announce = (): ReplayStatus => {
    const s = status();
    options.onStatus(s);
    return s;
  };
  const withSession = (f: (session: ReplaySession) => void): Result<ReplayStatus> => {
    if (running === null) return notOpen();
    f(running.session);
    return ok(status());
  };

  const folderPath = (folder: ReplayFolder): string => join(options.dataDir, folder);

  const stopRunning = async (): Promise<void> => {
    const current = running;
    if (current === null) return;
    running = null;
    if (options.activeKey() === current.session.key && previousKey !== undefined) {
      // Back to the account the trader had before, first, so trading never points at a closing session.
      if (options.isSessionOpen(previousKey)) options.select(previousKey);
    }
    await current.session.stop();
  };

  return {
    status,
    async listFiles() {
      const files: ReplayFileInfo[] = [];
      for (const folder of FOLDERS) {
        const dir = folderPath(folder);
        // Private like the recorder's folder (docs/security.md): a trader's data, nobody else's.
        await mkdir(dir, { recursive: true, mode: 0o700 });
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          if (!entry.isFile() || entry.name.startsWith('.')) continue;
          const info = await stat(join(dir, entry.name));
          files.push({
            folder,
            name: entry.name,
            sizeBytes: info.size,
            modifiedMs: Math.round(info.mtimeMs),
          });
        }
      }
      files.sort((a, b) => b.modifiedMs - a.modifiedMs || a.name.localeCompare(b.name));
      return ok({
        folders: FOLDERS.map((folder) => ({ folder, path: folderPath(folder) })),
        files,
        maxBytes: MAX_REPLAY_BYTES,
      });
    },
    async importFile() {
      if (options.chooseFile === undefined) {
        return err(
          appError(
            'REPLAY_NO_DIALOG',
            `This window has no file dialog: put the file into ${folderPath('replays')} and it is listed here.`,
          ),
        );
      }
      const chosen = await options.chooseFile();
      if (chosen === null) return ok({ file: null });
      try {
        const info = await stat(chosen);
        if (!info.isFile())
          return err(appError('REPLAY_FILE_NOT_FOUND', `${basename(chosen)} is not a file.`));
        if (info.size > MAX_REPLAY_BYTES) {
          return err(
            appError(
              'REPLAY_TOO_LARGE',
              `${basename(chosen)} is larger than a replay opens (docs/replay.md).`,
            ),
          );
        }
        const dir = folderPath('replays');
        await mkdir(dir, { recursive: true, mode: 0o700 });
        // Kept as a plain name the contract accepts, and never over a file already there.
        const base =
          basename(chosen)
            .replace(/[/\\:*?"<>|]|[^\x20-\uFFFF]/g, '_')
            .replace(/^\.+/, '') || 'replay.csv';
        const taken = new Set(await readdir(dir));
        const dot = base.lastIndexOf('.');
        const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
        let name = base;
        for (let i = 2; taken.has(name); i += 1) name = `${stem} (${String(i)})${ext}`;
        const parsed = ReplayFileName.safeParse(name.slice(-200));
        if (!parsed.success) return err(appError('BAD_REPLAY', `${base} cannot be used as a file name.`));
        await copyFile(chosen, join(dir, parsed.data));
        logger.info('replay: file imported', { name: parsed.data });
        return ok({ file: { folder: 'replays', name: parsed.data } });
      } catch (error) {
        logger.error('replay: import failed', { error });
        return err(appError('REPLAY_FILE_NOT_FOUND', `${basename(chosen)} could not be read.`));
      }
    },
    async open(file, balance) {
      if (opening) return err(appError('REPLAY_FAILED', 'A replay is already opening.'));
      opening = true;
      try {
        // The contract allows plain names only (ipc-replay.ts), so this path stays inside the folder.
        const data = await loadReplayFile(join(folderPath(file.folder), file.name));
        if (!data.ok) return data;
        const active = options.activeKey();
        if (running !== null) await stopRunning();
        else previousKey = active !== undefined && !isReplayKey(active) ? active : undefined;
        let started: ReplaySession | undefined = undefined;
        const session = await startReplaySession({
          path: options.path,
          tokenFile: options.tokenFile,
          data: data.value,
          title: file.name,
          login: nextLogin(),
          logger,
          ...(balance === undefined ? {} : { balance }),
          onChange: () => {
            if (started !== undefined && running?.session === started) announce();
          },
        });
        started = session;
        try {
          await session.waitForSession();
        } catch (error) {
          await session.stop();
          throw error;
        }
        running = { session, file };
        const selected = options.select(session.key);
        if (!selected.ok) {
          await stopRunning();
          return selected;
        }
        logger.info('replay: opened', { key: session.key, file: file.name, ticks: data.value.ticks.length });
        return ok(announce());
      } catch (error) {
        logger.error('replay: open failed', { error });
        return err(appError('REPLAY_FAILED', `The replay could not start: ${String(error)}`));
      } finally {
        opening = false;
      }
    },
    async close() {
      try {
        await stopRunning();
        previousKey = undefined;
        return ok(announce());
      } catch (error) {
        logger.error('replay: close failed', { error });
        return err(appError('REPLAY_FAILED', `The replay could not stop: ${String(error)}`));
      }
    },
    play: () =>
      withSession((s) => {
        s.driver.play();
      }),
    pause: () =>
      withSession((s) => {
        s.driver.pause();
      }),
    setSpeed: (speed) =>
      withSession((s) => {
        s.driver.setSpeed(speed);
      }),
    step: () =>
      withSession((s) => {
        s.driver.step();
      }),
    async jumpTo(timeMs) {
      if (running === null) return notOpen();
      const jumped = await running.session.driver.jumpTo(timeMs);
      return jumped.ok ? ok(status()) : jumped;
    },
    serverNow: (key) => (running?.session.key === key ? running.session.driver.timeMs : undefined),
    session: () => running?.session ?? null,
    async dispose() {
      await stopRunning();
    },
  };
}

type Channels = typeof replayIpcChannels;
type ReplayChannel = keyof Channels;

/** The handlers of the `replay:*` channels. */
export type ReplayIpcHandlers = {
  readonly [K in ReplayChannel]: (
    request: z.output<Channels[K]['request']>,
  ) => Result<z.output<Channels[K]['response']>> | Promise<Result<z.output<Channels[K]['response']>>>;
};

export function replayIpcHandlers(replay: ReplayService): ReplayIpcHandlers {
  return {
    'replay:get-status': () => ok(replay.status()),
    'replay:list-files': () => replay.listFiles(),
    'replay:import-file': () => replay.importFile(),
    'replay:open': (request) => replay.open(request.file, request.balance),
    'replay:close': () => replay.close(),
    'replay:play': () => replay.play(),
    'replay:pause': () => replay.pause(),
    'replay:set-speed': (request) => replay.setSpeed(request.speed),
    'replay:step': () => replay.step(),
    'replay:jump-to': (request) => replay.jumpTo(request.timeMs),
  };
}
