import type { StateCreator } from 'zustand/vanilla';
import type { AccountInfo, AppInfo, BridgeStatus } from '../../src-core/contracts/ipc';
import type { AppState } from './app-store';

/** Whether this window can reach main at all (the web host's socket, or Electron's IPC). */
export type TransportState = 'connecting' | 'open' | 'lost';

/** Cloud sign-in as the status bar shows it; only "not signed in" until cloud sync lands. */
export interface CloudView {
  readonly state: 'signed-out' | 'signed-in' | 'offline';
  readonly label: string;
}

export interface ConnectionSlice {
  readonly transport: TransportState;
  readonly bridge: BridgeStatus | null;
  readonly account: AccountInfo | null;
  readonly appInfo: AppInfo | null;
  readonly cloud: CloudView;
  readonly setTransport: (state: TransportState) => void;
  readonly setBridge: (status: BridgeStatus) => void;
  readonly setAccount: (account: AccountInfo | null) => void;
  readonly setAppInfo: (info: AppInfo) => void;
}

export const createConnectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = (set) => ({
  transport: 'connecting',
  bridge: null,
  account: null,
  appInfo: null,
  cloud: { state: 'signed-out', label: 'Cloud: not signed in' },
  setTransport: (transport) => {
    set({ transport });
  },
  setBridge: (bridge) => {
    // The account belongs to a terminal: without one, the numbers on screen would be stale.
    set(bridge.state === 'disconnected' ? { bridge, account: null } : { bridge });
  },
  setAccount: (account) => {
    set({ account });
  },
  setAppInfo: (appInfo) => {
    set({ appInfo });
  },
});

/** What the status bar says about the link to MT5, in a few words. */
export function describeBridge(
  bridge: BridgeStatus | null,
  transport: TransportState,
): {
  tone: 'ok' | 'demo' | 'down' | 'wait';
  label: string;
  detail: string;
} {
  if (transport === 'lost') {
    return {
      tone: 'down',
      label: 'App unreachable',
      detail: 'The connection to the Pipdesk app was lost; retrying.',
    };
  }
  if (bridge === null) return { tone: 'wait', label: 'Connecting…', detail: 'Waiting for the app.' };
  const active = bridge.sessions.find((s) => s.id === bridge.activeSessionId);
  switch (bridge.state) {
    case 'connected':
      return {
        tone: 'ok',
        label: 'EA connected',
        detail:
          active === undefined
            ? ''
            : `${active.company} · build ${active.terminalBuild} · EA ${active.eaVersion}`,
      };
    case 'demo':
      return { tone: 'demo', label: 'Demo (simulator)', detail: 'No real money moves in demo mode.' };
    case 'disconnected':
      return {
        tone: 'down',
        label: 'Disconnected',
        detail: bridge.reason ?? 'No MT5 terminal is connected.',
      };
  }
}
