import { useCallback, useRef, useState, type ReactNode } from 'react';
import type { ReplayFileList } from '../../../src-core/contracts/ipc-replay';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';
import { useFocusTrap } from '../../ui/use-focus-trap';
import { formatFileSize } from './replay-view';
import './replay.css';

/**
 * The status bar's **Replay…** button and its file list: the files in the data folder's `replays/` and
 * `recordings/` folders, each opened with one click (docs/replay.md, "Opening a file"). Opening one switches
 * trading to the replay; nothing switches on its own.
 */
export function ReplayOpen(): ReactNode {
  const controller = useController();
  const transport = useApp((s) => s.transport);
  const hasDialog = useApp((s) => s.appInfo?.shell === 'electron');
  const isBusy = useBusy('replay');
  const error = usePlaceError('replay');
  const [list, setList] = useState<ReplayFileList | null>(null);
  const [isOpen, setOpen] = useState(false);
  const dialogRef = useRef<HTMLDivElement>(null);
  const close = useCallback(() => {
    setOpen(false);
  }, []);
  useFocusTrap(dialogRef, isOpen, close);
  if (transport === 'lost') return null;

  const show = async (): Promise<void> => {
    setOpen(true);
    setList(await controller.listReplayFiles());
  };

  return (
    <>
      <button
        type="button"
        className="btn small replay"
        data-testid="replay-open"
        title="Replay a history file (MT5 bar export or a Pipdesk CSV) and trade it on a simulated clock"
        onClick={() => {
          void show();
        }}
      >
        Replay…
      </button>
      {isOpen ? (
        <div className="modal-backdrop">
          <div
            ref={dialogRef}
            className="modal replay-files"
            role="dialog"
            aria-modal="true"
            aria-label="Open a replay"
            data-testid="replay-files"
          >
            <h2>Open a replay</h2>
            {list === null ? (
              <p className="muted">{error ?? 'Reading the replay folders…'}</p>
            ) : list.files.length === 0 ? (
              <p className="muted" data-testid="replay-files-empty">
                No files yet. Put an MT5 bar export or a Pipdesk CSV into one of these folders:
              </p>
            ) : (
              <ul className="replay-file-list">
                {list.files.map((f) => (
                  <li key={`${f.folder}/${f.name}`}>
                    <button
                      type="button"
                      className="btn ghost replay-file"
                      data-testid={`replay-file-${f.name}`}
                      disabled={isBusy}
                      onClick={() => {
                        void controller.openReplay({ folder: f.folder, name: f.name }).then((isOpened) => {
                          if (isOpened) setOpen(false);
                        });
                      }}
                    >
                      <span className="replay-file-name">{f.name}</span>
                      <span className="muted small">
                        {f.folder} · {formatFileSize(f.sizeBytes)}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {list === null ? null : (
              <p className="muted small replay-folders">
                {list.folders.map((f) => (
                  <code key={f.folder}>{f.path}</code>
                ))}
                Files up to {formatFileSize(list.maxBytes)}.
              </p>
            )}
            {error === undefined || list === null ? null : (
              <p className="inline-error" role="alert" data-testid="replay-error">
                {error}
              </p>
            )}
            <div className="modal-actions">
              {hasDialog ? (
                <button
                  type="button"
                  className="btn"
                  data-testid="replay-choose-file"
                  disabled={isBusy}
                  title="Pick a file anywhere; it is copied into the replays folder and opened"
                  onClick={() => {
                    void controller.importReplayFile().then(async (file) => {
                      if (file !== null && (await controller.openReplay(file))) setOpen(false);
                    });
                  }}
                >
                  Choose a file…
                </button>
              ) : null}
              <button type="button" className="btn ghost" data-testid="replay-files-cancel" onClick={close}>
                {isBusy ? 'Opening…' : 'Cancel'}
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}
