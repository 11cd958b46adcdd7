import { useEffect, useRef, useState, type ReactNode } from 'react';
import { applyPrice, type Bar } from '../../../src-core/chart/bars';
import type { Timeframe } from '../../../src-core/chart/timeframe';
import type { OrderAnswer } from '../../../src-core/contracts/orders';
import { normalizePrice } from '../../../src-core/trading/numbers';
import { isOneClick } from '../../store/settings-slice';
import type { AppState, AppStore } from '../../store/app-store';
import type { Controller } from '../../store/controller';
import { describeFailure } from '../../store/controller';
import { useApp, useAppStore, useController, usePlaceError } from '../../store/use-app';
import {
  calculatorChartLines,
  calculatorLevels,
  calculatorPatchFromDrag,
} from '../calculator/calculator-lines';
import {
  chartLines,
  describeDrag,
  dragModification,
  type ChartLine,
  type DragModification,
} from './chart-lines';
import { ChartView } from './chart-view';
import './chart.css';

/** Bars the chart can load per symbol and timeframe (the first is the default). */
export const CHART_BAR_COUNTS = [2_000, 5_000, 10_000] as const;
/** The timeframes on the toolbar (all 21 are in the protocol; these are the ones traders switch between). */
export const CHART_TIMEFRAMES: readonly Timeframe[] = [
  'M1',
  'M5',
  'M15',
  'M30',
  'H1',
  'H4',
  'D1',
  'W1',
  'MN1',
];
/** Where chart drags put their errors (the controller shows them here and as a notice). */
export const CHART_PLACE = 'chart';

/** The symbol the chart shows: the one selected in market watch or a one-click panel. */
function chartSymbol(s: AppState): string | null {
  return s.selectedSymbol ?? s.watchlist[0] ?? null;
}

/** Sends a drag's modification; answers the executor's result, or null when it never got there. */
function sendModification(controller: Controller, change: DragModification): Promise<OrderAnswer | null> {
  return change.kind === 'position'
    ? controller.modifyPosition(CHART_PLACE, change.input)
    : controller.modifyOrder(CHART_PLACE, change.input);
}

/** Asks first unless one-click is on; `onCancel` runs when the trader says no. */
function confirmThen(
  store: AppStore,
  title: string,
  words: string,
  run: () => void,
  onCancel: () => void,
): void {
  const state = store.getState();
  if (isOneClick(state.settings)) {
    run();
    return;
  }
  let isAnswered = false;
  const request = {
    title,
    lines: [words],
    confirmLabel: 'Modify',
    tone: 'neutral' as const,
    onConfirm: () => {
      isAnswered = true;
      store.getState().askConfirm(null);
      run();
    },
  };
  // The dialog has no cancel callback: a request that leaves the store unanswered was cancelled.
  const off = store.subscribe((s) => {
    if (s.confirm === request) return;
    off();
    if (!isAnswered) onCancel();
  });
  state.askConfirm(request);
}

/**
 * A click on the chart while the calculator picks a level: the field takes the clicked price, rounded to the tick
 * size as a dragged calculator line is, and picking ends. Only for the calculator's symbol on the chart.
 */
function pickPrice(store: AppStore, price: number): void {
  const s = store.getState();
  const field = s.chartPick;
  const symbol = chartSymbol(s);
  if (field === null || symbol === null || s.sideTab !== 'calculator') return;
  const calcSymbol = s.calculator.symbol === '' ? s.selectedSymbol : s.calculator.symbol;
  const spec = s.specs[symbol];
  if (calcSymbol !== symbol || spec === undefined) return;
  const patch = calculatorPatchFromDrag(field, price, s.calculator, spec, s.quotes[symbol]);
  if (patch !== null) s.setCalculator(patch);
  s.setChartPick(null);
}

/**
 * The chart in the centre of the trading screen (docs/charts.md): candles of the selected symbol from the
 * terminal (`chart:get-bars`), the forming bar kept live from ticks, bid/ask, positions and pending orders with
 * their SL/TP; dragging an SL, TP or pending price modifies it through the executor.
 */
