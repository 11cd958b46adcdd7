import type { ReactNode } from 'react';

/**
 * A question asked in place before an action that cannot be taken back (reset the paper account, rotate the
 * pairing token, register an account in the cloud): the words, then the action and Cancel. Test ids are
 * `<testId>-confirm` for the note and `<testId>-yes` / `<testId>-no` for its buttons.
 */
export function ConfirmNote(props: {
  readonly testId: string;
  /** The question, saying what the action does and what it leaves alone. */
  readonly children: ReactNode;
  readonly confirmLabel: string;
  /** Shown on the action's button while it runs (the button is disabled meanwhile). */
  readonly busyLabel: string;
  readonly isBusy: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}): ReactNode {
  return (
    <div className="note" data-testid={`${props.testId}-confirm`}>
      <p>{props.children}</p>
      <div className="row">
        <button
          type="button"
          className="btn small accent"
          data-testid={`${props.testId}-yes`}
          disabled={props.isBusy}
          onClick={props.onConfirm}
        >
          {props.isBusy ? props.busyLabel : props.confirmLabel}
        </button>
        <button
          type="button"
          className="btn small ghost"
          data-testid={`${props.testId}-no`}
          onClick={props.onCancel}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
