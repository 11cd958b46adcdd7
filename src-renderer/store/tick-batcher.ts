/**
 * Collects ticks between frames and hands over the latest tick per symbol once per frame. Thirty symbols at ten
 * ticks a second would otherwise mean 300 store updates a second; with the batcher there is at most one update
 * per animation frame, and a symbol that ticked three times in a frame is applied once with its last price.
 */

/** Schedules one call before the next paint; `requestAnimationFrame` in the browser, a timer in tests. */
export type FrameScheduler = (callback: () => void) => void;

export interface TickBatcher<T extends { readonly symbol: string }> {
  /** Queues a tick; the latest one per symbol wins. */
  push(tick: T): void;
  /** Applies what is queued now (tests, and before a read that must see the newest price). */
  flush(): void;
  /** Stops scheduling; queued ticks are dropped. */
  dispose(): void;
}

export function createTickBatcher<T extends { readonly symbol: string }>(
  apply: (ticks: readonly T[]) => void,
  schedule: FrameScheduler,
): TickBatcher<T> {
  // One map for the life of the batcher, emptied after each frame: a tick costs no allocation of its own here.
  const pending = new Map<string, T>();
  let isScheduled = false;
  let isDisposed = false;

  const flush = (): void => {
    isScheduled = false;
    if (pending.size === 0) return;
    const batch = Array.from(pending.values());
    pending.clear();
    apply(batch);
  };

  return {
    push(tick) {
      if (isDisposed) return;
      pending.set(tick.symbol, tick);
      if (!isScheduled) {
        isScheduled = true;
        schedule(() => {
          if (!isDisposed) flush();
        });
      }
    },
    flush,
    dispose() {
      isDisposed = true;
      pending.clear();
    },
  };
}

/** The browser's frame scheduler; falls back to a 16 ms timer where frames do not run (a hidden tab). */
export const animationFrameScheduler: FrameScheduler = (callback) => {
  if (typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden') {
    requestAnimationFrame(() => {
      callback();
    });
  } else {
    setTimeout(callback, 16);
  }
};
