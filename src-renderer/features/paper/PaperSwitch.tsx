import type { ReactNode } from 'react';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';

/**
 * The explicit switch between the live account and the paper account, in the status bar: "Paper account" opens
 * (or returns to) the paper account on the live terminal's prices; "Back to live" makes the live terminal the
 * active one again. Nothing switches on its own (docs/paper-trading.md).
 */
export function PaperSwitch(): ReactNode {
  const bridge = useApp((s) => s.bridge);
  const controller = useController();
  const isBusy = useBusy('paper');
  const error = usePlaceError('paper');
  if (bridge === null) return null;
  const live = bridge.sessions.find((s) => !s.isSimulator && s.isPaper !== true);
  if (live === undefined) return null;
  const isPaper = bridge.state === 'paper';
  return (
    <>
      {isPaper ? (
        <button
          type="button"
          className="btn small"
          data-testid="paper-back-to-live"
          title={`Trade on ${live.login} @ ${live.server} again (real orders)`}
          onClick={() => {
            void controller.selectSession(live.id);
          }}
        >
          Back to live
        </button>
      ) : (
        <button
          type="button"
          className="btn small paper"
          data-testid="paper-open"
          title="Trade a paper account at this terminal's live prices; nothing is sent to MT5"
          disabled={isBusy}
          onClick={() => {
            void controller.openPaper();
          }}
        >
          {isBusy ? 'Opening…' : 'Paper account'}
        </button>
      )}
      {error === undefined ? null : (
        <span className="inline-error compact" data-testid="paper-error">
          {error}
        </span>
      )}
    </>
  );
}
