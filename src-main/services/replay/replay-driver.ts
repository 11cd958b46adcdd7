import { appError, err, ok, type AppError, type Result } from '../../../src-core/result';
import type { FeedTick } from '../../../src-bridge/simulator/feed';

/** Real milliseconds between two playing frames (about 20 a second, like the renderer's tick batches). */
export const REPLAY_FRAME_MS = 50;
/**
 * A quiet stretch that would take longer than this in real time at the current speed (a weekend, a night without
 * ticks) is skipped: the clock moves to the next tick at once. Ten seconds keeps a 1× replay of M1 bars (15 s
 * between a bar's prices) real-time, and turns a weekend at 100× (29 minutes) into nothing.
 */
export const REPLAY_GAP_SKIP_REAL_MS = 10_000;
/**
 * The most ticks one frame applies. A denser file at a high speed makes the clock fall behind (it waits for its
 * ticks) rather than hold the main process for long.
 */
export const REPLAY_MAX_TICKS_PER_FRAME = 5_000;
/** Ticks a jump applies before it lets other work (IPC, the pipe) run. */
const JUMP_CHUNK = 20_000;
/** Status announcements while playing, at most one per this many real ms. */
const NOTIFY_MS = 200;

/** Options of {@link ReplayDriver}. */
export interface ReplayDriverOptions {
  /** In time order. */
  readonly ticks: readonly FeedTick[];
  /**
   * Applies one tick at its time (the driver's clock already reads it). `isFastForward` during a jump, when the
   * session may hold back what it pushes to the app until {@link ReplayDriverOptions.afterFastForward}.
   */
  readonly apply: (tick: FeedTick, isFastForward: boolean) => void;
  readonly afterFastForward: () => void;
  /** The driver's state changed (throttled while playing). */
  readonly onChange: () => void;
  /** A monotonic real clock, ms (default `performance.now`). */
  readonly realNow?: () => number;
  readonly frameMs?: number;
}

/**
 * Plays ticks on a simulated clock: play and pause, a speed (market ms per real ms), one tick at a time, and
 * forward jumps that apply every tick on the way so stops and pending orders trigger as they would have. It
 * never goes back: trades already made happened at the prices played (docs/replay.md, "Jumping").
 */
export class ReplayDriver {
  readonly #ticks: readonly FeedTick[];
  readonly #options: ReplayDriverOptions;
  readonly #realNow: () => number;
  readonly #frameMs: number;
  #index = 0;
  #timeMs: number;
  #speed = 1;
  #isPlaying = false;
  #isJumping = false;
  #isDisposed = false;
  #timer: NodeJS.Timeout | undefined;
  #lastReal = 0;
  #lastNotify = 0;

  constructor(options: ReplayDriverOptions) {
    const first = options.ticks[0];
    if (first === undefined) throw new Error('ReplayDriver: no ticks');
    this.#ticks = options.ticks;
    this.#options = options;
    this.#realNow = options.realNow ?? (() => performance.now());
    this.#frameMs = options.frameMs ?? REPLAY_FRAME_MS;
    this.#timeMs = first.timeMs;
  }

