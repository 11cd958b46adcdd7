// bench/ui: the desktop UI's figures, measured in Chromium against the real main side and the MT5 simulator.
// - click → position visible: median and p95 over 50 one-click orders (target median ≤ 50 ms), beside the same
//   order sent straight to main's IPC dispatcher (the baseline: what the UI adds on top);
// - 30 symbols ticking 10 times a second, ten runs of 30 s: how many runs had a renderer long task over 50 ms
//   (target none), the longest task, the worst frame and every task's duration from a Chromium trace, beside an
//   idle baseline;
// - renderer JavaScript gzipped (target ≤ 300 KB);
// - the chart holds 10,000 bars during the ticking run; drag-to-modify from mouse-up to the new SL shown
//   (target median ≤ 100 ms), over 20 drags of a position's SL line on the simulator.
// Run alone: `npx tsx bench/ui.ts` (builds nothing: run `npm run build` first).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { CATALOG_MID_PRICES, SYMBOL_CATALOG } from '../src-core/trading/catalog';
import { normalizePrice } from '../src-core/trading/numbers';
import { startDesktop } from '../e2e/desktop/harness';
import { check } from './_targets';
import { rendererMainTasks } from './_trace-tasks';

const ROOT = join(import.meta.dirname, '..');
const ORDERS = 50;
const TICK_SYMBOLS = 30;
const TICK_MS = 100;
/** The target's duration (docs/ui.md): 30 symbols ticking for 30 s. */
const TICK_SECONDS = 30;
/**
 * How many 30 s runs of ticking: one long task in a few runs is what the target must catch, and one run cannot
 * show it (`BENCH_UI_TICK_RUNS` to change, e.g. 1 while working on the bench).
 */
const TICK_RUNS = tickRuns(process.env['BENCH_UI_TICK_RUNS']);

function tickRuns(text: string | undefined): number {
  if (text === undefined) return 10;
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new Error(`BENCH_UI_TICK_RUNS must be a whole number from 1 to 100, not ${JSON.stringify(text)}`);
  }
  return runs;
}

// In-page code is passed as text: tsx would wrap named functions in a helper that does not exist in the page.
const CLICK_TO_ROW = `(async () => {
  const rows = () => document.querySelectorAll('tr[data-testid^="position-"][data-symbol="EURUSD"]').length;
  const before = rows();
  const button = document.querySelector('[data-testid="buy-EURUSD"]');
  if (button === null) throw new Error('no buy button');
  while (button.disabled) await new Promise((r) => requestAnimationFrame(r));
  const t0 = performance.now();
  const shown = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (rows() > before) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  button.click();
  await shown;
  await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - t0;
})()`;

/**
 * In-page: long tasks (over 50 ms, the target's measure) and long animation frames (over 50 ms, with the
 * frame's script and rendering time), kept until collected.
 */
const OBSERVE_LONG_TASKS = `(() => {
  window.__longTasks = [];
  window.__longFrames = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: false });
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    new PerformanceObserver((list) => {
      for (const f of list.getEntries()) {
        const end = f.startTime + f.duration;
        window.__longFrames.push({
          duration: f.duration,
          script: f.scripts.reduce((sum, s) => sum + s.duration, 0),
          render: f.renderStart > 0 ? end - f.renderStart : 0,
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: false });
  }
})()`;

const COLLECT_LONG_TASKS = 'window.__longTasks.splice(0)';
const COLLECT_LONG_FRAMES = 'window.__longFrames.splice(0)';

interface LongFrame {
  readonly duration: number;
  readonly script: number;
  readonly render: number;
}

