import { memo, type ReactNode } from 'react';
import type { AppState } from '../../store/app-store';
import { useApp } from '../../store/use-app';

/** Whether trading goes to the paper account now (docs/paper-trading.md). */
export const isPaperActive = (s: Pick<AppState, 'bridge'>): boolean => s.bridge?.state === 'paper';

/** `PAPER · text` while the paper account is the active one, the text as it is otherwise. */
export function markPaper(s: Pick<AppState, 'bridge'>, text: string): string {
  return isPaperActive(s) ? `PAPER · ${text}` : text;
}

/**
 * The PAPER mark, shown wherever a real account's order would go out or be reported (header, tickets, one-click
 * buttons, confirmations), so simulated fills are never taken for real ones. `memo`: it sits in every price button,
 * which re-renders on each tick.
 */
export const PaperMark = memo(function PaperMark(props: { readonly testId?: string }): ReactNode {
  const isPaper = useApp(isPaperActive);
  if (!isPaper) return null;
  return (
    <span className="paper-mark" data-testid={props.testId ?? 'paper-mark'}>
      PAPER
    </span>
  );
});
