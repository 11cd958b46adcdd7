import { describe, expect, it } from 'vitest';
import {
  clockZone,
  describeClock,
  formatUtcOffset,
  parseWallTime,
  serverToUtcMs,
  toDateTimeInputValue,
  utcToServerMs,
  wallTimeAt,
  wallTimeToUtcMs,
  zoneOffsetMs,
  type ClockZone,
} from './clock-model';

const H = 3_600_000;
const server3: ClockZone = { kind: 'server', offsetSec: 3 * 3600 };
const newYork: ClockZone = { kind: 'local', timeZone: 'America/New_York' };
/** 2026-12-03 12:00:00 UTC: New York is on EST (UTC−5). */
const noonUtc = Date.UTC(2026, 11, 3, 12, 0, 0);

describe('server clock ↔ UTC', () => {
  it('subtracts the offset to reach UTC and adds it back', () => {
    expect(serverToUtcMs(noonUtc + 3 * H, 3 * 3600)).toBe(noonUtc);
    expect(utcToServerMs(noonUtc, 3 * 3600)).toBe(noonUtc + 3 * H);
    expect(utcToServerMs(noonUtc, -5 * 3600)).toBe(noonUtc - 5 * H);
    expect(serverToUtcMs(utcToServerMs(noonUtc, 12_345), 12_345)).toBe(noonUtc);
  });
});

describe('wall times', () => {
  it('reads what a datetime-local input gives, and refuses what is not a time', () => {
    expect(parseWallTime('2026-12-03T14:30')).toEqual({
      year: 2026,
      month: 12,
      day: 3,
      hour: 14,
      minute: 30,
      second: 0,
    });
    expect(parseWallTime('2026-12-03 14:30:15')?.second).toBe(15);
    expect(parseWallTime('2026-02-30T10:00')).toBeNull();
    expect(parseWallTime('2026-12-03T24:00')).toBeNull();
    expect(parseWallTime('tomorrow')).toBeNull();
    expect(parseWallTime('')).toBeNull();
  });

  it('shows one instant on the server clock (+3 h) and in New York (−5 h)', () => {
    expect(wallTimeAt(noonUtc, server3)).toMatchObject({ day: 3, hour: 15, minute: 0 });
    expect(wallTimeAt(noonUtc, newYork)).toMatchObject({ day: 3, hour: 7, minute: 0 });
    expect(toDateTimeInputValue(noonUtc, server3)).toBe('2026-12-03T15:00');
    expect(toDateTimeInputValue(noonUtc, newYork)).toBe('2026-12-03T07:00');
  });

  it('turns a typed wall time into the instant it names, on either clock', () => {
    const wall = parseWallTime('2026-12-03T17:00');
    if (wall === null) throw new Error('parse failed');
    // 17:00 on a UTC+3 server clock is 14:00 UTC; 17:00 in New York (EST) is 22:00 UTC.
    expect(wallTimeToUtcMs(wall, server3)).toBe(noonUtc + 2 * H);
    expect(wallTimeToUtcMs(wall, newYork)).toBe(noonUtc + 10 * H);
  });

  it('follows daylight saving in a local zone', () => {
    const summer = Date.UTC(2026, 6, 1, 12);
    expect(zoneOffsetMs(summer, 'America/New_York')).toBe(-4 * H);
    expect(zoneOffsetMs(noonUtc, 'America/New_York')).toBe(-5 * H);
    expect(zoneOffsetMs(noonUtc, 'UTC')).toBe(0);
    // 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 → 03:00): the instant after the gap.
    const skipped = parseWallTime('2026-03-08T02:30');
    if (skipped === null) throw new Error('parse failed');
    const utc = wallTimeToUtcMs(skipped, newYork);
    expect(wallTimeAt(utc, newYork)).toMatchObject({ hour: 3, minute: 30 });
    // 2026-11-01 01:30 happens twice: the first (EDT) one.
    const twice = parseWallTime('2026-11-01T01:30');
    if (twice === null) throw new Error('parse failed');
    expect(wallTimeToUtcMs(twice, newYork)).toBe(Date.UTC(2026, 10, 1, 5, 30));
  });

  it('round-trips every hour of a year through both clocks', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 7 * H) {
      for (const zone of [server3, newYork, { kind: 'server', offsetSec: -(9 * 3600 + 1800) } as const]) {
        const wall = wallTimeAt(t, zone);
        const back = wallTimeToUtcMs(wall, zone);
        // A repeated hour maps back to its first occurrence, one hour earlier at most.
        expect(t - back === 0 || t - back === H).toBe(true);
      }
    }
  });
});

describe('labels', () => {
  it('names the clock and its offset', () => {
    expect(formatUtcOffset(0)).toBe('UTC');
    expect(formatUtcOffset(3 * 3600)).toBe('UTC+3');
    expect(formatUtcOffset(-(5 * 3600 + 1800))).toBe('UTC−5:30');
    expect(describeClock(server3, noonUtc)).toBe('server time (UTC+3)');
    expect(describeClock(newYork, noonUtc)).toBe('local time (UTC−5)');
    expect(clockZone('server', 7200, 'Europe/Paris')).toEqual({ kind: 'server', offsetSec: 7200 });
    expect(clockZone('local', 7200, 'Europe/Paris')).toEqual({ kind: 'local', timeZone: 'Europe/Paris' });
  });
});
