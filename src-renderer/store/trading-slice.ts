import type { StateCreator } from 'zustand/vanilla';
import type { PendingOrder, Position } from '../../src-core/contracts/ipc';
import type { AppState } from './app-store';

export interface TradingSlice {
  readonly positions: readonly Position[];
  readonly pendingOrders: readonly PendingOrder[];
  readonly setPositions: (positions: readonly Position[]) => void;
  readonly setPendingOrders: (orders: readonly PendingOrder[]) => void;
  /** Shows a position the trade server just reported opened, until main's next list replaces it. */
  readonly addOpenedPosition: (position: Position) => void;
}

export const createTradingSlice: StateCreator<AppState, [], [], TradingSlice> = (set) => ({
  positions: [],
  pendingOrders: [],
  setPositions: (positions) => {
    set({ positions: [...positions].sort((a, b) => b.openTimeMs - a.openTimeMs) });
  },
  addOpenedPosition: (position) => {
    set((s) =>
      s.positions.some((p) => p.ticket === position.ticket) ? s : { positions: [position, ...s.positions] },
    );
  },
  setPendingOrders: (orders) => {
    set({ pendingOrders: [...orders].sort((a, b) => b.setupTimeMs - a.setupTimeMs) });
  },
});
