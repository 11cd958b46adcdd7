import { describe, expect, it } from 'vitest';
import { createTickBatcher } from './tick-batcher';

interface T {
  readonly symbol: string;
  readonly bid: number;
}

/** A scheduler the test runs by hand, standing in for animation frames. */
function manualFrames(): { schedule: (f: () => void) => void; run: () => void; readonly queued: number } {
  let callbacks: (() => void)[] = [];
  return {
    schedule: (f) => {
      callbacks.push(f);
    },
    run: () => {
      const now = callbacks;
      callbacks = [];
      for (const f of now) f();
    },
    get queued() {
      return callbacks.length;
    },
  };
}

describe('tick batcher', () => {
  it('applies at most once per frame with the latest tick per symbol', () => {
    const frames = manualFrames();
    const applied: (readonly T[])[] = [];
    const batcher = createTickBatcher<T>((b) => applied.push(b), frames.schedule);
    for (let i = 0; i < 10; i += 1) {
      batcher.push({ symbol: 'EURUSD', bid: 1 + i });
      batcher.push({ symbol: 'USDJPY', bid: 150 + i });
    }
    expect(frames.queued).toBe(1);
    expect(applied).toHaveLength(0);
    frames.run();
    expect(applied).toEqual([
      [
        { symbol: 'EURUSD', bid: 10 },
        { symbol: 'USDJPY', bid: 159 },
      ],
    ]);
  });

  it('schedules a new frame after a flush and nothing when idle', () => {
    const frames = manualFrames();
    const applied: (readonly T[])[] = [];
    const batcher = createTickBatcher<T>((b) => applied.push(b), frames.schedule);
    frames.run();
    expect(applied).toHaveLength(0);
    batcher.push({ symbol: 'EURUSD', bid: 1 });
    frames.run();
    batcher.push({ symbol: 'EURUSD', bid: 2 });
    expect(frames.queued).toBe(1);
    frames.run();
    expect(applied.map((b) => b[0]?.bid)).toEqual([1, 2]);
  });

  it('drops everything once disposed', () => {
    const frames = manualFrames();
    const applied: (readonly T[])[] = [];
    const batcher = createTickBatcher<T>((b) => applied.push(b), frames.schedule);
    batcher.push({ symbol: 'EURUSD', bid: 1 });
    batcher.dispose();
    frames.run();
    batcher.push({ symbol: 'EURUSD', bid: 2 });
    frames.run();
    expect(applied).toHaveLength(0);
  });
});
