import { createContext, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import { clockZone, type ClockZone } from '../../src-core/time/clock-model';
import type { AppState, AppStore } from './app-store';
import type { Controller } from './controller';
import type { QuoteView } from './market-slice';

/** The React binding of the vanilla store: components select exactly the slice they draw. */
export interface AppContextValue {
  readonly store: AppStore;
  readonly controller: Controller;
}

export const AppContext = createContext<AppContextValue | null>(null);

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (value === null) throw new Error('AppContext is missing: render inside <AppContext.Provider>.');
  return value;
}

/** Subscribes to one selected value; the component re-renders only when it changes (Object.is). */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppContext().store, selector);
}

export function useController(): Controller {
  return useAppContext().controller;
}

export function useAppStore(): AppStore {
  return useAppContext().store;
}

/** One symbol's quote: re-renders only when that symbol ticks. */
export function useQuote(symbol: string): QuoteView | undefined {
  return useApp((s) => s.quotes[symbol]);
}

/**
 * One symbol's quote while `isLive`; while not, the quote it had when it stopped being live, and no re-render on
 * its ticks. For rows scrolled out of sight (ui/use-near-view.ts), which need not follow every tick.
 */
export function useQuoteWhile(symbol: string, isLive: boolean): QuoteView | undefined {
  const select = useMemo(() => {
    if (isLive) return (s: AppState): QuoteView | undefined => s.quotes[symbol];
    // The first quote read is kept: the selector returns that same object, so zustand sees no change.
    let kept: QuoteView | undefined;
    return (s: AppState): QuoteView | undefined => {
      kept ??= s.quotes[symbol];
      return kept;
    };
  }, [symbol, isLive]);
  return useApp(select);
}

export function useSpec(symbol: string): SymbolSpec | undefined {
  return useApp((s) => s.specs[symbol]);
}

/** The error shown at one place, or undefined. */
export function usePlaceError(place: string): string | undefined {
  return useApp((s) => s.errors[place]);
}

export function useBusy(place: string): boolean {
  return useApp((s) => s.busy[place] === true);
}

/** The browser's own time zone (an IANA name; Playwright's `timezoneId` sets it in tests). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The trade server's clock minus UTC in seconds, from the account (newest) or the active session; else 0. */
export function selectServerOffsetSec(state: Pick<AppState, 'account' | 'bridge'>): number {
  if (state.account !== null) return state.account.timeOffsetSec;
  const bridge = state.bridge;
  const active = bridge?.sessions.find((s) => s.id === bridge.activeSessionId);
  return active?.timeOffsetSec ?? 0;
}

/**
 * The clock every time on screen is shown (and typed) in, per Settings → time display, plus the server offset
 * that turns the protocol's server-clock times into instants (docs/clock-model.md).
 */
export function useClock(): { readonly zone: ClockZone; readonly serverOffsetSec: number } {
  const display = useApp((s) => s.settings?.timeDisplay ?? 'server');
  const serverOffsetSec = useApp(selectServerOffsetSec);
  const zone =
    display === 'server'
      ? { kind: 'server' as const, offsetSec: serverOffsetSec }
      : clockZone('local', serverOffsetSec, localTimeZone());
  return { zone, serverOffsetSec };
}
