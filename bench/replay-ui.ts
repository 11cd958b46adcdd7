// bench/replay-ui: the replay screen at speed, measured in Chromium against the real main side (docs/replay.md).
// A Pipdesk tick file of 30 symbols (one tick a second each, a seeded random walk) is opened from the status bar
// and played at 100× for 30 s: 100 s of market a second, 3,000 ticks a second through the replay terminal, the
// pipe, main and the web host, with the chart on M1 forming a bar every 0.6 s. Target: no renderer long task over
// 50 ms. Beside it: the same screen paused (baseline), the replay's own pace (market seconds per real second) and
// the renderer's CPU. Run alone: `npm run bench -- replay-ui --report-only` (build the renderer first).
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ReplayStatus } from '../src-core/contracts/ipc-replay';
import { CATALOG_MID_PRICES, SYMBOL_CATALOG } from '../src-core/trading/catalog';
import { normalizePrice } from '../src-core/trading/numbers';
import { seededRandom } from '../src-bridge/simulator/feed';
import { startDesktop } from '../e2e/desktop/harness';
import { check, note } from './_targets';

const SYMBOLS = 30;
const SPEED = 100;
const PLAY_SECONDS = 30;
const FILE = 'bench-30-symbols.csv';
const T0 = Date.UTC(2024, 0, 2, 8);

const OBSERVE_LONG_TASKS = `(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: false });
})()`;
const COLLECT_LONG_TASKS = 'window.__longTasks.splice(0)';

/** A tick a second per symbol for long enough to outlast the run (with a margin), random walk around the mids. */
function tickFile(): string {
  const specs = SYMBOL_CATALOG.slice(0, SYMBOLS);
  const random = seededRandom(7);
  const mids = new Map(specs.map((s) => [s.name, CATALOG_MID_PRICES[s.name] ?? 100]));
  const lines = ['time,symbol,bid,ask'];
  const seconds = SPEED * PLAY_SECONDS * 1.5;
  for (let t = 0; t < seconds; t += 1) {
    for (const spec of specs) {
      const mid = (mids.get(spec.name) ?? 100) + (random() < 0.5 ? -1 : 1) * spec.tickSize * 3;
      mids.set(spec.name, mid);
      const half = ((spec.spreadPoints ?? 10) * spec.point) / 2;
      const bid = normalizePrice(mid - half, spec.tickSize);
      const ask = normalizePrice(mid + half, spec.tickSize);
      lines.push(`${String(T0 + t * 1000)},${spec.name},${String(bid)},${String(ask)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function run(): Promise<void> {
  const h = await startDesktop({ tickMs: 0, watchlist: ['EURUSD'] });
  try {
    const list = await h.app.dispatcher.invoke('replay:list-files', {}, { via: 'bench' });
    if (!list.ok) throw new Error(list.error.message);
    const folder = (list.value as { folders: { folder: string; path: string }[] }).folders.find(
      (f) => f.folder === 'replays',
    );
    if (folder === undefined) throw new Error('no replays folder');
    await writeFile(join(folder.path, FILE), tickFile());
    const { page } = h;
    await page.getByTestId('replay-open').click();
    await page.getByTestId(`replay-file-${FILE}`).click();
    await page.locator('[data-testid="bridge-state"][data-state="replay"]').waitFor();
    await page
      .locator('[data-testid^="buy-"]')
      .nth(SYMBOLS - 1)
      .waitFor();
    await page.getByTestId('chart-tf-M1').click();
    await page.locator('[data-testid="chart-status"][data-state="ready"]').waitFor();
    await page.getByTestId('replay-speed').selectOption(String(SPEED));

    await page.evaluate(OBSERVE_LONG_TASKS);
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await page.evaluate<number[]>(COLLECT_LONG_TASKS);

    const browserCdp = await h.browser.newBrowserCDPSession();
    const rendererCpu = async (): Promise<number> => {
      const info = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: { type: string; cpuTime: number }[];
      };
      return info.processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0);
    };
    let quotes = 0;
    const off = h.app.events.listen((event, payload) => {
      if (event === 'quotes:tick') quotes += (payload as { quotes: unknown[] }).quotes.length;
    });
    const status = async (): Promise<ReplayStatus> => {
      const r = await h.app.dispatcher.invoke('replay:get-status', {}, { via: 'bench' });
      if (!r.ok) throw new Error(r.error.message);
      return r.value as ReplayStatus;
    };
    const before = await status();
    const cpu0 = await rendererCpu();
    const started = performance.now();
    await page.getByTestId('replay-play').click();
    await new Promise((r) => setTimeout(r, PLAY_SECONDS * 1000));
    await page.getByTestId('replay-play').click();
    const seconds = (performance.now() - started) / 1000;
    const cpu1 = await rendererCpu();
    off();
    const after = await status();
    const busy = await page.evaluate<number[]>(COLLECT_LONG_TASKS);
    const over = busy.filter((d) => d > 50);
    const pace = ((after.timeMs ?? 0) - (before.timeMs ?? 0)) / 1000 / seconds;
    const ticks = after.ticksPlayed - before.ticksPlayed;
    const ms = (n: number): string => `${n.toFixed(1)} ms`;
    console.log(
      `replay of ${String(SYMBOLS)} symbols at ${String(SPEED)}× for ${seconds.toFixed(1)} s, chart on M1: ` +
        `${Math.round(ticks / seconds)} ticks/s played, ${Math.round(quotes / seconds)} quotes/s reached the page's host`,
    );
    console.log(
      `  long tasks > 50 ms: ${String(over.length)} (longest ${ms(Math.max(0, ...busy))})   target none: ${check(`replay UI at ${String(SPEED)}× with ${String(SYMBOLS)} symbols, long tasks > 50 ms`, String(over.length), 'none', over.length === 0)}`,
    );
    console.log(
      `  pace ${pace.toFixed(1)} market s per real s (asked ${String(SPEED)})   baseline (paused, 3 s): ${String(idle.length)} long tasks (longest ${ms(Math.max(0, ...idle))})`,
    );
    console.log(
      `  renderer CPU ${(((cpu1 - cpu0) / seconds) * 100).toFixed(1)}% of one core   machine load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${String(cpus().length)} cores`,
    );
    note(`replay-ui: ${String(SYMBOLS)} symbols × 1 tick per market second, played at ${String(SPEED)}×`);
  } finally {
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
