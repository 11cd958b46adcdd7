/**
 * Keyboard shortcuts. Trading keys need Alt so typing a "b" or an "s" into a field never sends an order;
 * F9 opens the order ticket as in MT5. Matched on `code` (the physical key) so Alt+B works on every layout,
 * including macOS where Alt changes the character.
 */
export type ShortcutAction = 'buy' | 'sell' | 'close' | 'focus-ticket' | 'calculator' | 'settings';

export interface ShortcutKey {
  readonly code: string;
  readonly key: string;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
}

/** The shortcut list as the UI and docs/ui.md show it. */
export const SHORTCUTS: readonly {
  readonly keys: string;
  readonly action: ShortcutAction;
  readonly label: string;
}[] = [
  { keys: 'Alt+B', action: 'buy', label: 'Buy the selected symbol at ask (one-click volume)' },
  { keys: 'Alt+S', action: 'sell', label: 'Sell the selected symbol at bid (one-click volume)' },
  { keys: 'Alt+C', action: 'close', label: 'Close the newest position of the selected symbol' },
  { keys: 'F9 / Alt+T', action: 'focus-ticket', label: 'Focus the order ticket' },
  { keys: 'Alt+K', action: 'calculator', label: 'Open the position-size calculator' },
  { keys: 'Alt+,', action: 'settings', label: 'Open settings' },
];

export function shortcutFor(e: ShortcutKey): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey) return null;
  if (!e.altKey && !e.shiftKey && e.key === 'F9') return 'focus-ticket';
  if (!e.altKey || e.shiftKey) return null;
  switch (e.code) {
    case 'KeyB':
      return 'buy';
    case 'KeyS':
      return 'sell';
    case 'KeyC':
      return 'close';
    case 'KeyT':
      return 'focus-ticket';
    case 'KeyK':
      return 'calculator';
    case 'Comma':
      return 'settings';
    default:
      return null;
  }
}
