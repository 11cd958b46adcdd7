import { memo, type ReactNode } from 'react';
import type { AppState } from '../../store/app-store';
import { useApp } from '../../store/use-app';

/** Whether trading goes to the paper account now (docs/paper-trading.md). */
export const isPaperActive = (s: Pick<AppState, 'bridge'>): boolean => s.bridge?.state === 'paper';

/** Whether trading goes to a replay session now (docs/replay.md). */
export const isReplayActive = (s: Pick<AppState, 'bridge'>): boolean => s.bridge?.state === 'replay';

/** The mark of a simulated account that is the active one: PAPER, REPLAY, or null for a terminal. */
export function simulatedMark(s: Pick<AppState, 'bridge'>): 'PAPER' | 'REPLAY' | null {
  return isPaperActive(s) ? 'PAPER' : isReplayActive(s) ? 'REPLAY' : null;
}

/** `PAPER · text` (or `REPLAY · text`) while a simulated account is the active one, the text as it is otherwise. */
export function markPaper(s: Pick<AppState, 'bridge'>, text: string): string {
  const mark = simulatedMark(s);
  return mark === null ? text : `${mark} · ${text}`;
}

/**
 * The PAPER or REPLAY mark, shown wherever a real account's order would go out or be reported (header, tickets,
 * one-click buttons, confirmations), so simulated fills are never taken for real ones. `memo`: it sits in every
 * price button, which re-renders on each tick.
 */
export const PaperMark = memo(function PaperMark(props: { readonly testId?: string }): ReactNode {
  const mark = useApp(simulatedMark);
  if (mark === null) return null;
  return (
    <span
      className={mark === 'REPLAY' ? 'paper-mark replay' : 'paper-mark'}
      data-testid={props.testId ?? 'paper-mark'}
    >
      {mark}
    </span>
  );
});
