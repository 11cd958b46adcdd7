import { useEffect, useRef, type ReactNode } from 'react';
import {
  AreaSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import { downsampleEquity, type EquityPoint } from '../../../src-core/report/report';

/**
 * Points as lightweight-charts takes them: seconds read as UTC, which shows the trade server's wall clock (as the
 * price chart does), one value per second (the last: several closes in one second end where the last left it).
 */
export function chartPoints(points: readonly EquityPoint[]): { time: UTCTimestamp; value: number }[] {
  const out: { time: UTCTimestamp; value: number }[] = [];
  for (const p of downsampleEquity(points, 2_000)) {
    const time = Math.floor(p.timeMs / 1000) as UTCTimestamp;
    const last = out.at(-1);
    if (last !== undefined && last.time >= time) last.value = p.equity;
    else out.push({ time, value: p.equity });
  }
  return out;
}

function colours(): { text: string; grid: string; panel: string; line: string } {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--muted', '#7f8a9c'),
    grid: v('--line', '#232a36'),
    panel: v('--panel', '#11151c'),
    line: v('--accent', '#4c8dff'),
  };
}

/** The report's curve (balance after each close) as an area chart filling its box. */
export function EquityChart(props: { points: readonly EquityPoint[]; label: string }): ReactNode {
  const box = useRef<HTMLElement | null>(null);
  const series = useRef<ISeriesApi<'Area'> | null>(null);
  const chart = useRef<IChartApi | null>(null);

  useEffect(() => {
    const container = box.current;
    if (container === null) return;
    const c = colours();
    const api = createChart(container, {
      autoSize: true,
      layout: { background: { color: c.panel }, textColor: c.text, attributionLogo: true, fontSize: 11 },
      grid: { vertLines: { visible: false }, horzLines: { color: c.grid } },
      timeScale: { timeVisible: true, secondsVisible: false, borderColor: c.grid },
      rightPriceScale: { borderColor: c.grid },
      handleScroll: false,
      handleScale: false,
    });
    // A hex colour takes an alpha suffix for the fill; any other form is used as it is.
    const alpha = (a: string): string => (/^#[\da-f]{6}$/i.test(c.line) ? `${c.line}${a}` : c.line);
    series.current = api.addSeries(AreaSeries, {
      lineColor: c.line,
      topColor: alpha('55'),
      bottomColor: alpha('08'),
      lineWidth: 2,
      priceLineVisible: false,
    });
    chart.current = api;
    return () => {
      api.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => {
    const data = chartPoints(props.points);
    // A session of minutes needs seconds on the time axis, or every label reads the same minute.
    const span = (data.at(-1)?.time ?? 0) - (data[0]?.time ?? 0);
    chart.current?.applyOptions({ timeScale: { secondsVisible: span < 3_600 } });
    series.current?.setData(data);
    chart.current?.timeScale().fitContent();
  }, [props.points]);

  // A figure, not role="img": the chart's attribution link inside it is a control of its own.
  return <figure className="report-chart" ref={box} aria-label={props.label} data-testid="report-chart" />;
}
