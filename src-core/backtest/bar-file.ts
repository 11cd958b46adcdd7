import { appError, err, ok, type AppError, type Result } from '../result';
import type { Bar } from '../chart/bars';

/**
 * Reads M1 (or any) bars for a backtest from either
 * - MT5's own export (Symbols → Bars → Export): tab-separated, a header
 *   `<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>`, dates `2024.01.02` and times
 *   `13:05:00` on the trade server's clock; or
 * - Pipdesk's replay CSV: `time,symbol,open,high,low,close` with time in ms or ISO (rows of other symbols skipped).
 * Times are kept on the server clock, as ms; MT5's <SPREAD> (points) is kept per bar, 0 where absent. See docs/backtest.md, "Data files".
 */
export function parseBarFile(text: string, symbol: string): Result<Bar[], AppError<'BAD_REPLAY'>> {
  const lines = text.split(/\r?\n/);
  const header = lines[0] ?? '';
  const isMt5 = header.includes('<DATE>');
  const bars: Bar[] = [];
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    // Blank lines, comments, MT5's <DATE> header and a CSV header (`time,symbol,…`) carry no bar.
    if (line === '' || line.startsWith('#') || line.startsWith('<') || /^[a-z]/i.test(line)) continue;
    const bad = (why: string) => err(appError('BAD_REPLAY', `line ${String(index + 1)}: ${why}`));
    let timeMs: number | undefined;
    let prices: number[];
    let volume = 0;
    let spread = 0;
    if (isMt5) {
      const cells = line.split('\t');
      timeMs = mt5Time(cells[0] ?? '', cells[1] ?? '');
      prices = cells.slice(2, 6).map(Number);
      volume = Number(cells[6] ?? 0);
      spread = Number(cells[8] ?? 0);
    } else {
      const cells = line.split(',').map((c) => c.trim());
      if (cells[1] !== symbol) continue;
      timeMs = /^\d+$/.test(cells[0] ?? '') ? Number(cells[0]) : Date.parse(cells[0] ?? '');
      prices = cells.slice(2, 6).map(Number);
    }
    if (timeMs === undefined || !Number.isFinite(timeMs)) return bad('the time is not a date');
    const [open = NaN, high = NaN, low = NaN, close = NaN] = prices;
    if (prices.length !== 4 || ![open, high, low, close].every((p) => Number.isFinite(p) && p > 0)) {
      return bad('open, high, low and close must be positive numbers');
    }
    if (high < Math.max(open, close, low) || low > Math.min(open, close))
      return bad('high/low do not bound the bar');
    const previous = bars.at(-1);
    if (previous !== undefined && timeMs <= previous.timeMs) return bad('bars must be in time order');
    bars.push({
      timeMs,
      open,
      high,
      low,
      close,
      tickVolume: Number.isInteger(volume) && volume >= 0 ? volume : 0,
      spread: Number.isInteger(spread) && spread >= 0 ? spread : 0,
    });
  }
  if (bars.length === 0) return err(appError('BAD_REPLAY', `no bars of ${symbol} in the file`));
  return ok(bars);
}

function mt5Time(date: string, time: string): number | undefined {
  const d = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (d === null || t === null) return undefined;
  const ms = Date.UTC(
    Number(d[1]),
    Number(d[2]) - 1,
    Number(d[3]),
    Number(t[1]),
    Number(t[2]),
    Number(t[3] ?? 0),
  );
  return Number.isNaN(ms) ? undefined : ms;
}
