import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FeedTick } from '../../../src-bridge/simulator/feed';
import { ReplayDriver, REPLAY_FRAME_MS } from './replay-driver';

const T0 = Date.UTC(2024, 0, 2, 10);
/** One EURUSD tick a second for `count` seconds. */
const everySecond = (count: number, from = T0): FeedTick[] =>
  Array.from({ length: count }, (_, i) => ({
    symbol: 'EURUSD',
    bid: 1.1 + i / 100_000,
    ask: 1.1002 + i / 100_000,
    timeMs: from + i * 1000,
  }));

function rig(ticks: readonly FeedTick[]): {
  driver: ReplayDriver;
  applied: { tick: FeedTick; isFastForward: boolean; clock: number }[];
  settled: () => number;
  advance: (ms: number) => void;
} {
  let real = 0;
  let settles = 0;
  const applied: { tick: FeedTick; isFastForward: boolean; clock: number }[] = [];
  const driver: ReplayDriver = new ReplayDriver({
    ticks,
    apply: (tick, isFastForward) => applied.push({ tick, isFastForward, clock: driver.timeMs }),
    afterFastForward: () => (settles += 1),
    onChange: () => undefined,
    realNow: () => real,
  });
  return {
    driver,
    applied,
    settled: () => settles,
    advance: (ms) => {
      for (let done = 0; done < ms; done += REPLAY_FRAME_MS) {
        real += REPLAY_FRAME_MS;
        vi.advanceTimersByTime(REPLAY_FRAME_MS);
      }
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ReplayDriver', () => {
  it('keeps its clock on whole milliseconds when the real clock has fractions', () => {
    vi.useFakeTimers();
    let real = 0.25;
    const clocks: number[] = [];
    const driver: ReplayDriver = new ReplayDriver({
      ticks: everySecond(100),
      apply: () => undefined,
      afterFastForward: () => undefined,
      onChange: () => clocks.push(driver.timeMs),
      realNow: () => real,
    });
    driver.setSpeed(7);
    driver.play();
    for (let i = 0; i < 40; i += 1) {
      real += REPLAY_FRAME_MS + 0.37;
      vi.advanceTimersByTime(REPLAY_FRAME_MS);
    }
    expect(driver.timeMs).toBeGreaterThan(T0 + 10_000);
    expect(clocks.length).toBeGreaterThan(0);
    expect([...clocks, driver.timeMs].every((t) => Number.isInteger(t))).toBe(true);
    driver.dispose();
  });

  it('scales time: at 100× one real second plays 100 s of ticks', () => {
    vi.useFakeTimers();
    const r = rig(everySecond(1000));
    r.driver.setSpeed(100);
    r.driver.play();
    r.advance(1000);
    expect(r.driver.timeMs).toBe(T0 + 100_000);
    // The ticks at 0 … 100 s, each applied on the clock at its own time.
    expect(r.applied).toHaveLength(101);
    expect(r.applied.every((a) => a.clock === a.tick.timeMs && !a.isFastForward)).toBe(true);
    r.driver.setSpeed(10);
    r.advance(1000);
    expect(r.driver.timeMs).toBe(T0 + 110_000);
    r.driver.dispose();
  });

  it('pauses, and steps one tick at a time (pausing first when playing)', () => {
    vi.useFakeTimers();
    const r = rig(everySecond(10));
    r.driver.play();
    r.advance(2000);
    expect(r.driver.state).toBe('playing');
    r.driver.step();
    expect(r.driver.state).toBe('paused');
    const played = r.driver.ticksPlayed;
    r.advance(5000);
    expect(r.driver.ticksPlayed).toBe(played);
    r.driver.step();
    expect(r.driver.ticksPlayed).toBe(played + 1);
    expect(r.driver.timeMs).toBe(r.applied.at(-1)?.tick.timeMs);
  });

  it('skips a quiet stretch longer than ten real seconds (a weekend) instead of waiting it out', () => {
    vi.useFakeTimers();
    const friday = everySecond(3);
    const monday = everySecond(3, T0 + 2 * 86_400_000);
    const r = rig([...friday, ...monday]);
    r.driver.setSpeed(100);
    r.driver.play();
    // First frame: Friday's three ticks; second frame: straight to Monday's first, two days later.
    r.advance(100);
    expect(r.driver.ticksPlayed).toBe(4);
    expect(r.driver.timeMs).toBe(T0 + 2 * 86_400_000);
    r.driver.dispose();
  });

  it('jumps forward through every tick in order, and refuses to go back', async () => {
    const r = rig(everySecond(100_000));
    const done = await r.driver.jumpTo(T0 + 50_000_000);
    expect(done.ok).toBe(true);
    expect(r.driver.ticksPlayed).toBe(50_001);
    expect(r.applied.every((a, i) => a.isFastForward && a.tick.timeMs === T0 + i * 1000)).toBe(true);
    expect(r.settled()).toBe(1);
    const back = await r.driver.jumpTo(T0);
    expect(back.ok ? 'ok' : back.error.code).toBe('REPLAY_BACKWARDS');
    expect(r.driver.timeMs).toBe(T0 + 50_000_000);
  });

  it('ends after the last tick, and a jump past the end stops there', async () => {
    vi.useFakeTimers();
    const r = rig(everySecond(5));
    r.driver.setSpeed(1000);
    r.driver.play();
    r.advance(100);
    expect(r.driver.state).toBe('ended');
    expect(r.driver.timeMs).toBe(T0 + 4000);
    r.driver.play();
    expect(r.driver.state).toBe('ended');
    vi.useRealTimers();
    const later = rig(everySecond(5));
    await later.driver.jumpTo(T0 + 86_400_000);
    expect(later.driver.state).toBe('ended');
    expect(later.driver.timeMs).toBe(T0 + 4000);
  });
});
