import type { Logger } from '../../src-core/logger';

/** What the refusal log counts: a refusal reason, or an unpaired connection evicted to make room. */
export type RefusalKind = string;

/**
 * Aggregates handshake refusals into one summary line per interval. A local process that connects and fails in
 * a loop would otherwise write one warning per attempt (tens of KiB a second) and rotate the useful log lines
 * away. The first refusal of each interval is logged in full, so "EA found, not paired" is still visible at
 * once; the rest are counted and summarised when the interval ends (nothing is logged for a quiet interval).
 */
export class RefusalLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #counts = new Map<RefusalKind, number>();
  #windowStart = 0;
  #timer: NodeJS.Timeout | undefined;
  #hasDetail = false;

  constructor(logger: Logger, intervalMs: number, now: () => number = Date.now) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Records one refusal; `detail` is logged only when it is the first of its interval. */
  record(kind: RefusalKind, detail: Readonly<Record<string, unknown>> = {}): void {
    if (this.#timer === undefined) {
      this.#windowStart = this.#now();
      this.#timer = setTimeout(() => {
        this.flush();
      }, this.#intervalMs);
      this.#timer.unref();
    }
    if (!this.#hasDetail) {
      this.#hasDetail = true;
      this.#logger.warn('bridge: handshake refused', { reason: kind, ...detail });
      return;
    }
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
  }

  /** Writes the summary of the current interval (if anything beyond its first refusal happened) and resets. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#hasDetail = false;
    if (this.#counts.size === 0) return;
    // One `REASON=n` string rather than an object keyed by reason: log redaction masks keys such as BAD_TOKEN.
    const counts = [...this.#counts].map(([kind, n]) => `${kind}=${n}`).join(' ');
    const total = [...this.#counts.values()].reduce((a, b) => a + b, 0);
    this.#counts = new Map();
    this.#logger.warn('bridge: more handshakes refused', {
      total,
      counts,
      seconds: Math.round((this.#now() - this.#windowStart) / 1000),
    });
  }

  /** Stops the timer, writing what is pending. */
  close(): void {
    this.flush();
  }
}
