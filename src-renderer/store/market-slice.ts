import type { StateCreator } from 'zustand/vanilla';
import type { Bar } from '../../src-core/chart/bars';
import type { Timeframe } from '../../src-core/chart/timeframe';
import type { SymbolSummary } from '../../src-core/contracts/ipc';
import type { Quote, SymbolSpec } from '../../src-core/trading/symbol-spec';
import type { AppState } from './app-store';

/** -1 the price fell, 1 it rose, 0 no change seen yet. Kept until the next change, as MT5 colours it. */
export type Direction = -1 | 0 | 1;

/** A quote as the screens show it: the price and which way each side last moved. */
export interface QuoteView {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly timeMs: number;
  readonly bidDirection: Direction;
  readonly askDirection: Direction;
}

/** A symbol's bars on one timeframe, oldest first, as the chart has them. */
export interface ChartBars {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly bars: readonly Bar[];
}

export interface MarketSlice {
  /** Every symbol the terminal offers, for the add-symbol search. */
  readonly symbolList: readonly SymbolSummary[];
  /** Full specifications, loaded per symbol as the watchlist needs them. */
  readonly specs: Readonly<Record<string, SymbolSpec>>;
  /** One object per symbol; an object is replaced only when its symbol ticks, so per-symbol selectors stay still. */
  readonly quotes: Readonly<Record<string, QuoteView>>;
  readonly watchlist: readonly string[];
  readonly selectedSymbol: string | null;
  readonly setSymbolList: (symbols: readonly SymbolSummary[]) => void;
  readonly setSpec: (spec: SymbolSpec) => void;
  readonly applyQuotes: (quotes: readonly Quote[]) => void;
  readonly setWatchlist: (symbols: readonly string[]) => void;
  readonly addToWatchlist: (symbol: string) => void;
  readonly removeFromWatchlist: (symbol: string) => void;
  readonly selectSymbol: (symbol: string) => void;
  /**
   * The bars the chart shows, published when they load and when a new bar opens (not on every tick), so the
   * calculator's ATR stop uses exactly the chart's bars.
   */
  readonly chartBars: ChartBars | null;
  readonly setChartBars: (bars: ChartBars | null) => void;
}

function direction(previous: number | undefined, next: number, fallback: Direction): Direction {
  if (previous === undefined || previous === next) return fallback;
  return next > previous ? 1 : -1;
}

/** Applies a batch of quotes to the quote map; untouched symbols keep their object identity. */
export function mergeQuotes(
  current: Readonly<Record<string, QuoteView>>,
  quotes: readonly Quote[],
): Readonly<Record<string, QuoteView>> {
  const next: Record<string, QuoteView> = { ...current };
  for (const quote of quotes) {
    const before = next[quote.symbol];
    if (before !== undefined && before.timeMs > quote.timeMs) continue; // a late tick must not move the price back
    if (before !== undefined && before.bid === quote.bid && before.ask === quote.ask) continue;
    next[quote.symbol] = {
      symbol: quote.symbol,
      bid: quote.bid,
      ask: quote.ask,
      timeMs: quote.timeMs,
      bidDirection: direction(before?.bid, quote.bid, before?.bidDirection ?? 0),
      askDirection: direction(before?.ask, quote.ask, before?.askDirection ?? 0),
    };
  }
  return next;
}

export const createMarketSlice: StateCreator<AppState, [], [], MarketSlice> = (set, get) => ({
  symbolList: [],
  specs: {},
  quotes: {},
  watchlist: [],
  selectedSymbol: null,
  setSymbolList: (symbolList) => {
    set({ symbolList });
  },
  setSpec: (spec) => {
    set((s) => ({ specs: { ...s.specs, [spec.name]: spec } }));
  },
  applyQuotes: (quotes) => {
    if (quotes.length === 0) return;
    set((s) => ({ quotes: mergeQuotes(s.quotes, quotes) }));
  },
  setWatchlist: (symbols) => {
    const watchlist = [...new Set(symbols)];
    const selected = get().selectedSymbol;
    set({
      watchlist,
      selectedSymbol: selected !== null && watchlist.includes(selected) ? selected : (watchlist[0] ?? null),
    });
  },
  addToWatchlist: (symbol) => {
    const { watchlist } = get();
    if (watchlist.includes(symbol)) return;
    set({ watchlist: [...watchlist, symbol] });
  },
  removeFromWatchlist: (symbol) => {
    const watchlist = get().watchlist.filter((s) => s !== symbol);
    const selected = get().selectedSymbol;
    set({ watchlist, selectedSymbol: selected === symbol ? (watchlist[0] ?? null) : selected });
  },
  selectSymbol: (symbol) => {
    set({ selectedSymbol: symbol });
  },
  chartBars: null,
  setChartBars: (chartBars) => {
    set({ chartBars });
  },
});
