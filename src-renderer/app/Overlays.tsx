import { useCallback, useEffect, useRef, type ReactNode } from 'react';
import { useFocusTrap } from '../ui/use-focus-trap';
import { useApp } from '../store/use-app';
import { PaperMark } from '../features/paper/PaperMark';

/** Asks before an order goes out when one-click is off. Enter confirms, Escape cancels. */
export function ConfirmDialog(): ReactNode {
  const confirm = useApp((s) => s.confirm);
  const ask = useApp((s) => s.askConfirm);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancel = useCallback(() => {
    ask(null);
  }, [ask]);
  useFocusTrap(dialogRef, confirm !== null, cancel, confirmRef);
  if (confirm === null) return null;
  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-label={confirm.title}
        data-testid="confirm-dialog"
      >
        <h2>
          <PaperMark testId="confirm-paper-mark" />
          {confirm.title}
        </h2>
        {confirm.lines.map((line) => (
          <p key={line}>{line}</p>
        ))}
        <div className="modal-actions">
          <button
            type="button"
            className="btn ghost"
            data-testid="confirm-cancel"
            onClick={() => {
              ask(null);
            }}
          >
            Cancel
          </button>
          <button
            ref={confirmRef}
            type="button"
            className={`btn ${confirm.tone === 'neutral' ? 'accent' : confirm.tone}`}
            data-testid="confirm-ok"
            onClick={confirm.onConfirm}
          >
            {confirm.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * What just happened, in the status line under the workspace: the newest message for a few seconds, in full (it
 * wraps rather than being cut). It sits in its own line so it never covers a button or a table; every message is
 * also in the journal or beside the control it concerns.
 */
export function Notices(): ReactNode {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  const expire = useApp((s) => s.expireNotices);
  const newest = notices.at(-1);
  useEffect(() => {
    if (newest === undefined) return undefined;
    const timer = setTimeout(
      () => {
        expire(newest.id);
      },
      newest.tone === 'error' ? 10_000 : 5_000,
    );
    return () => {
      clearTimeout(timer);
    };
  }, [newest, expire]);
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      {newest === undefined ? null : (
        <div
          key={newest.id}
          className={`notice ${newest.tone}`}
          data-testid={`notice-${newest.tone}`}
          title={newest.text}
        >
          <span className="notice-text">{newest.text}</span>
          <button
            type="button"
            className="icon-btn"
            aria-label="Dismiss"
            onClick={() => {
              dismiss(newest.id);
            }}
          >
            ×
          </button>
        </div>
      )}
    </div>
  );
}