/** In-page: drags the SL line's handle by DY pixels and times mouse-up → the line settled at the new SL. */
const DRAG_SL = `(async () => {
  const handle = document.querySelector('[data-testid^="chart-handle-sl:"]');
  if (handle === null) throw new Error('no SL handle');
  const box = handle.getBoundingClientRect();
  const x = box.left + 20;
  const y = box.top + box.height / 2;
  const at = (type, target, dy) =>
    target.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, button: 0, clientX: x, clientY: y + dy }));
  at('mousedown', handle, 0);
  at('mousemove', window, DY / 2);
  at('mousemove', window, DY);
  const settled = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!handle.classList.contains('held')) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(handle, { attributes: true, attributeFilter: ['class'] });
  });
  const t0 = performance.now();
  at('mouseup', window, DY);
  if (!handle.classList.contains('held')) throw new Error('the drag did not start a modification');
  await settled;
  await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - t0;
})()`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function clickToPosition(): Promise<void> {
  const h = await startDesktop({ tickMs: 0, watchlist: ['EURUSD', 'GBPUSD', 'USDJPY', 'XAUUSD'] });
  try {
    await h.settings({ riskLimits: { maxOpenPositions: 1000 } });
    // Baseline: the same market order sent to main directly, without the page.
    const direct: number[] = [];
    for (let i = 0; i < ORDERS; i += 1) {
      const t0 = performance.now();
      const r = await h.app.dispatcher.invoke(
        'orders:open-market',
        { symbol: 'GBPUSD', side: 'buy', volume: 0.01, requestKey: `bench-direct-${i}` },
        { via: 'bench' },
      );
      direct.push(performance.now() - t0);
      if (!r.ok) throw new Error(`direct order failed: ${JSON.stringify(r)}`);
    }
    await h.page.getByTestId('tab-positions').click();
    const ui: number[] = [];
    for (let i = 0; i < ORDERS; i += 1) {
      // Timed inside the page: from the click to the frame that paints the new position row.
      const elapsed = await h.page.evaluate<number>(CLICK_TO_ROW);
      ui.push(elapsed);
    }
    const sortedUi = [...ui].sort((a, b) => a - b);
    const sortedDirect = [...direct].sort((a, b) => a - b);
    const median = percentile(sortedUi, 50);
    const baseline = percentile(sortedDirect, 50);
    console.log(
      `click → position visible, ${ORDERS} one-click orders through the web host and the simulator:`,
    );
    console.log(
      `  median ${ms(median)}   p95 ${ms(percentile(sortedUi, 95))}   max ${ms(sortedUi.at(-1) ?? Number.NaN)}   target median ≤ 50 ms: ${check('click → position visible, median', ms(median), '≤ 50 ms', median <= 50)}`,
    );
    console.log(
      `  baseline (same order straight to main's dispatcher): median ${ms(baseline)}   p95 ${ms(percentile(sortedDirect, 95))}   UI/baseline ${(median / baseline).toFixed(2)}×`,
    );
  } finally {
    await h.close();
  }
}

