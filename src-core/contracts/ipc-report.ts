import { z } from 'zod';

/**
 * IPC for the Report tab's exports (docs/user-guide.md, "Report"), in the same `{ request, response }` form as
 * `ipcChannels` in ipc.ts, merged there with a spread. The renderer builds the file (src-core/report); main only
 * asks where to save it, so nothing but the file's name and text crosses.
 */

/** Largest export accepted: a report of 20,000 trades is about 3 MB of HTML. */
export const MAX_REPORT_FILE_CHARS = 16 * 1024 * 1024;

/**
 * A file name the save dialog suggests: letters, digits, dot, dash, underscore and spaces, ending in .html or
 * .csv; no path, so a renderer cannot name a place to write.
 */
export const ReportFileName = z
  .string()
  .min(6)
  .max(120)
  .regex(/^[\w][\w .-]*\.(html|csv)$/, { error: 'a plain file name ending in .html or .csv' })
  .refine((name) => !name.includes('..'), { error: 'a plain file name ending in .html or .csv' });

export const reportIpcChannels = {
  /**
   * Saves an exported report where the trader chooses (Electron's save dialog). `isHandled: false` tells the web
   * host's page to download the file itself; `isSaved: false` with `isHandled` means the trader cancelled.
   */
  'report:save-file': {
    request: z.strictObject({
      fileName: ReportFileName,
      kind: z.enum(['html', 'csv']),
      content: z.string().max(MAX_REPORT_FILE_CHARS),
    }),
    response: z.object({ isHandled: z.boolean(), isSaved: z.boolean() }),
  },
} as const;
