import type { z } from 'zod';
import type { Bar } from '../../../src-core/chart/bars';
import type { Timeframe } from '../../../src-core/chart/timeframe';
import type { ChartBars, chartIpcChannels } from '../../../src-core/contracts/ipc-chart';
import { appError, err, ok, type Result } from '../../../src-core/result';
import { MAX_RATES_COUNT, type WireRate } from '../../../src-bridge/protocol/rates';
import type { BridgeServer } from '../../../src-bridge/server/bridge-server';
import type { BridgeRequestError } from '../../../src-bridge/server/session';

/** Options of {@link createChartBars}. */
export interface ChartBarsOptions {
  readonly server: Pick<BridgeServer, 'request'>;
  /** The session chart requests go to (the market port's active one). */
  readonly activeKey: () => string | undefined;
}

/** Reads bars for the chart from the active terminal. */
export interface ChartBarsService {
  /** The newest `count` bars, oldest first, asking the terminal in pages of the protocol's maximum. */
  bars(symbol: string, timeframe: Timeframe, count: number): Promise<Result<ChartBars>>;
}

const toBar = ([timeMs, open, high, low, close, tickVolume, spread]: WireRate): Bar => ({
  timeMs,
  open,
  high,
  low,
  close,
  tickVolume,
  spread,
});

function describe(e: BridgeRequestError): Result<never> {
  switch (e.code) {
    case 'NOT_CONNECTED':
    case 'DISCONNECTED':
      return err(
        appError('NOT_CONNECTED', 'No MetaTrader 5 terminal is connected, so there are no bars to show.'),
      );
    case 'TIMEOUT':
      return err(appError('TERMINAL_TIMEOUT', 'MetaTrader 5 did not send the bars in time.'));
    case 'EA_ERROR':
      if (e.eaCode === 'UNKNOWN_SYMBOL')
        return err(appError('SYMBOL_NOT_FOUND', 'The terminal does not know this symbol.'));
      return err(appError('TERMINAL_ERROR', `MetaTrader 5 could not send the bars: ${e.message}`));
    case 'INVALID_REQUEST':
    case 'BAD_RESPONSE':
      return err(appError('TERMINAL_ERROR', `The bars from MetaTrader 5 could not be read: ${e.message}`));
  }
}

/** The chart's bar reader over the pipe server's `rates` request (docs/charts.md). */
export function createChartBars(options: ChartBarsOptions): ChartBarsService {
  return {
    async bars(symbol, timeframe, count) {
      const key = options.activeKey();
      if (key === undefined) return describe({ code: 'NOT_CONNECTED', message: '', delivered: false });
      const pages: Bar[][] = [];
      let got = 0;
      // Newest page first; a short page means the terminal has no older bars.
      while (got < count) {
        const want = Math.min(MAX_RATES_COUNT, count - got);
        const r = await options.server.request(key, 'rates', {
          symbol,
          timeframe,
          count: want,
          startPos: got,
        });
        if (!r.ok) return describe(r.error);
        pages.unshift(r.value.rates.map(toBar));
        got += r.value.rates.length;
        if (r.value.rates.length < want) break;
      }
      const bars = pages.flat();
      // Pages asked by position can overlap by a bar when a new bar opens between two requests.
      const unique = bars.filter((b, i) => i === 0 || (bars[i - 1]?.timeMs ?? -1) < b.timeMs);
      return ok({ symbol, timeframe, bars: unique });
    },
  };
}

type Channels = typeof chartIpcChannels;
type ChartChannel = keyof Channels;

/** The handlers of `chartIpcChannels`, merged into the app's handler map. */
export type ChartIpcHandlers = {
  readonly [K in ChartChannel]: (
    request: z.output<Channels[K]['request']>,
  ) => Promise<Result<z.output<Channels[K]['response']>>>;
};

export function chartIpcHandlers(chart: ChartBarsService): ChartIpcHandlers {
  return {
    'chart:get-bars': (request) => chart.bars(request.symbol, request.timeframe, request.count),
  };
}
