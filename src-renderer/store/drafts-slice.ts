import type { StateCreator } from 'zustand/vanilla';
import type { PendingKind } from '../../src-core/contracts/orders';
import { formatVolume } from '../app/format';
import type { AppState } from './app-store';

/**
 * What the user has typed, kept as text exactly as typed. Drafts live in the store rather than in components so
 * an error, a re-render or a tab switch never loses them; they are cleared only by the user.
 */

/** SL/TP entered as an absolute price or as a distance in pips. */
export type StopUnit = 'price' | 'pips';

export interface TicketDraft {
  readonly symbol: string;
  readonly mode: 'market' | 'pending';
  /** Side of a market order; a pending order's side comes from its kind. */
  readonly side: 'buy' | 'sell';
  readonly pendingKind: PendingKind;
  readonly volume: string;
  /** Pending order price. */
  readonly price: string;
  readonly sl: string;
  readonly tp: string;
  readonly stopUnit: StopUnit;
  /** `datetime-local` text; empty means good till cancelled. */
  readonly expiration: string;
}

export interface CalculatorDraft {
  readonly symbol: string;
  readonly baseOn: 'balance' | 'equity';
  readonly riskMode: 'percent' | 'money';
  readonly risk: string;
  readonly entryMode: 'live' | 'typed';
  readonly entry: string;
  readonly side: 'buy' | 'sell';
  readonly slUnit: StopUnit;
  readonly sl: string;
  readonly tpPips: string;
  /** Commission per lot per side, account currency. */
  readonly commission: string;
  /** ATR stop: the period and multiplier, and how the true ranges are averaged (docs/ui.md, calculator). */
  readonly atrPeriod: string;
  readonly atrMultiplier: string;
  readonly atrSmoothing: 'wilder' | 'simple';
}

/** A one-click panel's own fields (volume and optional SL/TP in pips). */
export interface OneClickDraft {
  readonly volume: string;
  readonly slPips: string;
  readonly tpPips: string;
}

export interface DraftsSlice {
  readonly ticket: TicketDraft;
  readonly calculator: CalculatorDraft;
  readonly oneClick: Readonly<Record<string, OneClickDraft>>;
  /** Bumped to ask the ticket to take the keyboard focus (shortcut, "Use in ticket"). */
  readonly ticketFocusRequest: number;
  readonly setTicket: (patch: Partial<TicketDraft>) => void;
  readonly setCalculator: (patch: Partial<CalculatorDraft>) => void;
  readonly setOneClick: (symbol: string, patch: Partial<OneClickDraft>) => void;
  readonly requestTicketFocus: () => void;
}

export const DEFAULT_TICKET: TicketDraft = {
  symbol: '',
  mode: 'market',
  side: 'buy',
  pendingKind: 'buy_limit',
  volume: '0.10',
  price: '',
  sl: '',
  tp: '',
  stopUnit: 'pips',
  expiration: '',
};

export const DEFAULT_CALCULATOR: CalculatorDraft = {
  symbol: '',
  baseOn: 'balance',
  riskMode: 'percent',
  risk: '1',
  entryMode: 'live',
  entry: '',
  side: 'buy',
  slUnit: 'pips',
  sl: '20',
  tpPips: '',
  commission: '0',
  atrPeriod: '14',
  atrMultiplier: '1.5',
  atrSmoothing: 'wilder',
};

export const DEFAULT_ONE_CLICK: OneClickDraft = { volume: '0.10', slPips: '', tpPips: '' };

export const createDraftsSlice: StateCreator<AppState, [], [], DraftsSlice> = (set) => ({
  ticket: DEFAULT_TICKET,
  calculator: DEFAULT_CALCULATOR,
  oneClick: {},
  ticketFocusRequest: 0,
  setTicket: (patch) => {
    set((s) => ({ ticket: { ...s.ticket, ...patch } }));
  },
  setCalculator: (patch) => {
    set((s) => ({ calculator: { ...s.calculator, ...patch } }));
  },
  setOneClick: (symbol, patch) => {
    set((s) => {
      const before = s.oneClick[symbol] ?? {
        ...DEFAULT_ONE_CLICK,
        volume: s.settings === null ? DEFAULT_ONE_CLICK.volume : formatVolume(s.settings.defaultVolume),
      };
      return { oneClick: { ...s.oneClick, [symbol]: { ...before, ...patch } } };
    });
  },
  requestTicketFocus: () => {
    set((s) => ({ sideTab: 'ticket', ticketFocusRequest: s.ticketFocusRequest + 1 }));
  },
});
