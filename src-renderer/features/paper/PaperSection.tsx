import { useState, type ReactNode } from 'react';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';
import { ConfirmNote } from '../../ui/ConfirmNote';
import { InlineError } from '../../ui/controls';

/**
 * Settings → the paper account: what it is, and a reset behind a confirmation (balance, positions, orders and
 * history are deleted and it starts again from its starting balance). See docs/paper-trading.md.
 */
export function PaperSection(): ReactNode {
  const controller = useController();
  const bridge = useApp((s) => s.bridge);
  const error = usePlaceError('paper-reset');
  const isBusy = useBusy('paper-reset');
  const [isConfirming, setConfirming] = useState(false);
  const [isReset, setReset] = useState(false);
  const paper = bridge?.sessions.find((s) => s.isPaper === true);
  if (paper === undefined) return null;
  return (
    <div className="paper-settings" data-testid="settings-paper">
      <p className="muted small">
        <span className="paper-mark">PAPER</span> {paper.login} @ {paper.server}: simulated fills at the live
        terminal&apos;s prices, kept across restarts. Nothing is ever sent to MT5 from it.
      </p>
      {isConfirming ? (
        <ConfirmNote
          testId="settings-paper-reset"
          confirmLabel="Reset paper account"
          busyLabel="Resetting…"
          isBusy={isBusy}
          onConfirm={() => {
            void controller.resetPaper().then((isDone) => {
              setConfirming(false);
              setReset(isDone);
            });
          }}
          onCancel={() => {
            setConfirming(false);
          }}
        >
          Reset the paper account? Its balance, open positions, pending orders and history are deleted and it
          starts again from its starting balance. The live account is not touched.
        </ConfirmNote>
      ) : (
        <div className="row">
          <button
            type="button"
            className="btn small"
            data-testid="settings-paper-reset"
            onClick={() => {
              setReset(false);
              setConfirming(true);
            }}
          >
            Reset paper account…
          </button>
          {isReset ? (
            <span className="muted small" data-testid="settings-paper-reset-done">
              The paper account starts again.
            </span>
          ) : null}
        </div>
      )}
      <InlineError message={error} testId="settings-paper-error" />
    </div>
  );
}
