import type { z } from 'zod';
import type { reportIpcChannels } from '../../../src-core/contracts/ipc-report';
import type { Logger } from '../../../src-core/logger';
import { appError, err, ok, type Result } from '../../../src-core/result';

type Channels = typeof reportIpcChannels;

/** An export to save: its suggested file name, its kind and its text (validated by the IPC contract). */
export type ReportFile = z.output<Channels['report:save-file']['request']>;

/**
 * Asks the trader where to save a file and writes it there: true once written, false when the dialog was
 * cancelled. The Electron shell passes one (src-main/electron/save-report.ts); the web host has none, and its page
 * downloads the file through the browser instead.
 */
export type SaveReportFile = (file: ReportFile) => Promise<boolean>;

/** The handlers of `reportIpcChannels`, merged into the app's handler map. */
export type ReportIpcHandlers = {
  readonly [K in keyof Channels]: (
    request: z.output<Channels[K]['request']>,
  ) => Promise<Result<z.output<Channels[K]['response']>>>;
};

export function reportIpcHandlers(save: SaveReportFile | undefined, logger: Logger): ReportIpcHandlers {
  return {
    'report:save-file': async (request) => {
      if (save === undefined) return ok({ isHandled: false, isSaved: false });
      try {
        return ok({ isHandled: true, isSaved: await save(request) });
      } catch (error) {
        // A full disk or a folder without write access: the trader can choose another place.
        logger.warn('report: an export could not be saved', { error, kind: request.kind });
        const why = error instanceof Error ? error.message : String(error);
        return err(appError('REPORT_SAVE_FAILED', `The report could not be saved: ${why}`));
      }
    },
  };
}
