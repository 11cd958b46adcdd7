import { useCallback } from 'react';
import type { ErrorPlace } from '../../store/ui-slice';
import { useAppStore, useController } from '../../store/use-app';

/**
 * Turns one-click trading on or off from a switch at `place`. Turning it on before the trader has read what it
 * means (orders go out without a confirmation) asks first with the one-time warning (app/FirstRun.tsx); turning it
 * off never asks. The switch follows the stored setting, so a warning left unanswered leaves it off.
 */
export function useOneClickSwitch(place: ErrorPlace): (isOn: boolean) => void {
  const store = useAppStore();
  const controller = useController();
  return useCallback(
    (isOn: boolean) => {
      const state = store.getState();
      if (isOn && state.settings?.isOneClickRiskAcknowledged !== true) {
        state.setOneClickWarning(place);
        return;
      }
      void controller.updateSettings(place, { isOneClickEnabled: isOn });
    },
    [store, controller, place],
  );
}
