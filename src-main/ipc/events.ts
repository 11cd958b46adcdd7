import type { IpcEvent, IpcEventPayload } from '../../src-core/contracts/ipc';

/** A listener for every event: the Electron glue and the web host forward what they receive. */
export type IpcEventSink = <E extends IpcEvent>(event: E, payload: IpcEventPayload<E>) => void;

/** Main's side of the IPC events: services emit, transports listen. */
export interface IpcEventHub {
  emit<E extends IpcEvent>(event: E, payload: IpcEventPayload<E>): void;
  /** Receives every event; returns the unsubscribe function. */
  listen(sink: IpcEventSink): () => void;
}

/**
 * Builds the hub. A sink that throws (a closed window, a dead socket) is reported and does not stop the
 * others, because one broken viewer must never break the feed of another.
 */
export function createIpcEventHub(onSinkError: (error: unknown) => void = () => undefined): IpcEventHub {
  const sinks = new Set<IpcEventSink>();
  return {
    emit(event, payload) {
      for (const sink of sinks) {
        try {
          sink(event, payload);
        } catch (error) {
          onSinkError(error);
        }
      }
    },
    listen(sink) {
      const own: IpcEventSink = (event, payload) => {
        sink(event, payload);
      };
      sinks.add(own);
      return () => {
        sinks.delete(own);
      };
    },
  };
}
