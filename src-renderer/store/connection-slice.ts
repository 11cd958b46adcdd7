import type { StateCreator } from 'zustand/vanilla';
import type { AccountInfo, AppInfo, BridgeStatus } from '../../src-core/contracts/ipc';
import type { CloudState } from '../../src-core/contracts/ipc-cloud';
import type { ReplayStatus } from '../../src-core/contracts/ipc-replay';
import type { AppState } from './app-store';

/** Whether this window can reach main at all (the web host's socket, or Electron's IPC). */
export type TransportState = 'connecting' | 'open' | 'lost';

/** Cloud sign-in as the status bar shows it. */
export interface CloudView {
  readonly state: 'signed-out' | 'signing-in' | 'signed-in' | 'offline' | 'ended';
  readonly label: string;
  /** The longer words for the tooltip. */
  readonly detail: string;
}

export interface ConnectionSlice {
  readonly transport: TransportState;
  readonly bridge: BridgeStatus | null;
  readonly account: AccountInfo | null;
  /**
   * Whether a terminal (real, demo or paper) has been connected since this window opened: after that, a lost link
   * is told by the status bar, and the first-run card no longer covers the chart.
   */
  readonly hasHadTerminal: boolean;
  readonly appInfo: AppInfo | null;
  /** Cloud sync as main reports it; null until loaded. */
  readonly cloud: CloudState | null;
  /** The replay session (docs/replay.md) as main reports it; null until loaded. */
  readonly replay: ReplayStatus | null;
  readonly setReplay: (replay: ReplayStatus) => void;
  readonly setCloud: (cloud: CloudState) => void;
  readonly setTransport: (state: TransportState) => void;
  readonly setBridge: (status: BridgeStatus) => void;
  readonly setAccount: (account: AccountInfo | null) => void;
  readonly setAppInfo: (info: AppInfo) => void;
}

export const createConnectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = (set, get) => ({
  transport: 'connecting',
  bridge: null,
  account: null,
  hasHadTerminal: false,
  appInfo: null,
  cloud: null,
  replay: null,
  setReplay: (replay) => {
    set({ replay });
  },
  setCloud: (cloud) => {
    set({ cloud });
  },
  setTransport: (transport) => {
    set({ transport });
  },
  setBridge: (bridge) => {
    // Another terminal's prices are not this one's, and a replay's clock is years behind: the quotes of the one
    // before would win over its ticks as "newer". A link that only drops keeps its prices (shown dimmed).
    const before = get().bridge?.activeSessionId ?? null;
    const isSwitch = before !== null && bridge.activeSessionId !== null && before !== bridge.activeSessionId;
    const quotes = isSwitch ? { quotes: {} } : {};
    // The account belongs to a terminal: without one, the numbers on screen would be stale.
    set(
      bridge.state === 'disconnected'
        ? { bridge, account: null, ...quotes }
        : { bridge, hasHadTerminal: true, ...quotes },
    );
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
  tone: 'ok' | 'demo' | 'paper' | 'replay' | 'down' | 'wait';
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
    case 'paper':
      return {
        tone: 'paper',
        label: 'PAPER account',
        detail: 'Simulated fills at the live terminal’s prices; nothing is sent to the terminal.',
      };
    case 'replay':
      return {
        tone: 'replay',
        label: 'REPLAY',
        detail:
          'A history file’s prices on a simulated clock, simulated fills; nothing is sent to a terminal.',
      };
    case 'disconnected':
      return {
        tone: 'down',
        label: 'Disconnected',
        detail: bridge.reason ?? 'No MT5 terminal is connected.',
      };
  }
}

/**
 * What the status bar's cloud chip says. Signed in is "online" only when every linked account's connector is
 * up: one connector down (the cloud unreachable, a network drop) shows "offline", with entries still queued.
 */
export function describeCloud(cloud: CloudState | null): CloudView {
  if (cloud === null) return { state: 'signed-out', label: 'Cloud: …', detail: 'Waiting for the app.' };
  switch (cloud.status) {
    case 'signing_in':
      return { state: 'signing-in', label: 'Cloud: signing in…', detail: cloud.cloudUrl };
    case 'signed_out':
      return cloud.notice === null
        ? { state: 'signed-out', label: 'Cloud: not signed in', detail: 'Sign in from Settings → Cloud.' }
        : { state: 'ended', label: 'Cloud: signed out', detail: cloud.notice };
    case 'signed_in': {
      const linked = cloud.accounts.filter((a) => a.connector !== 'not_linked');
      const isOffline = linked.some((a) => a.connector === 'offline' || a.connector === 'connecting');
      const queued = cloud.unsyncedEntries > 0 ? ` · ${cloud.unsyncedEntries} to sync` : '';
      const who = cloud.email ?? 'signed in';
      return isOffline
        ? {
            state: 'offline',
            label: `Cloud: offline${queued}`,
            detail: `${who}: the cloud is not reachable; the journal is kept and sent when it is.`,
          }
        : { state: 'signed-in', label: `Cloud: ${who}${queued}`, detail: cloud.cloudUrl };
    }
  }
}
