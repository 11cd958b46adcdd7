import { app, dialog, type BrowserWindow, type FileFilter } from 'electron';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportFile } from '../services/report/report-ipc';

const FILTERS: Readonly<Record<ReportFile['kind'], FileFilter>> = {
  html: { name: 'Web page (HTML)', extensions: ['html'] },
  csv: { name: 'CSV (comma-separated)', extensions: ['csv'] },
};

/**
 * The save dialog for an exported report, opened over the app's window in the Documents folder with the suggested
 * name. The trader picks the place, so the renderer never names a path (docs/desktop.md, "The IPC contract").
 */
export async function saveReportWithDialog(window: BrowserWindow | null, file: ReportFile): Promise<boolean> {
  const options = {
    title: 'Save the report',
    defaultPath: join(app.getPath('documents'), file.fileName),
    filters: [FILTERS[file.kind]],
  };
  const chosen =
    window === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(window, options);
  if (chosen.canceled || chosen.filePath === '') return false;
  await writeFile(chosen.filePath, file.content, 'utf8');
  return true;
}
