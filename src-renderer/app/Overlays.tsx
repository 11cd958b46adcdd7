import { useEffect, useRef, type ReactNode } from 'react';
import { useApp } from '../store/use-app';

/** Asks before an order goes out when one-click is off. Enter confirms, Escape cancels. */
export function ConfirmDialog(): ReactNode {
  const confirm = useApp((s) => s.confirm);
  const ask = useApp((s) => s.askConfirm);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirm !== null) confirmRef.current?.focus();
  }, [confirm]);
  if (confirm === null) return null;
  return (
    <div
      className="modal-backdrop"
      onKeyDown={(e) => {
        if (e.key === 'Escape') ask(null);
      }}
    >
      <div className="modal" role="alertdialog" aria-label={confirm.title} data-testid="confirm-dialog">
        <h2>{confirm.title}</h2>
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

/** What just happened, for a few seconds, without covering the trading panels. */
export function Notices(): ReactNode {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  useEffect(() => {
    const first = notices[0];
    if (first === undefined) return undefined;
    const timer = setTimeout(
      () => {
        dismiss(first.id);
      },
      first.tone === 'error' ? 8000 : 4000,
    );
    return () => {
      clearTimeout(timer);
    };
  }, [notices, dismiss]);
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.tone}`} data-testid={`notice-${n.tone}`}>
          <span>{n.text}</span>
          <button
            type="button"
            className="icon-btn"
            aria-label="Dismiss"
            onClick={() => {
              dismiss(n.id);
            }}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
