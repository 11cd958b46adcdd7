/**
 * The one typed event source of the desktop side: `on` returns the unsubscribe function, `emit` passes its
 * arguments (`Emitter<[Tick, Session]>`) to every listener. A listener that throws does not stop the others: the
 * error goes to `onListenerError` (the services and the bridge log it), because one broken subscriber must never
 * break order handling or the pipe.
 */
export class Emitter<A extends unknown[]> {
  readonly #listeners = new Set<(...args: A) => void>();
  readonly #onListenerError: (error: unknown) => void;

  /** `onListenerError` receives what a listener threw. */
  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; call the returned function to remove it. */
  on(listener: (...args: A) => void): () => void {
    // Wrap so the same function may be subscribed twice and removed independently.
    const entry = (...args: A): void => {
      listener(...args);
    };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Calls every listener with `args`. */
  emit(...args: A): void {
    for (const listener of this.#listeners) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  /** Number of listeners. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
