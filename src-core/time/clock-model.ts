import { z } from 'zod';

/**
 * Pipdesk's one clock model (docs/clock-model.md).
 *
 * MT5 stamps everything it reports (deal and position times, order setup and expiration, tick times) on the trade
 * server's clock, which is usually not UTC (many brokers run UTC+2/UTC+3 so that a trading day ends at 17:00 New
 * York). The EA reports `timeOffsetSec` = TimeTradeServer() − TimeGMT() in its hello and account events, so:
 *
 *   utcMs = serverMs − timeOffsetSec × 1000        serverMs = utcMs + timeOffsetSec × 1000
 *
 * Pipdesk's own times (journal rows, notices) are UTC milliseconds. The trader chooses whether times are shown on
 * the server's clock (as MT5 shows them) or on the computer's local clock; every time on screen says which.
 */

/** Which clock the trader wants times shown (and typed) in. */
export const TimeDisplay = z.enum(['server', 'local']);
export type TimeDisplay = z.infer<typeof TimeDisplay>;

/** Largest offset the protocol allows, seconds (one day either way). */
export const MAX_TIME_OFFSET_SEC = 86_400;

/** The trade server's offset from UTC in seconds, as the protocol sends it. */
export const TimeOffsetSec = z.number().int().min(-MAX_TIME_OFFSET_SEC).max(MAX_TIME_OFFSET_SEC);
export type TimeOffsetSec = z.infer<typeof TimeOffsetSec>;

/** A server-clock time (ms since 1970 as the trade server counts it) to UTC ms. */
export function serverToUtcMs(serverMs: number, offsetSec: number): number {
  return serverMs - offsetSec * 1000;
}

/** A UTC time (ms) to the trade server's clock, as the protocol expects times it is sent (expirations). */
export function utcToServerMs(utcMs: number, offsetSec: number): number {
  return utcMs + offsetSec * 1000;
}

/**
 * The clock times are shown in: the trade server's (a fixed offset from UTC) or the trader's local one (an IANA
 * zone, so that daylight saving is followed; the renderer passes the browser's own zone).
 */
export type ClockZone =
  | { readonly kind: 'server'; readonly offsetSec: number }
  | { readonly kind: 'local'; readonly timeZone: string };

/** The zone for a display choice. */
export function clockZone(display: TimeDisplay, offsetSec: number, localTimeZone: string): ClockZone {
  return display === 'server' ? { kind: 'server', offsetSec } : { kind: 'local', timeZone: localTimeZone };
}

/** A wall-clock reading: what a clock on the wall shows, with no zone attached. `month` is 1–12. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const WALL_TIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Reads `YYYY-MM-DDTHH:mm[:ss]` (what an `<input type="datetime-local">` gives) as a wall time; null when the text
 * is not one or names a day that does not exist (2026-02-30).
 */
export function parseWallTime(text: string): WallTime | null {
  const m = WALL_TIME_TEXT.exec(text.trim());
  if (m === null) return null;
  const num = (i: number): number => Number(m[i] ?? '0');
  const wall: WallTime = {
    year: num(1),
    month: num(2),
    day: num(3),
    hour: num(4),
    minute: num(5),
    second: num(6),
  };
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  // Date.UTC rolls 02-30 over to 03-02; a round trip that changes the day means the day does not exist.
  const back = new Date(utcOfWall(wall));
  return back.getUTCMonth() + 1 === wall.month && back.getUTCDate() === wall.day ? wall : null;
}

/** The wall time read as if it were UTC. */
function utcOfWall(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

function wallOfUtc(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormats.set(timeZone, f);
  }
  return f;
}

/** Offset of an IANA zone from UTC at `utcMs`, in ms (New York in winter: −5 h). */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = zoneFormat(timeZone).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour') % 24,
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** What a clock in `zone` shows at the UTC instant `utcMs`. */
export function wallTimeAt(utcMs: number, zone: ClockZone): WallTime {
  const shift = zone.kind === 'server' ? zone.offsetSec * 1000 : zoneOffsetMs(utcMs, zone.timeZone);
  return wallOfUtc(utcMs + shift);
}

/**
 * The UTC instant at which a clock in `zone` shows `wall`. In a local zone, a time skipped by a daylight-saving
 * change resolves to the instant after the gap and a repeated time to its first occurrence, as browsers do.
 */
export function wallTimeToUtcMs(wall: WallTime, zone: ClockZone): number {
  const asUtc = utcOfWall(wall);
  if (zone.kind === 'server') return asUtc - zone.offsetSec * 1000;
  // Two passes: the offset at a first guess, then at the instant that guess gives (crosses a DST change right).
  const first = asUtc - zoneOffsetMs(asUtc, zone.timeZone);
  const second = asUtc - zoneOffsetMs(first, zone.timeZone);
  if (second === first) return first;
  const earlier = Math.min(first, second);
  return utcOfWall(wallTimeAt(earlier, zone)) === asUtc ? earlier : Math.max(first, second);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a wall time. */
export function formatWallDate(w: WallTime): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `HH:mm:ss` (or `HH:mm`) of a wall time. */
export function formatWallClock(w: WallTime, hasSeconds = true): string {
  const hm = `${pad(w.hour)}:${pad(w.minute)}`;
  return hasSeconds ? `${hm}:${pad(w.second)}` : hm;
}

/** The value an `<input type="datetime-local">` takes for a UTC instant shown in `zone` (minute precision). */
export function toDateTimeInputValue(utcMs: number, zone: ClockZone): string {
  const w = wallTimeAt(utcMs, zone);
  return `${formatWallDate(w)}T${formatWallClock(w, false)}`;
}

/** `UTC+3`, `UTC−5:30`, `UTC` for an offset in seconds. */
export function formatUtcOffset(offsetSec: number): string {
  if (offsetSec === 0) return 'UTC';
  const sign = offsetSec > 0 ? '+' : '−';
  const abs = Math.abs(offsetSec);
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  return `UTC${sign}${hours}${minutes === 0 ? '' : `:${pad(minutes)}`}`;
}

/** The short label every shown time carries: "server" or "local". */
export function clockName(zone: ClockZone): 'server' | 'local' {
  return zone.kind;
}

/** The longer label, with the offset now: "server time (UTC+3)", "local time (UTC−5)". */
export function describeClock(zone: ClockZone, atUtcMs: number): string {
  const offsetSec =
    zone.kind === 'server' ? zone.offsetSec : Math.round(zoneOffsetMs(atUtcMs, zone.timeZone) / 1000);
  return `${zone.kind} time (${formatUtcOffset(offsetSec)})`;
}
