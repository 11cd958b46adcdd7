/**
 * A tiny typed event source. A listener that throws does not stop the others: the error goes to `onListenerError`
 * (the services log it) because one broken UI subscriber must never break order handling.
 */
export class Emitter<T> {
  readonly #listeners = new Set<(value: T) => void>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: (value: T) => void): () => void {
    // Wrap so the same function can subscribe twice and unsubscribe each independently.
    const wrapped = (value: T): void => {
      listener(value);
    };
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  emit(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