async function tickingLongTasks(): Promise<void> {
  const symbols = SYMBOL_CATALOG.slice(0, TICK_SYMBOLS).map((s) => s.name);
  const h = await startDesktop({ tickMs: 0, watchlist: symbols });
  try {
    // The chart in the centre holds 10,000 bars of the first symbol while everything ticks.
    await h.page.getByTestId('chart-bar-count').selectOption('10000');
    await h.page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
    const chartStatus = (await h.page.getByTestId('chart-status').textContent()) ?? '';
    if (!chartStatus.startsWith('10000 bars'))
      throw new Error(`chart did not load 10,000 bars: ${chartStatus}`);
    // The series holds the newest bars and takes older ones on scrolling back (docs/charts.md): say how many.
    const seriesBars = (await h.page.getByTestId('chart-canvas').getAttribute('data-series-bars')) ?? '?';
    const collectTimed = (): Promise<[number, number][]> =>
      h.page.evaluate<[number, number][]>(COLLECT_LONG_TASKS);
    const collect = async (): Promise<number[]> => (await collectTimed()).map(([, duration]) => duration);
    const pageNow = (): Promise<number> => h.page.evaluate<number>('performance.now()');
    const collectFrames = (): Promise<LongFrame[]> => h.page.evaluate<LongFrame[]>(COLLECT_LONG_FRAMES);

    // Baseline: the same screen with still prices.
    await h.page.evaluate(OBSERVE_LONG_TASKS);
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await collect();
    await collectFrames();

    // Main-thread time the renderer spent (script, style, layout, paint), from Chromium's own counters: unlike
    // long tasks, this does not grow when other processes starve the machine.
    const cdp = await h.page.context().newCDPSession(h.page);
    await cdp.send('Performance.enable');
    const taskSeconds = async (): Promise<Record<string, number>> => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
    };
    // CPU time of Chromium's renderer processes: what the page really cost, whatever else the machine runs.
    const browserCdp = await h.browser.newBrowserCDPSession();
    const rendererCpu = async (): Promise<number> => {
      const info = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: { type: string; cpuTime: number }[];
      };
      return info.processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0);
    };
    const cpu0 = await rendererCpu();
    const m0 = await taskSeconds();
    let ticks = 0;
    const off = h.app.events.listen((event, payload) => {
      if (event === 'quotes:tick') ticks += (payload as { quotes: unknown[] }).quotes.length;
    });
    // Drive the feed at exactly 10 quotes a second per symbol: every symbol moves by one point each time (up or
    // down at random), through the simulator, the bridge, main and the web host like any tick. The feed runs
    // through all the runs; each run observes its own 30 s.
    const specs = SYMBOL_CATALOG.slice(0, TICK_SYMBOLS);
    const mids = new Map(specs.map((s) => [s.name, CATALOG_MID_PRICES[s.name] ?? 100]));
    const timer = setInterval(() => {
      for (const spec of specs) {
        const mid = (mids.get(spec.name) ?? 100) + (Math.random() < 0.5 ? -1 : 1) * spec.tickSize;
        mids.set(spec.name, mid);
        const half = ((spec.spreadPoints ?? 10) * spec.point) / 2;
        h.sim.setPrice(
          spec.name,
          normalizePrice(mid - half, spec.tickSize),
          normalizePrice(mid + half, spec.tickSize),
        );
      }
    }, TICK_MS);
    const started = performance.now();
    const instrumentTasks: number[] = [];
    const runs: {
      longTasks: number[];
      frames: LongFrame[];
      wallMs: readonly number[];
      threadMs: readonly number[];
    }[] = [];
    try {
      for (let run = 1; run <= TICK_RUNS; run += 1) {
        await collect();
        await collectFrames();
        // Every main-thread task of the run, not only those over 50 ms (category `toplevel` only: light).
        const beforeTracing = await pageNow();
        await h.browser.startTracing(h.page, { categories: ['toplevel'] });
        const traced = await pageNow();
        await new Promise((r) => setTimeout(r, TICK_SECONDS * 1000));
        const untraced = await pageNow();
        const trace = await h.browser.stopTracing();
        const timed = await collectTimed();
        // The target counts the tasks that began inside the run's 30 s. Starting and stopping the trace are the
        // bench's own instrument: stopping it flushes the renderer's trace buffer, which showed up as one task of
        // 61-65 ms after the 30 s in 2 of 10 idle runs while no traced task passed 28 ms. Those are printed and
        // counted apart, never dropped silently.
        const inRun = timed.filter(([start]) => start >= traced && start < untraced);
        const longTasks = inRun.map(([, duration]) => duration);
        instrumentTasks.push(
          ...timed.filter(([start]) => start < traced || start >= untraced).map(([, duration]) => duration),
        );
        // Where each long task fell.
        const phaseOf = (start: number): string =>
          start < traced
            ? 'while the trace started'
            : start < untraced
              ? 'while traced'
              : 'while the trace stopped';
        for (const [start, duration] of timed.filter(([, d]) => d > 50)) {
          console.log(
            `    long task ${ms(duration)} at +${ms(start - beforeTracing)} of the run, ${phaseOf(start)}`,
          );
        }
        const frames = await collectFrames();
        const tasks = rendererMainTasks(trace.toString('utf8'));
        runs.push({ longTasks, frames, ...tasks });
        const worst = frames.reduce<LongFrame | null>(
          (w, f) => (w === null || f.duration > w.duration ? f : w),
          null,
        );
        console.log(
          `  run ${String(run).padStart(2)}: long tasks > 50 ms ${longTasks.filter((d) => d > 50).length} (longest ${ms(Math.max(0, ...longTasks))})` +
            `   tasks p50 ${ms(percentile(tasks.wallMs, 50))} p99 ${ms(percentile(tasks.wallMs, 99))} max ${ms(tasks.wallMs.at(-1) ?? 0)}` +
            ` (thread time max ${ms(tasks.threadMs.at(-1) ?? 0)})` +
            `   worst frame ${worst === null ? 'none over 50 ms' : `${ms(worst.duration)} (script ${ms(worst.script)}, rendering ${ms(worst.render)})`}` +
            `   load ${loadavg()[0]?.toFixed(1) ?? '?'}`,
        );
      }
    } finally {
      clearInterval(timer);
      off();
    }
    const seconds = (performance.now() - started) / 1000;
    const m1 = await taskSeconds();
    const cpu1 = await rendererCpu();
    const share = (name: string): string =>
      `${((((m1[name] ?? 0) - (m0[name] ?? 0)) / seconds) * 100).toFixed(1)}%`;
    const withLongTask = runs.filter((r) => r.longTasks.some((d) => d > 50)).length;
    const longest = Math.max(0, ...runs.flatMap((r) => r.longTasks));
    const worstFrame = Math.max(0, ...runs.flatMap((r) => r.frames.map((f) => f.duration)));
    const allWall = runs.flatMap((r) => r.wallMs).sort((a, b) => a - b);
    const allThread = runs.flatMap((r) => r.threadMs).sort((a, b) => a - b);
    console.log(
      `${TICK_SYMBOLS} symbols × ${1000 / TICK_MS}/s, ${TICK_RUNS} runs of ${TICK_SECONDS} s, chart of ${symbols[0] ?? '?'} with 10,000 bars: ${Math.round(ticks / seconds)} quotes/s reached the page's host`,
    );
    console.log(
      `  runs with a long task > 50 ms: ${withLongTask} of ${TICK_RUNS}   target none: ${check(`runs of ${TICK_SECONDS} s ticking with a long task > 50 ms`, `${withLongTask} of ${TICK_RUNS}`, `0 of ${TICK_RUNS}`, withLongTask === 0)}`,
    );
    console.log(
      `  longest task ${ms(longest)}   worst frame ${worstFrame === 0 ? 'none over 50 ms' : ms(worstFrame)}   every task: p50 ${ms(percentile(allWall, 50))} p99 ${ms(percentile(allWall, 99))} p99.9 ${ms(percentile(allWall, 99.9))} (thread time p99.9 ${ms(percentile(allThread, 99.9))}, max ${ms(allThread.at(-1) ?? 0)}) over ${allWall.length} tasks`,
    );
    const instrumentLong = instrumentTasks.filter((d) => d > 50);
    console.log(
      `  long tasks > 50 ms while the bench started or stopped its trace (not the page's, not counted): ${instrumentLong.length}${instrumentLong.length > 0 ? ` (longest ${ms(Math.max(...instrumentLong))})` : ''}`,
    );
    console.log(`  the chart's series holds the newest ${seriesBars} of the 10,000 bars loaded`);
    console.log(
      `  baseline (still prices, 3 s): ${idle.length} long tasks (longest ${ms(Math.max(0, ...idle))})`,
    );
    console.log(
      `  renderer CPU ${(((cpu1 - cpu0) / seconds) * 100).toFixed(1)}% of one core (Chromium's process counters)`,
    );
    console.log(
      `  renderer main thread busy ${share('TaskDuration')} of the time (script ${share('ScriptDuration')}, style ${share('RecalcStyleDuration')}, layout ${share('LayoutDuration')})   machine load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${cpus().length} cores`,
    );
  } finally {
    await h.close();
  }
}