  /** The replay clock (the trade server's time), ms. */
  get timeMs(): number {
    return this.#timeMs;
  }
  get startMs(): number {
    return this.#ticks[0]?.timeMs ?? 0;
  }
  get endMs(): number {
    return this.#ticks.at(-1)?.timeMs ?? 0;
  }
  get ticksPlayed(): number {
    return this.#index;
  }
  get ticksTotal(): number {
    return this.#ticks.length;
  }
  get speed(): number {
    return this.#speed;
  }
  get state(): 'paused' | 'playing' | 'ended' {
    if (this.#index >= this.#ticks.length) return 'ended';
    return this.#isPlaying ? 'playing' : 'paused';
  }

  play(): void {
    if (this.#isDisposed || this.state === 'ended' || this.#isPlaying) return;
    this.#isPlaying = true;
    this.#lastReal = this.#realNow();
    if (!this.#isJumping) this.#schedule();
    this.#notify(true);
  }

  pause(): void {
    if (!this.#isPlaying) return;
    this.#isPlaying = false;
    this.#cancel();
    this.#notify(true);
  }

  /** Market ms per real ms, from the next frame on. */
  setSpeed(speed: number): void {
    this.#speed = speed;
    this.#notify(true);
  }

  /** Plays the next tick; pauses first when playing. */
  step(): void {
    this.pause();
    const tick = this.#ticks[this.#index];
    if (tick === undefined || this.#isJumping) return;
    this.#index += 1;
    this.#timeMs = Math.max(this.#timeMs, tick.timeMs);
    this.#options.apply(tick, false);
    this.#notify(true);
  }

  /**
   * Moves the clock forward to `timeMs` (at most to the last tick), applying every tick up to it in order. Play
   * carries on afterwards if it was on.
   */
  async jumpTo(timeMs: number): Promise<Result<void, AppError<'REPLAY_BACKWARDS'>>> {
    if (timeMs < this.#timeMs) {
      return err(
        appError(
          'REPLAY_BACKWARDS',
          'A replay only moves forward: the trades made so far happened at the prices already played. Open the ' +
            'file again to start over.',
        ),
      );
    }
    if (this.#isJumping) return ok(undefined);
    this.#isJumping = true;
    this.#cancel();
    try {
      let applied = 0;
      for (let tick = this.#ticks[this.#index]; tick !== undefined && tick.timeMs <= timeMs;) {
        this.#index += 1;
        this.#timeMs = Math.max(this.#timeMs, tick.timeMs);
        this.#options.apply(tick, true);
        applied += 1;
        if (applied % JUMP_CHUNK === 0) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.#isDisposed) return ok(undefined);
        }
        tick = this.#ticks[this.#index];
      }
      this.#timeMs = Math.max(this.#timeMs, Math.min(timeMs, this.endMs));
      this.#options.afterFastForward();
    } finally {
      this.#isJumping = false;
    }
    if (this.state === 'ended') this.#isPlaying = false;
    if (this.#isPlaying) {
      this.#lastReal = this.#realNow();
      this.#schedule();
    }
    this.#notify(true);
    return ok(undefined);
  }

  dispose(): void {
    this.#isDisposed = true;
    this.#isPlaying = false;
    this.#cancel();
  }

  /** One playing frame: the clock advances by the real time elapsed × speed and the ticks due are applied. */
  #frame(): void {
    this.#timer = undefined;
    if (!this.#isPlaying || this.#isDisposed) return;
    const real = this.#realNow();
    let target = this.#timeMs + (real - this.#lastReal) * this.#speed;
    this.#lastReal = real;
    const next = this.#ticks[this.#index];
    if (next !== undefined && (next.timeMs - this.#timeMs) / this.#speed > REPLAY_GAP_SKIP_REAL_MS) {
      target = Math.max(target, next.timeMs);
    }
    let applied = 0;
    for (let tick = this.#ticks[this.#index]; tick !== undefined && tick.timeMs <= target;) {
      if (applied >= REPLAY_MAX_TICKS_PER_FRAME) {
        target = this.#timeMs;
        break;
      }
      this.#index += 1;
      this.#timeMs = Math.max(this.#timeMs, tick.timeMs);
      this.#options.apply(tick, false);
      applied += 1;
      tick = this.#ticks[this.#index];
    }
    // Whole milliseconds: the real clock (`performance.now`) has fractions, and every time the engine stamps
    // (deals, positions) and the protocol carries is an integer; a fraction would make `history_deals` unreadable.
    this.#timeMs = Math.max(this.#timeMs, Math.floor(Math.min(target, this.endMs)));
    if (this.state === 'ended') {
      this.#isPlaying = false;
      this.#notify(true);
      return;
    }
    this.#notify(false);
    this.#schedule();
  }

  #schedule(): void {
    this.#cancel();
    this.#timer = setTimeout(() => {
      this.#frame();
    }, this.#frameMs);
  }

  #cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #notify(isForced: boolean): void {
    const real = this.#realNow();
    if (!isForced && real - this.#lastNotify < NOTIFY_MS) return;
    this.#lastNotify = real;
    this.#options.onChange();
  }
}
