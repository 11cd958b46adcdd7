import type { StateCreator } from 'zustand/vanilla';
import type { Settings } from '../../src-core/contracts/ipc';
import type { AppState } from './app-store';

export interface SettingsSlice {
  /** As main stores them; null until loaded. */
  readonly settings: Settings | null;
  readonly setSettings: (settings: Settings) => void;
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set) => ({
  settings: null,
  setSettings: (settings) => {
    set({ settings });
  },
});

/** One-click is on only once settings say so: until they load, every order asks first (the safe default). */
export function isOneClick(settings: Settings | null): boolean {
  return settings?.isOneClickEnabled ?? false;
}