async function dragToModify(): Promise<void> {
  const h = await startDesktop({ tickMs: 0, watchlist: ['EURUSD'] });
  const DRAGS = 20;
  try {
    const opened = await h.app.dispatcher.invoke(
      'orders:open-market',
      { symbol: 'EURUSD', side: 'buy', volume: 0.1, sl: { pips: 40 }, requestKey: 'bench-drag' },
      { via: 'bench' },
    );
    if (!opened.ok) throw new Error(`could not open the position: ${JSON.stringify(opened)}`);
    await h.page.locator('[data-testid^="chart-handle-sl:"]').waitFor();
    const times: number[] = [];
    for (let i = 0; i < DRAGS; i += 1) {
      // Down and up in turn, so the SL stays below the market.
      const dy = i % 2 === 0 ? 12 : -10;
      times.push(await h.page.evaluate<number>(DRAG_SL.replaceAll('DY', String(dy))));
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = percentile(sorted, 50);
    console.log(`drag-to-modify, ${DRAGS} drags of an SL line (mouse-up → line settled at the new SL):`);
    console.log(
      `  median ${ms(median)}   p95 ${ms(percentile(sorted, 95))}   max ${ms(sorted.at(-1) ?? Number.NaN)}   target median ≤ 100 ms: ${check('drag-to-modify, mouse-up → new SL shown, median', ms(median), '≤ 100 ms', median <= 100)}`,
    );
  } finally {
    await h.close();
  }
}

function bundleSize(): void {
  const dir = join(ROOT, 'dist', 'renderer', 'assets');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  let raw = 0;
  let gz = 0;
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `renderer JavaScript: ${kb(gz)} gzipped (${kb(raw)} raw, ${files.length} file(s))   target ≤ 300 KB: ${check('renderer JavaScript gzipped', kb(gz), '≤ 300 KB', gz <= 300 * 1024)}   share of budget ${((gz / (300 * 1024)) * 100).toFixed(0)}%`,
  );
}

export async function run(): Promise<void> {
  bundleSize();
  const only = process.env['BENCH_UI_ONLY'];
  if (only === undefined || only === 'orders') await clickToPosition();
  if (only === undefined || only === 'drag') await dragToModify();
  if (only === undefined || only === 'ticks') await tickingLongTasks();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
