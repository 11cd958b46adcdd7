import type { Clock, Timers } from '../clock';

interface Due {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock and its timers that move only when the test says: time stands still while the code under test runs, so
 * a deadline passes when the test calls {@link ManualClock.advance} past it, never because the machine was slow.
 */
export class ManualClock implements Clock, Timers {
  #now: number;
  #seq = 0;
  readonly #due = new Map<number, Due>();

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    this.#seq += 1;
    this.#due.set(this.#seq, { at: this.#now + Math.max(0, ms), seq: this.#seq, callback });
    return this.#seq;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#due.delete(handle);
  }

  /** Timers waiting to fire. */
  get pendingCount(): number {
    return this.#due.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, earliest (then oldest) first. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let first: Due | undefined;
      for (const d of this.#due.values()) {
        if (
          d.at <= target &&
          (first === undefined || d.at < first.at || (d.at === first.at && d.seq < first.seq))
        )
          first = d;
      }
      if (first === undefined) break;
      this.#due.delete(first.seq);
      this.#now = first.at;
      first.callback();
    }
    this.#now = target;
  }
}
