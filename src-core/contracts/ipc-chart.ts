import { z } from 'zod';
import { Bar } from '../chart/bars';
import { Timeframe } from '../chart/timeframe';
import { SymbolName } from './orders';

/**
 * IPC for charts, in the same `{ request, response }` form as `ipcChannels` in ipc.ts, merged there with a
 * spread. Handlers live in src-main/services/chart. Bars are on the trade server's clock (docs/charts.md); the
 * chart keeps its last bar live from `quotes:tick` with `applyPrice` (src-core/chart/bars.ts).
 */

/** Most bars one `chart:get-bars` answers (the app asks the terminal in pages of the protocol's maximum). */
export const MAX_CHART_BARS = 10_000;

/** The answer of `chart:get-bars`. */
export const ChartBars = z.object({
  symbol: SymbolName,
  timeframe: Timeframe,
  /** Oldest first; the last is the bar still forming. */
  bars: z.array(Bar),
});
export type ChartBars = z.infer<typeof ChartBars>;

export const chartIpcChannels = {
  /** The newest `count` bars of a symbol and timeframe from the active terminal (MT5 CopyRates). */
  'chart:get-bars': {
    request: z.strictObject({
      symbol: SymbolName,
      timeframe: Timeframe,
      count: z.number().int().min(1).max(MAX_CHART_BARS).default(2_000),
    }),
    response: ChartBars,
  },
} as const;
