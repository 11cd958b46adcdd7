import { useState, type ReactNode } from 'react';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';
import { ConfirmNote } from '../../ui/ConfirmNote';
import { InlineError } from '../../ui/controls';

/**
 * The pairing between Pipdesk and its EAs: a busy-pipe warning (possibly an impostor holding the pipe name) and
 * token rotation behind a confirmation. See docs/bridge-protocol.md, "Pairing token and pipe name".
 */
export function PairingSection(): ReactNode {
  const controller = useController();
  const bridge = useApp((s) => s.bridge);
  const error = usePlaceError('pairing');
  const isBusy = useBusy('pairing');
  const [isConfirming, setConfirming] = useState(false);
  const [isRotated, setRotated] = useState(false);
  return (
    <div className="pairing" data-testid="settings-pairing">
      {bridge?.pipeWarning === undefined ? null : (
        <p className="warn-text" role="alert" data-testid="settings-pipe-warning">
          {bridge.pipeWarning}
        </p>
      )}
      {isConfirming ? (
        <ConfirmNote
          testId="settings-rotate"
          confirmLabel="Rotate token"
          busyLabel="Rotating…"
          isBusy={isBusy}
          onConfirm={() => {
            void controller.rotatePairingToken().then((isDone) => {
              setConfirming(false);
              setRotated(isDone);
            });
          }}
          onCancel={() => {
            setConfirming(false);
          }}
        >
          Make a new pairing token? Every connected EA disconnects and reconnects with the new token within a
          few seconds; anything that learnt the old token loses access. Open orders are not affected.
        </ConfirmNote>
      ) : (
        <div className="row">
          <button
            type="button"
            className="btn small"
            data-testid="settings-rotate-token"
            onClick={() => {
              setRotated(false);
              setConfirming(true);
            }}
          >
            Rotate pairing token…
          </button>
          {isRotated ? (
            <span className="muted small" data-testid="settings-rotated">
              New token in use; EAs are reconnecting.
            </span>
          ) : null}
        </div>
      )}
      <InlineError message={error} testId="settings-pairing-error" />
    </div>
  );
}
