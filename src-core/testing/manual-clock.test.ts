import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock';

describe('ManualClock', () => {
  it('fires nothing until moved, then every due timer in time order, at its own time', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 5);
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 50);
    clock.clearTimeout(cancelled);
    expect(fired).toEqual([]);
    clock.advance(20);
    expect(fired).toEqual(['a@1010', 'b@1020']);
    expect(clock.now()).toBe(1_020);
    expect(clock.pendingCount).toBe(1);
  });

  it('fires a timer set by a callback within the same move when it falls due inside it', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.advance(12);
    expect(fired).toEqual([5, 10]);
    expect(clock.now()).toBe(12);
  });
});
