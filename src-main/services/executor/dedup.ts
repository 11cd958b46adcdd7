import type { JournalEntry } from '../../../src-core/contracts/journal';
import type { ExecutionResult, Operation } from '../../../src-core/contracts/orders';
import type { Clock } from '../../../src-core/clock';
import type { Journal } from '../journal';
import type { Logger } from '../../../src-core/logger';
import type { Base } from './context';

/** A canonical JSON of an input without its request key and origin: equal content, equal key. */
export function stableKey(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([k, v]) => v !== undefined && k !== 'requestKey' && k !== 'origin')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(',')}}`;
}

interface ContentSlot {
  readonly promise: Promise<ExecutionResult>;
  settledAt: number | null;
  readonly hasKey: boolean;
}

/**
 * One order per user action: a request carrying the key of an earlier one (in flight or journalled) answers with
 * that one's result; without a key, the same content while one is in flight or within `windowMs` of its answer
 * does too. Two distinct keys are two orders. Expired content slots are dropped lazily on the next request (no
 * timer), so the window follows the injected clock.
 */
export class Deduplicator {
  readonly #byKey = new Map<string, Promise<ExecutionResult>>();
  readonly #byContent = new Map<string, ContentSlot>();
  readonly #journal: Journal;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #resultOf: (entry: JournalEntry) => ExecutionResult;

  constructor(deps: {
    journal: Journal;
    clock: Clock;
    logger: Logger;
    windowMs: number;
    resultOf: (entry: JournalEntry) => ExecutionResult;
  }) {
    this.#journal = deps.journal;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#windowMs = deps.windowMs;
    this.#resultOf = deps.resultOf;
  }

  /** Runs `start` unless an earlier request answers for this one. */
  run(
    operation: Operation,
    input: unknown,
    base: Base,
    start: () => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> {
    const now = this.#clock.now();
    this.#dropExpired(now);
    // Same request key: the same user action. Answer with the first one's result, in flight or journalled.
    if (base.requestKey !== null) {
      const inFlight = this.#byKey.get(base.requestKey);
      if (inFlight !== undefined) return inFlight.then((r) => ({ ...r, duplicate: true }));
      const earlier = this.#journal.findByRequestKey(base.requestKey);
      if (earlier !== undefined) return Promise.resolve({ ...this.#resultOf(earlier), duplicate: true });
    }
    // Same content shortly after (a double click without a key): one order. Two distinct keys are two orders.
    const contentKey = `${operation}|${stableKey(input)}`;
    const recent = this.#byContent.get(contentKey);
    if (
      recent !== undefined &&
      (base.requestKey === null || !recent.hasKey) &&
      (recent.settledAt === null || now - recent.settledAt < this.#windowMs)
    ) {
      this.#logger.info('duplicate request answered with the earlier result', { operation });
      return recent.promise.then((r) => ({ ...r, duplicate: true }));
    }

    const promise = start();
    const slot: ContentSlot = { promise, settledAt: null, hasKey: base.requestKey !== null };
    this.#byContent.set(contentKey, slot);
    if (base.requestKey !== null) this.#byKey.set(base.requestKey, promise);
    void promise.then(() => {
      slot.settledAt = this.#clock.now();
      if (base.requestKey !== null) this.#byKey.delete(base.requestKey);
    });
    return promise;
  }

  #dropExpired(now: number): void {
    for (const [key, slot] of this.#byContent) {
      if (slot.settledAt !== null && now - slot.settledAt >= this.#windowMs) this.#byContent.delete(key);
    }
  }
}
