import { serverToUtcMs, utcToServerMs } from '../../src-core/time/clock-model';
import type { AppState } from './app-store';
import { selectServerOffsetSec } from './use-app';

/**
 * The active session's clock (docs/clock-model.md, docs/replay.md). A terminal's and the paper account's trade
 * server runs on the wall clock (at its offset from UTC); a replay's runs on its own clock, years in the past
 * and moving at the replay's speed. "Now" for "today", "this week", "this session", the status bar's clock and a
 * position shown before main's list comes is read here, so a replay's deals and positions fall in its own days.
 */

type ClockState = Pick<AppState, 'bridge' | 'replay' | 'account'>;

/** The replay clock (server ms) while a replay is the active account and has a clock; otherwise null. */
export function selectReplayServerMs(s: ClockState): number | null {
  if (s.bridge?.state !== 'replay' || s.replay === null || s.replay.state === 'closed') return null;
  return s.replay.timeMs;
}

/** The instant (UTC ms) it is now on the active session's clock; `wallUtcMs` is the computer's clock. */
export function sessionNowUtcMs(s: ClockState, wallUtcMs: number): number {
  const replayMs = selectReplayServerMs(s);
  return replayMs === null ? wallUtcMs : serverToUtcMs(replayMs, selectServerOffsetSec(s));
}

/** The active session's server-clock time now (what MT5 stamps a deal or position opened now with). */
export function sessionServerNowMs(s: ClockState, wallUtcMs: number): number {
  return utcToServerMs(sessionNowUtcMs(s, wallUtcMs), selectServerOffsetSec(s));
}

/**
 * The replay clock as an instant, to the minute, while a replay is active; else null. A selector for screens that
 * only need the day (History, Report, the day's P/L): the replay moves many minutes a second at high speeds, but
 * a whole-minute value re-renders them at most as often as the replay reports (a few times a second).
 */
export function selectReplayMinuteUtcMs(s: ClockState): number | null {
  const replayMs = selectReplayServerMs(s);
  if (replayMs === null) return null;
  const utc = serverToUtcMs(replayMs, selectServerOffsetSec(s));
  return Math.floor(utc / 60_000) * 60_000;
}

/**
 * When the active session began (UTC ms), for "this session": a replay's when it was opened (its first tick, on
 * its clock, where it starts paused), any other session's when it connected; null without one.
 */
export function sessionStartUtcMs(s: ClockState): number | null {
  const bridge = s.bridge;
  const active = bridge?.sessions.find((x) => x.id === bridge.activeSessionId);
  if (active === undefined) return null;
  const replayStart = s.replay === null || s.replay.state === 'closed' ? null : s.replay.startMs;
  if (bridge?.state === 'replay' && replayStart !== null) {
    return serverToUtcMs(replayStart, selectServerOffsetSec(s));
  }
  return active.connectedAtMs;
}
