import {
  CandlestickSeries,
  LineStyle,
  createChart,
  type CandlestickData,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type LogicalRange,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Bar } from '../../../src-core/chart/bars';
import type { ChartLine, LineRole } from './chart-lines';

/** What the view reports to its owner. */
export interface ChartViewEvents {
  /** A draggable line was released at `price` (not yet rounded); the line stays there until `settle`. */
  readonly onDragEnd: (line: ChartLine, price: number) => void;
  /** A click on the chart (not on a line's handle) at `price`, the price scale's reading of the click's y. */
  readonly onClick: (price: number) => void;
}

interface DrawnLine {
  line: ChartLine;
  readonly api: IPriceLine;
  /** The handle a drag grabs (draggable lines only). */
  readonly handle: HTMLElement | null;
  /** Set while a drag or its modification is in flight: the line is drawn here, not at `line.price`. */
  heldPrice: number | null;
}

type Palette = Readonly<Record<LineRole | 'text' | 'grid' | 'panel' | 'up' | 'down', string>>;

const HANDLE_HEIGHT = 10;

/*
 * lightweight-charts rebuilds its drawing items for every bar of a series whenever the series' data changes, so
 * each tick's forming-bar update costs time in proportion to the bars in the series, not to the bars on screen.
 * The series therefore holds the newest SERIES_WINDOW bars and takes older ones in steps as the trader scrolls or
 * zooms back towards its oldest bar (docs/charts.md, "Bars in the series").
 */
/**
 * Bars the series holds after a load: more than two screens' worth at the default bar spacing on a wide window
 * (about 200 bars show at 1920 px). Each tick's update allocates an item per bar in the series, the largest
 * share of the page's garbage while prices tick, so the window is no larger than scrolling needs.
 */
export const SERIES_WINDOW = 500;
/** Older bars added each time the view comes within SERIES_MARGIN bars of the series' oldest bar. */
export const SERIES_STEP = 2_000;
const SERIES_MARGIN = 100;

/** How a line looks when not dragged: the market dotted, the calculator's lines dashed, trades solid. */
function restingStyle(line: ChartLine): LineStyle {
  if (line.role === 'bid' || line.role === 'ask') return LineStyle.Dotted;
  return line.target?.kind === 'calculator' ? LineStyle.LargeDashed : LineStyle.Solid;
}

/** Bars as lightweight-charts takes them: seconds, read as UTC, which shows the trade server's wall clock. */
export function toCandle(bar: Bar): CandlestickData<UTCTimestamp> {
  return {
    time: (bar.timeMs / 1000) as UTCTimestamp,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
  };
}

function palette(): Palette {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--muted', '#7f8a9c'),
    grid: v('--line', '#232a36'),
    panel: v('--panel', '#11151c'),
    up: v('--up', '#2fbf71'),
    down: v('--down', '#f0565d'),
    bid: v('--muted', '#7f8a9c'),
    ask: v('--sell-text', '#ff6b72'),
    'entry-buy': v('--buy-text', '#5c9dff'),
    'entry-sell': v('--sell-text', '#ff6b72'),
    sl: v('--sell', '#e0464e'),
    tp: v('--up', '#2fbf71'),
    pending: v('--warn', '#e3a53b'),
    'calc-entry': v('--accent', '#4c8dff'),
    'calc-sl': v('--sell-text', '#ff6b72'),
    'calc-tp': v('--up', '#2fbf71'),
  };
}

/**
 * The chart itself: TradingView's lightweight-charts with one candlestick series, price lines for the market,
 * positions and orders, and a DOM handle on each draggable line (docs/charts.md). Imperative on purpose: ticks
 * and drags update the canvas directly, without a React render per tick.
 */
