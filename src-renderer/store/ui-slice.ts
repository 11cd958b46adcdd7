import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './app-store';

/**
 * Where an error is shown: the control that caused it ('ticket', 'one-click', 'position:<ticket>',
 * 'order:<ticket>', 'calculator', 'settings', 'installer', 'app').
 */
export type ErrorPlace = string;

/** A short-lived message about something that happened (an order filled, a link dropped). */
export interface Notice {
  readonly id: number;
  readonly tone: 'ok' | 'error' | 'info';
  readonly text: string;
}

/** A question the user must answer before an order goes out (one-click off). */
export interface ConfirmRequest {
  readonly title: string;
  readonly lines: readonly string[];
  readonly confirmLabel: string;
  readonly tone: 'buy' | 'sell' | 'neutral';
  readonly onConfirm: () => void;
}

export type BottomTab = 'positions' | 'orders' | 'history' | 'report' | 'journal';
export type SideTab = 'ticket' | 'calculator';
/** The calculator field a click on the chart sets (docs/charts.md, "Pick on the chart"). */
export type ChartPick = 'entry' | 'sl' | 'tp';

export interface UiSlice {
  readonly errors: Readonly<Record<ErrorPlace, string>>;
  /** Operations in flight by place, so buttons can show it and a second click does not send twice. */
  readonly busy: Readonly<Record<ErrorPlace, boolean>>;
  readonly notices: readonly Notice[];
  readonly confirm: ConfirmRequest | null;
  readonly bottomTab: BottomTab;
  readonly sideTab: SideTab;
  readonly isSettingsOpen: boolean;
  /** The switch that asked to turn one-click on before the trader has read its warning; null when not asking. */
  readonly oneClickWarning: ErrorPlace | null;
  /** The calculator field waiting for a click on the chart; null when not picking. */
  readonly chartPick: ChartPick | null;
  readonly setError: (place: ErrorPlace, message: string | null) => void;
  readonly setBusy: (place: ErrorPlace, isBusy: boolean) => void;
  readonly notify: (tone: Notice['tone'], text: string) => void;
  readonly dismissNotice: (id: number) => void;
  /**
   * Removes a notice and every older one: once the newest has been seen and has timed out, the older ones are
   * history (the journal keeps them) and must not come back as if they had just happened.
   */
  readonly expireNotices: (throughId: number) => void;
  readonly askConfirm: (request: ConfirmRequest | null) => void;
  readonly setBottomTab: (tab: BottomTab) => void;
  readonly setSideTab: (tab: SideTab) => void;
  readonly setSettingsOpen: (isOpen: boolean) => void;
  readonly setOneClickWarning: (place: ErrorPlace | null) => void;
  readonly setChartPick: (pick: ChartPick | null) => void;
}

/** Notices shown at once; older ones drop off. */
export const NOTICE_LIMIT = 4;

let nextNoticeId = 1;

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  errors: {},
  busy: {},
  notices: [],
  confirm: null,
  bottomTab: 'positions',
  sideTab: 'ticket',
  isSettingsOpen: false,
  oneClickWarning: null,
  chartPick: null,
  setError: (place, message) => {
    set((s) => {
      if (message === null) {
        if (!(place in s.errors)) return s;
        const { [place]: _removed, ...rest } = s.errors;
        return { errors: rest };
      }
      return { errors: { ...s.errors, [place]: message } };
    });
  },
  setBusy: (place, isBusy) => {
    set((s) => {
      if (isBusy) return { busy: { ...s.busy, [place]: true } };
      const { [place]: _removed, ...rest } = s.busy;
      return { busy: rest };
    });
  },
  notify: (tone, text) => {
    const id = nextNoticeId++;
    set((s) => ({ notices: [...s.notices, { id, tone, text }].slice(-NOTICE_LIMIT) }));
  },
  dismissNotice: (id) => {
    set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  },
  expireNotices: (throughId) => {
    set((s) => ({ notices: s.notices.filter((n) => n.id > throughId) }));
  },
  askConfirm: (confirm) => {
    set({ confirm });
  },
  setBottomTab: (bottomTab) => {
    set({ bottomTab });
  },
  setSideTab: (sideTab) => {
    set({ sideTab });
  },
  setSettingsOpen: (isSettingsOpen) => {
    set({ isSettingsOpen });
  },
  setOneClickWarning: (oneClickWarning) => {
    set({ oneClickWarning });
  },
  setChartPick: (chartPick) => {
    set({ chartPick });
  },
});