export function ChartPanel(): ReactNode {
  const store = useAppStore();
  const controller = useController();
  const symbol = useApp(chartSymbol);
  const watchlist = useApp((s) => s.watchlist);
  const select = useApp((s) => s.selectSymbol);
  const spec = useApp((s) => (symbol === null ? undefined : s.specs[symbol]));
  const isLinkUp = useApp((s) => s.bridge !== null && s.bridge.state !== 'disconnected');
  // Another terminal (a replay, paper, the demo) has other bars: the chart loads them again on a switch.
  const sessionId = useApp((s) => s.bridge?.activeSessionId ?? null);
  // A replay that jumps or plays fast moves past prices the screen never received (ticks reach it batched): its
  // bars are loaded again whenever it stands still (paused, stepped, jumped, ended), not while it plays.
  const replayMoment = useApp((s) =>
    s.replay === null || s.replay.state === 'closed'
      ? null
      : s.replay.state === 'playing'
        ? 'playing'
        : String(s.replay.timeMs),
  );
  const dragError = usePlaceError(CHART_PLACE);
  const [timeframe, setTimeframe] = useState<Timeframe>('H1');
  const [barCount, setBarCount] = useState<number>(CHART_BAR_COUNTS[0]);
  const [status, setStatus] = useState<{ kind: 'loading' | 'ready' | 'error'; text: string }>({
    kind: 'loading',
    text: 'Loading bars…',
  });
  const containerRef = useRef<HTMLDivElement | null>(null);
  const viewRef = useRef<ChartView | null>(null);
  const barsRef = useRef<Bar[]>([]);
  // Read by the tick subscription, so a spec arriving later does not reload the bars.
  const specRef = useRef(spec);
  useEffect(() => {
    specRef.current = spec;
  }, [spec]);
  const onDragEndRef = useRef<(line: ChartLine, price: number) => void>(() => undefined);
  const isPicking = useApp((s) => s.chartPick !== null);

  // The view lives as long as the panel; everything else talks to it through the ref.
  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    const view = new ChartView(container, {
      onDragEnd: (line, price) => {
        onDragEndRef.current(line, price);
      },
      onClick: (price) => {
        pickPrice(store, price);
      },
    });
    viewRef.current = view;
    return () => {
      view.dispose();
      viewRef.current = null;
    };
  }, [store]);

  useEffect(() => {
    if (spec !== undefined) viewRef.current?.setFormat(spec.digits, spec.tickSize);
  }, [spec]);

  // Bars: loaded per symbol and timeframe, then the forming bar follows the bid of every tick.
  useEffect(() => {
    const view = viewRef.current;
    if (view === null || symbol === null || !isLinkUp) return;
    let isCurrent = true;
    let isLoaded = false;
    barsRef.current = [];
    view.setBars([]);
    setStatus({ kind: 'loading', text: `Loading ${symbol} ${timeframe}…` });
    void controller.client.invoke('chart:get-bars', { symbol, timeframe, count: barCount }).then((answer) => {
      if (!isCurrent) return;
      if (!answer.ok) {
        setStatus({ kind: 'error', text: answer.error.message });
        return;
      }
      isLoaded = true;
      barsRef.current = [...answer.value.bars];
      view.setBars(barsRef.current);
      store.getState().setChartBars({ symbol, timeframe, bars: barsRef.current.slice() });
      setStatus({ kind: 'ready', text: `${answer.value.bars.length} bars` });
    });
    let lastQuote = store.getState().quotes[symbol];
    const off = store.subscribe((s) => {
      const quote = s.quotes[symbol];
      if (quote === undefined || quote === lastQuote) return;
      lastQuote = quote;
      // Before the bars arrive a tick would be overwritten by them; after, it may open the first bar (a replay's
      // symbol whose file starts later than the others has none until then).
      if (!isLoaded) return;
      const point = specRef.current?.point;
      const spread = point === undefined ? 0 : Math.round((quote.ask - quote.bid) / point);
      const update = applyPrice(barsRef.current, timeframe, quote.bid, quote.timeMs, spread);
      if (update.kind !== 'ignored') view.updateBar(update.bar);
      // A bar closed: the calculator's ATR (closed bars only) changes; the forming bar alone does not move it.
      if (update.kind === 'opened') {
        store.getState().setChartBars({ symbol, timeframe, bars: barsRef.current.slice() });
      }
    });
    return () => {
      isCurrent = false;
      off();
      store.getState().setChartBars(null);
    };
  }, [symbol, timeframe, barCount, isLinkUp, sessionId, replayMoment, controller, store]);

  // Lines: redrawn from the store whenever the quote, positions or orders of the symbol change.
  useEffect(() => {
    const view = viewRef.current;
    if (view === null || symbol === null) return;
    let last: readonly unknown[] = [];
    const draw = (s: AppState): void => {
      const inputs = [
        s.quotes[symbol],
        s.positions,
        s.pendingOrders,
        s.calculator,
        s.sideTab,
        s.specs[symbol],
      ];
      if (inputs.every((x, i) => x === last[i])) return;
      last = inputs;
      const lines = chartLines({
        symbol,
        quote: s.quotes[symbol],
        positions: s.positions,
        orders: s.pendingOrders,
      });
      // The calculator's lines while it is open on this symbol (docs/charts.md).
      const calcSymbol = s.calculator.symbol === '' ? s.selectedSymbol : s.calculator.symbol;
      const spec = s.specs[symbol];
      if (s.sideTab === 'calculator' && calcSymbol === symbol && spec !== undefined) {
        lines.push(...calculatorChartLines(calculatorLevels(s.calculator, spec, s.quotes[symbol])));
      }
      view.setLines(lines);
    };
    draw(store.getState());
    return store.subscribe(draw);
  }, [symbol, store]);

  // Set after each render, so a drag that ends later sees this render's symbol spec.
  useEffect(() => {
    onDragEndRef.current = (line, price) => {
      const view = viewRef.current;
      if (view === null || spec === undefined || line.target === null) {
        view?.settle(line.id, null);
        return;
      }
      const target = line.target;
      if (target.kind === 'calculator') {
        const state = store.getState();
        const patch = calculatorPatchFromDrag(
          target.field,
          price,
          state.calculator,
          spec,
          state.quotes[spec.name],
        );
        if (patch === null) {
          view.settle(line.id, null);
          return;
        }
        state.setCalculator(patch);
        view.settle(line.id, normalizePrice(price, spec.tickSize));
        return;
      }
      const change = dragModification(target, price, spec.tickSize, line.price);
      if (change === null) {
        view.settle(line.id, null);
        return;
      }
      store.getState().setError(CHART_PLACE, null);
      confirmThen(
        store,
        `Modify #${target.ticket}?`,
        describeDrag(line, line.price, change.price, spec.digits),
        () => {
          void sendModification(controller, change).then((result) => {
            if (result?.ok === true) {
              view.settle(line.id, change.price);
              return;
            }
            view.settle(line.id, null);
            // The controller has put the executor's words at CHART_PLACE; say that the line went back.
            if (result !== null) {
              store.getState().setError(CHART_PLACE, `${describeFailure(result.error)} The line went back.`);
            }
          });
        },
        () => {
          view.settle(line.id, null);
        },
      );
    };
  });

  return (
    <section className="panel chart-panel" data-testid="chart">
      <div className="panel-head chart-head">
        <select
          aria-label="Chart symbol"
          data-testid="chart-symbol"
          value={symbol ?? ''}
          onChange={(e) => {
            select(e.target.value);
          }}
        >
          {watchlist.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <div className="chart-timeframes" role="group" aria-label="Timeframe">
          {CHART_TIMEFRAMES.map((tf) => (
            <button
              key={tf}
              type="button"
              className={tf === timeframe ? 'on' : ''}
              aria-pressed={tf === timeframe}
              data-testid={`chart-tf-${tf}`}
              onClick={() => {
                setTimeframe(tf);
              }}
            >
              {tf}
            </button>
          ))}
        </div>
        <select
          aria-label="Bars to load"
          data-testid="chart-bar-count"
          value={barCount}
          onChange={(e) => {
            setBarCount(Number(e.target.value));
          }}
        >
          {CHART_BAR_COUNTS.map((n) => (
            <option key={n} value={n}>
              {n.toLocaleString('en')} bars
            </option>
          ))}
        </select>
        <span className="spacer" />
        <span
          className={`chart-status muted small ${status.kind}`}
          data-testid="chart-status"
          data-state={status.kind}
          title="Bars and their times are on the trade server's clock, as in MT5."
        >
          {status.text} · server time
        </span>
      </div>
      <div className="chart-body">
        <div
          className={`chart-canvas${isPicking ? ' picking' : ''}`}
          ref={containerRef}
          data-testid="chart-canvas"
        />
        {dragError === undefined ? null : (
          // Over the chart, not above it: the chart must not move under the trader's pointer.
          <div className="inline-error chart-error" role="alert" data-testid="chart-error">
            {dragError}
          </div>
        )}
      </div>
    </section>
  );
}

/** The centre of the trading screen: the chart above, the one-click panels (passed in) below it. */
export function ChartCentre(props: { readonly children: ReactNode }): ReactNode {
  return (
    <div className="chart-centre">
      <ChartPanel />
      <div className="chart-centre-below">{props.children}</div>
    </div>
  );
}