export class ChartView {
  readonly #container: HTMLElement;
  readonly #overlay: HTMLElement;
  readonly #chart: IChartApi;
  readonly #series: ISeriesApi<'Candlestick'>;
  readonly #events: ChartViewEvents;
  readonly #drawn = new Map<string, DrawnLine>();
  readonly #themeObserver: MutationObserver;
  #palette: Palette;
  #layoutFrame = 0;
  /** The owner's bars (it appends and replaces the forming bar in place); the series holds those after #hidden. */
  #bars: readonly Bar[] = [];
  #hidden = 0;
  #extendFrame = 0;
  #drag: { readonly id: string; price: number } | null = null;
  /** Where the last button press was: a click that ends a pan or a drag is not a pick. */
  #pressedAt = { x: 0, y: 0 };

  constructor(container: HTMLElement, events: ChartViewEvents) {
    this.#container = container;
    this.#events = events;
    this.#palette = palette();
    this.#chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { color: this.#palette.panel },
        textColor: this.#palette.text,
        attributionLogo: true,
      },
      grid: { vertLines: { color: this.#palette.grid }, horzLines: { color: this.#palette.grid } },
      timeScale: { timeVisible: true, secondsVisible: false, rightOffset: 5 },
      rightPriceScale: { borderColor: this.#palette.grid },
    });
    this.#series = this.#chart.addSeries(CandlestickSeries, {
      upColor: this.#palette.up,
      downColor: this.#palette.down,
      borderVisible: false,
      wickUpColor: this.#palette.up,
      wickDownColor: this.#palette.down,
      priceLineVisible: false,
      lastValueVisible: false,
    });
    this.#overlay = document.createElement('div');
    this.#overlay.className = 'chart-handles';
    container.appendChild(this.#overlay);
    this.#chart.timeScale().subscribeVisibleLogicalRangeChange(this.#onRangeChange);
    this.#chart.subscribeCrosshairMove(this.#scheduleLayout);
    container.addEventListener('mousedown', this.#onMouseDown);
    container.addEventListener('click', this.#onClick);
    this.#themeObserver = new MutationObserver(() => {
      this.#applyTheme();
    });
    this.#themeObserver.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['data-theme'],
    });
  }

  /** Prices with the symbol's digits and tick size. */
  setFormat(digits: number, tickSize: number): void {
    this.#series.applyOptions({ priceFormat: { type: 'price', precision: digits, minMove: tickSize } });
  }

  /**
   * Replaces every bar (a new symbol or timeframe). The view keeps `bars` by reference: the owner updates the
   * forming bar and appends new ones in place and tells the view through {@link updateBar}.
   */
  setBars(bars: readonly Bar[]): void {
    cancelAnimationFrame(this.#extendFrame);
    this.#extendFrame = 0;
    this.#bars = bars;
    this.#hidden = Math.max(0, bars.length - SERIES_WINDOW);
    this.#showFromHidden();
    this.#scheduleLayout();
  }

  /** How many bars the series holds now (the newest ones; the rest join on scrolling back). */
  get seriesBarCount(): number {
    return this.#bars.length - this.#hidden;
  }

  /** Updates the forming bar or appends a new one (already in the owner's array). */
  updateBar(bar: Bar): void {
    this.#series.update(toCandle(bar));
    this.#scheduleLayout();
  }

  /** Draws exactly these lines: moves those it has, adds new ones, removes the rest. Held lines stay held. */
  setLines(lines: readonly ChartLine[]): void {
    const seen = new Set<string>();
    for (const line of lines) {
      seen.add(line.id);
      const drawn = this.#drawn.get(line.id);
      if (drawn === undefined) {
        this.#add(line);
        continue;
      }
      const moved = drawn.line.price !== line.price || drawn.line.title !== line.title;
      drawn.line = line;
      if (moved && drawn.heldPrice === null) drawn.api.applyOptions({ price: line.price, title: line.title });
    }
    for (const [id, drawn] of this.#drawn) {
      if (seen.has(id)) continue;
      this.#series.removePriceLine(drawn.api);
      drawn.handle?.remove();
      this.#drawn.delete(id);
    }
    this.#scheduleLayout();
  }

  /**
   * Ends the wait for a dragged line's modification: `price` keeps it there until the next `setLines` shows the
   * new level, null snaps it back to where the trade server has it.
   */
  settle(id: string, price: number | null): void {
    const drawn = this.#drawn.get(id);
    if (drawn === undefined) return;
    drawn.heldPrice = null;
    drawn.handle?.classList.remove('held');
    const at = price ?? drawn.line.price;
    if (price !== null) drawn.line = { ...drawn.line, price };
    drawn.api.applyOptions({ price: at, lineStyle: restingStyle(drawn.line) });
    this.#scheduleLayout();
  }

  /** Where a line is drawn now (held or not), for tests and the calculator. */
  linePrice(id: string): number | undefined {
    const drawn = this.#drawn.get(id);
    return drawn === undefined ? undefined : (drawn.heldPrice ?? drawn.line.price);
  }

  dispose(): void {
    cancelAnimationFrame(this.#layoutFrame);
    cancelAnimationFrame(this.#extendFrame);
    this.#themeObserver.disconnect();
    this.#container.removeEventListener('mousedown', this.#onMouseDown);
    this.#container.removeEventListener('click', this.#onClick);
    this.#endDrag(false);
    this.#chart.remove();
    this.#overlay.remove();
  }

  #add(line: ChartLine): void {
    const color = this.#palette[line.role];
    const api = this.#series.createPriceLine({
      price: line.price,
      color,
      lineWidth: line.role === 'bid' || line.role === 'ask' ? 1 : 2,
      lineStyle: restingStyle(line),
      axisLabelVisible: true,
      title: line.title,
    });
    let handle: HTMLElement | null = null;
    if (line.target !== null) {
      handle = document.createElement('div');
      handle.className = 'chart-handle';
      handle.dataset['testid'] = `chart-handle-${line.id}`;
      handle.dataset['line'] = line.id;
      handle.title = `Drag to move ${line.title}`;
      handle.style.setProperty('--line-color', color);
      handle.addEventListener('mousedown', (e) => {
        this.#startDrag(line.id, e);
      });
      this.#overlay.appendChild(handle);
    }
    this.#drawn.set(line.id, { line, api, handle, heldPrice: null });
  }

  #startDrag(id: string, e: MouseEvent): void {
    const drawn = this.#drawn.get(id);
    if (drawn === undefined || e.button !== 0 || drawn.heldPrice !== null) return;
    e.preventDefault();
    e.stopPropagation();
    this.#drag = { id, price: drawn.line.price };
    drawn.heldPrice = drawn.line.price;
    drawn.handle?.classList.add('dragging');
    this.#chart.applyOptions({ handleScroll: false, handleScale: false });
    window.addEventListener('mousemove', this.#onDragMove);
    window.addEventListener('mouseup', this.#onDragUp);
  }

  readonly #onDragMove = (e: MouseEvent): void => {
    const drag = this.#drag;
    const drawn = drag === null ? undefined : this.#drawn.get(drag.id);
    if (drag === null || drawn === undefined) return;
    const y = e.clientY - this.#container.getBoundingClientRect().top;
    const price = this.#series.coordinateToPrice(y);
    if (price === null || !(price > 0)) return;
    drag.price = price;
    drawn.heldPrice = price;
    drawn.api.applyOptions({ price, lineStyle: LineStyle.Dashed });
    this.#layout();
  };

  readonly #onDragUp = (): void => {
    this.#endDrag(true);
  };

  #endDrag(isReleased: boolean): void {
    window.removeEventListener('mousemove', this.#onDragMove);
    window.removeEventListener('mouseup', this.#onDragUp);
    const drag = this.#drag;
    this.#drag = null;
    if (drag === null) return;
    this.#chart.applyOptions({ handleScroll: true, handleScale: true });
    const drawn = this.#drawn.get(drag.id);
    if (drawn === undefined) return;
    drawn.handle?.classList.remove('dragging');
    if (!isReleased || drag.price === drawn.line.price) {
      this.settle(drag.id, null);
      return;
    }
    drawn.handle?.classList.add('held');
    this.#events.onDragEnd(drawn.line, drag.price);
  }

  #showFromHidden(): void {
    this.#series.setData(this.#bars.slice(this.#hidden).map(toCandle));
    this.#container.dataset['seriesBars'] = String(this.seriesBarCount);
  }

  /**
   * A click in the pane (not on a handle, the price scale or the time axis): the price scale's reading of its y.
   * A DOM listener rather than the library's click subscription, which skips a click that follows another soon.
   */
  readonly #onMouseDown = (e: MouseEvent): void => {
    this.#pressedAt = { x: e.clientX, y: e.clientY };
  };

  readonly #onClick = (e: MouseEvent): void => {
    if (e.button !== 0 || (e.target instanceof Node && this.#overlay.contains(e.target))) return;
    if (Math.abs(e.clientX - this.#pressedAt.x) > 4 || Math.abs(e.clientY - this.#pressedAt.y) > 4) return;
    const box = this.#container.getBoundingClientRect();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    const timeScale = this.#chart.timeScale();
    if (x < 0 || x > timeScale.width() || y < 0 || y > box.height - timeScale.height()) return;
    const price = this.#series.coordinateToPrice(y);
    if (price === null || !(price > 0)) return;
    // What the price scale read, before any rounding: the e2e compares the picked level with it.
    this.#container.dataset['clickPrice'] = String(price);
    this.#events.onClick(price);
  };

  readonly #onRangeChange = (range: LogicalRange | null): void => {
    this.#scheduleLayout();
    if (range === null || this.#hidden === 0 || range.from > SERIES_MARGIN || this.#extendFrame !== 0) return;
    // Not inside the library's own callback: setData there would re-enter the range notification.
    this.#extendFrame = requestAnimationFrame(() => {
      this.#extendFrame = 0;
      this.#extend();
    });
  };

  /** Adds up to SERIES_STEP older bars to the series, keeping the same bars on screen. */
  #extend(): void {
    const added = Math.min(this.#hidden, SERIES_STEP);
    if (added === 0) return;
    const timeScale = this.#chart.timeScale();
    const range = timeScale.getVisibleLogicalRange();
    this.#hidden -= added;
    this.#showFromHidden();
    // Logical indexes count from the series' first bar, which is now `added` bars older.
    if (range !== null) timeScale.setVisibleLogicalRange({ from: range.from + added, to: range.to + added });
  }

  readonly #scheduleLayout = (): void => {
    if (this.#layoutFrame !== 0) return;
    this.#layoutFrame = requestAnimationFrame(() => {
      this.#layoutFrame = 0;
      this.#layout();
    });
  };

  /** Puts each handle on its line (the price scale moves with data, zoom and scroll). */
  #layout(): void {
    const width = this.#chart.timeScale().width();
    for (const drawn of this.#drawn.values()) {
      const handle = drawn.handle;
      if (handle === null) continue;
      const y = this.#series.priceToCoordinate(drawn.heldPrice ?? drawn.line.price);
      if (y === null) {
        handle.style.display = 'none';
        continue;
      }
      handle.style.display = '';
      handle.style.width = `${width}px`;
      handle.style.transform = `translateY(${Math.round(y - HANDLE_HEIGHT / 2)}px)`;
    }
  }

  #applyTheme(): void {
    this.#palette = palette();
    const p = this.#palette;
    this.#chart.applyOptions({
      layout: { background: { color: p.panel }, textColor: p.text },
      grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
      rightPriceScale: { borderColor: p.grid },
    });
    this.#series.applyOptions({ upColor: p.up, downColor: p.down, wickUpColor: p.up, wickDownColor: p.down });
    for (const drawn of this.#drawn.values()) {
      drawn.api.applyOptions({ color: p[drawn.line.role] });
      drawn.handle?.style.setProperty('--line-color', p[drawn.line.role]);
    }
  }
}
