/** The one time source of the desktop side (services, bridge, simulator), injectable so tests control time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Timer functions that go with a {@link Clock}: code whose deadlines are measured on an injected clock also waits
 * on its timers, so a test that controls the clock also decides when a deadline passes.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
