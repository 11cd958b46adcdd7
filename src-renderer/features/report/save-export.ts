import type { IpcClient } from '../../../src-core/contracts/ipc-client';
import { ok, type Result } from '../../../src-core/result';
import { downloadText } from '../../app/download';

/** An export to save (the `report:save-file` request). */
export interface ExportFile {
  readonly fileName: string;
  readonly kind: 'html' | 'csv';
  readonly content: string;
}

/**
 * Saves an export: in the Electron shell main opens a save dialog (the preload's `window.pipdesk` is there); the
 * web host's page downloads it, since its socket is not for megabytes of report and main could not open a
 * dialog on the browser's machine anyway. `isSaved` false means the trader cancelled the dialog.
 */
export async function saveExport(client: IpcClient, file: ExportFile): Promise<Result<{ isSaved: boolean }>> {
  const mime = file.kind === 'html' ? 'text/html' : 'text/csv';
  if (window.pipdesk === undefined) {
    downloadText(file.fileName, file.content, mime);
    return ok({ isSaved: true });
  }
  const r = await client.invoke('report:save-file', file);
  if (!r.ok) return r;
  if (!r.value.isHandled) {
    downloadText(file.fileName, file.content, mime);
    return ok({ isSaved: true });
  }
  return ok({ isSaved: r.value.isSaved });
}
