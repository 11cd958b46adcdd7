import type { Bar } from '../../src-core/chart/bars';
import { normalizePrice } from '../../src-core/trading/numbers';
import { seededRandom } from './feed';

/**
 * Seeded M1 bars for demos, tests and the backtest benchmark when no exported history is at hand: a random walk
 * with slowly changing drift (so trends exist for a strategy to find), on the FX week (Sunday 22:00 to Friday
 * 22:00 UTC, the clock the bars are stamped with). The same seed gives the same bars.
 */
export function syntheticM1Bars(options: {
  readonly startMs: number;
  readonly endMs: number;
  readonly startPrice: number;
  readonly tickSize: number;
  readonly seed?: number;
  /** Standard deviation of one minute's move as a fraction of the price (default 0.00012, about EURUSD's). */
  readonly volatility?: number;
}): Bar[] {
  const random = seededRandom(options.seed ?? 1);
  const vol = options.volatility ?? 0.00012;
  const bars: Bar[] = [];
  let price = options.startPrice;
  let drift = 0;
  const first = options.startMs - (options.startMs % 60_000);
  for (let t = first; t < options.endMs; t += 60_000) {
    const date = new Date(t);
    const day = date.getUTCDay();
    const hour = date.getUTCHours();
    const isClosed = day === 6 || (day === 5 && hour >= 22) || (day === 0 && hour < 22);
    if (isClosed) continue;
    // Every simulated hour or so the drift changes: trends of hours to days, as markets have.
    if (random() < 1 / 60) drift = (random() - 0.5) * vol * 0.6;
    const path = [price];
    for (let i = 0; i < 3; i += 1) {
      const z = random() + random() + random() - 1.5;
      price = Math.max(price * (1 + drift / 3 + z * vol), options.tickSize * 10);
      path.push(price);
    }
    const [open = price, a = price, b = price, close = price] = path.map((p) =>
      normalizePrice(p, options.tickSize),
    );
    bars.push({
      timeMs: t,
      open,
      high: Math.max(open, a, b, close),
      low: Math.min(open, a, b, close),
      close,
      tickVolume: 1 + Math.floor(random() * 60),
      spread: 0,
    });
  }
  return bars;
}
