import { useCallback } from 'react';
import { isOneClick } from '../../store/settings-slice';
import type { ConfirmRequest } from '../../store/ui-slice';
import { useAppStore } from '../../store/use-app';

/**
 * Runs an order at once when one-click trading is on, otherwise asks first. Read from the store at call time
 * (not at render time) so a keyboard shortcut sees the current setting.
 */
export function useOrderGuard(): (request: Omit<ConfirmRequest, 'onConfirm'>, run: () => void) => void {
  const store = useAppStore();
  return useCallback(
    (request, run) => {
      const state = store.getState();
      if (isOneClick(state.settings)) {
        run();
        return;
      }
      state.askConfirm({
        ...request,
        onConfirm: () => {
          store.getState().askConfirm(null);
          run();
        },
      });
    },
    [store],
  );
}
