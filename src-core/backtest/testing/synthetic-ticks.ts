import type { ReplayTick } from '../tick-file';

/** A seeded uniform [0, 1) generator (mulberry32), so a test's file is the same in every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A tick file for tests and the benchmark: `count` ticks of a 5-digit FX symbol, a random walk of about a point per
 * tick, 50–1,000 ms apart, with a spread of 8–20 points. As `mt5` it is MT5's tick export (tabs, `<DATE>` header,
 * CRLF, ms times), where about one row in four changes only the bid and leaves ASK empty, as the terminal writes
 * it; as `csv` it is Pipdesk's `time,symbol,bid,ask`. `ticks` are what a reader must make of it.
 */
export function syntheticTickFile(options: {
  readonly format: 'mt5' | 'csv';
  readonly count: number;
  readonly startMs: number;
  readonly symbol?: string;
  readonly startPrice?: number;
  readonly seed?: number;
}): { readonly text: string; readonly ticks: ReplayTick[] } {
  const random = seeded(options.seed ?? 1);
  const symbol = options.symbol ?? 'EURUSD';
  const lines: string[] = [
    options.format === 'mt5'
      ? '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>'
      : 'time,symbol,bid,ask',
  ];
  const ticks: ReplayTick[] = [];
  let points = Math.round((options.startPrice ?? 1.1) * 100_000);
  let askPoints = points + 12;
  let timeMs = options.startMs;
  for (let i = 0; i < options.count; i += 1) {
    timeMs += 50 + Math.floor(random() * 950);
    points += Math.floor(random() * 3) - 1;
    // Only the bid moves on some rows, and only while it stays under the ask: MT5 leaves ASK empty there.
    const isBidOnly = options.format === 'mt5' && random() < 0.25 && points + 8 <= askPoints && i > 0;
    if (!isBidOnly) askPoints = points + 8 + Math.floor(random() * 13);
    const bid = (points / 100_000).toFixed(5);
    const ask = (askPoints / 100_000).toFixed(5);
    if (options.format === 'mt5') {
      const d = new Date(timeMs);
      const date = `${String(d.getUTCFullYear())}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
      const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
      lines.push(isBidOnly ? `${date}\t${time}\t${bid}\t\t\t\t2` : `${date}\t${time}\t${bid}\t${ask}\t\t\t6`);
    } else {
      lines.push(`${String(timeMs)},${symbol},${bid},${ask}`);
    }
    ticks.push({ symbol, bid: Number(bid), ask: Number(ask), timeMs });
  }
  return { text: `${lines.join(options.format === 'mt5' ? '\r\n' : '\n')}\n`, ticks };
}
