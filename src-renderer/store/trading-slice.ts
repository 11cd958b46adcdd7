import type { StateCreator } from 'zustand/vanilla';
import type { PendingOrder, Position } from '../../src-core/contracts/ipc';
import type { AppState } from './app-store';

export interface TradingSlice {
  readonly positions: readonly Position[];
  readonly pendingOrders: readonly PendingOrder[];
  readonly setPositions: (positions: readonly Position[]) => void;
  readonly setPendingOrders: (orders: readonly PendingOrder[]) => void;
}

export const createTradingSlice: StateCreator<AppState, [], [], TradingSlice> = (set) => ({
  positions: [],
  pendingOrders: [],
  setPositions: (positions) => {
    set({ positions: [...positions].sort((a, b) => b.openTimeMs - a.openTimeMs) });
  },
  setPendingOrders: (orders) => {
    set({ pendingOrders: [...orders].sort((a, b) => b.setupTimeMs - a.setupTimeMs) });
  },
});
