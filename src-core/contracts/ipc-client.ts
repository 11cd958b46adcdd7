import type { Result } from '../result';
import type {
  IpcChannel,
  IpcEvent,
  IpcEventPayload,
  IpcRequestInput,
  IpcResponse,
  IpcTransport,
  IpcValue,
} from './ipc';

/** Channels whose request has no required field may be invoked without one. */
type RequestArgs<K extends IpcChannel> =
  Record<string, never> extends IpcRequestInput<K>
    ? [request?: IpcRequestInput<K>]
    : [request: IpcRequestInput<K>];

/** The one typed client of the IPC API, whatever the transport. */
export interface IpcClient {
  /** Calls a channel. Never rejects: a transport failure becomes `{ ok: false, error: { code: 'TRANSPORT' } }`. */
  invoke<K extends IpcChannel>(channel: K, ...args: RequestArgs<K>): Promise<IpcResponse<K>>;
  /** Listens to an event; returns the unsubscribe function. */
  on<E extends IpcEvent>(event: E, listener: (payload: IpcEventPayload<E>) => void): () => void;
}

/**
 * Builds the typed client over a transport. Answers are not re-validated: main is trusted and validated the
 * request at its boundary: data is validated once, where it enters from something untrusted.
 */
export function createIpcClient(transport: IpcTransport): IpcClient {
  return {
    async invoke<K extends IpcChannel>(channel: K, ...args: RequestArgs<K>): Promise<IpcResponse<K>> {
      try {
        const raw = await transport.invoke(channel, args[0] ?? {});
        return raw as Result<IpcValue<K>>;
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        return { ok: false, error: { code: 'TRANSPORT', message: `The app did not answer: ${message}` } };
      }
    },
    on<E extends IpcEvent>(event: E, listener: (payload: IpcEventPayload<E>) => void): () => void {
      return transport.subscribe(event, (payload) => {
        listener(payload as IpcEventPayload<E>);
      });
    },
  };
}
