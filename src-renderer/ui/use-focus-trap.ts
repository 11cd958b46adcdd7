import { useEffect, type RefObject } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The elements Tab can reach inside `root`, in order (hidden ones left out). */
function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

/** Frames to wait for an opener that is disabled while its order is sent (about 5 s at 60 Hz). */
const RESTORE_FRAMES = 300;

/**
 * Gives focus back to `opener` once the dialog has closed. An opener disabled while its order is on the way
 * (the ticket's send button, a row's Close) cannot take focus at once, so this tries again each frame until it
 * can; an opener that went away meanwhile (the position it closed) hands over to `haven`. It stops as soon as
 * the trader has put focus somewhere, so it never pulls focus back.
 */
function restoreFocus(opener: HTMLElement, haven: HTMLElement | null, frames = RESTORE_FRAMES): void {
  const isFocusLost = document.activeElement === null || document.activeElement === document.body;
  if (!isFocusLost && frames < RESTORE_FRAMES) return;
  if (!opener.isConnected) {
    if (haven?.isConnected === true) haven.focus();
    return;
  }
  opener.focus();
  if (document.activeElement !== opener && frames > 0) {
    requestAnimationFrame(() => {
      restoreFocus(opener, haven, frames - 1);
    });
  }
}

/**
 * Open traps, innermost last. Only the innermost handles keys, so a dialog opened over the settings sheet (a
 * confirmation, the one-click warning) keeps Tab and Escape to itself and the sheet does not pull focus back.
 */
const openTraps: HTMLElement[] = [];

/**
 * Keeps the keyboard inside a dialog while it is open: Tab and Shift+Tab cycle through its controls, Escape calls
 * `onEscape`, focus moves in when it opens (to `initial` or the first control) and returns to where it was when it
 * closes. Controls behind the dialog are out of reach, as they are out of sight.
 */
export function useFocusTrap(
  ref: RefObject<HTMLElement | null>,
  isOpen: boolean,
  onEscape: () => void,
  initial?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const root = ref.current;
    if (!isOpen || root === null) return undefined;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // Where focus goes when the opener cannot take it back: the focusable region around it (a table).
    const haven = before?.parentElement?.closest<HTMLElement>('[tabindex="0"]') ?? null;
    if (!root.contains(document.activeElement)) (initial?.current ?? focusables(root)[0] ?? root).focus();
    openTraps.push(root);
    const onKey = (e: KeyboardEvent): void => {
      if (openTraps.at(-1) !== root) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onEscape();
        return;
      }
      if (e.key !== 'Tab') return;
      const list = focusables(root);
      const first = list[0];
      const last = list.at(-1);
      if (first === undefined || last === undefined) {
        e.preventDefault();
        return;
      }
      const active = document.activeElement;
      if (e.shiftKey && (active === first || !root.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !root.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      openTraps.splice(openTraps.lastIndexOf(root), 1);
      if (before !== null) restoreFocus(before, haven);
    };
  }, [ref, isOpen, onEscape, initial]);
}
