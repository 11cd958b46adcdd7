import { useEffect, useState } from 'react';
import { ConnectionStatus, LiveEvent, type SyncedJournalEntry } from './schemas';
import { api } from '../session/session';

/** Parses a server-sent events stream into `data:` payloads (one per event; `event:` names are in the JSON). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<string, void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data !== '') yield data;
      end = buffer.indexOf('\n\n');
    }
  }
}

export interface LiveState {
  readonly status: ConnectionStatus | null;
  /** `connecting` until the stream opens; `unavailable` when the cloud does not offer it (or refused). */
  readonly stream: 'connecting' | 'open' | 'unavailable';
}

/**
 * Live status of one connection over `GET /api/v1/connections/{id}/events` (server-sent events, read with
 * fetch so the bearer token goes in a header, not in the URL). Reconnects with backoff; journal events go to
 * `onJournal`.
 */
export function useLiveConnection(
  connectionId: string,
  onJournal?: (entries: readonly SyncedJournalEntry[]) => void,
): LiveState {
  const [state, setState] = useState<LiveState>({ status: null, stream: 'connecting' });

  useEffect(() => {
    const controller = new AbortController();
    let attempt = 0;
    const run = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        const opened = await api.openStream(
          `/connections/${encodeURIComponent(connectionId)}/events`,
          controller.signal,
        );
        if (opened.ok && opened.value.body !== null) {
          attempt = 0;
          setState((s) => ({ ...s, stream: 'open' }));
          try {
            for await (const data of readEvents(opened.value.body)) {
              const parsed = LiveEvent.safeParse(JSON.parse(data));
              if (!parsed.success) continue;
              const event = parsed.data;
              if (event.type === 'status') setState({ status: event.status, stream: 'open' });
              else onJournal?.(event.entries);
            }
          } catch {
            // stream cut (network, instance restart, abort): fall through to reconnect
          }
        } else if (!opened.ok && (opened.error.status === 404 || opened.error.status === 401)) {
          setState((s) => ({ ...s, stream: 'unavailable' }));
          return;
        }
        // the flag may have flipped while awaiting (TypeScript narrowed it at the loop head)
        if ((controller.signal as { aborted: boolean }).aborted) return;
        setState((s) => ({ ...s, stream: 'connecting' }));
        attempt += 1;
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    };
    void run();
    return () => {
      controller.abort();
    };
  }, [connectionId, onJournal]);

  return state;
}

/** One read of a connection's status, for places that do not need the stream. */
export async function fetchStatus(connectionId: string): Promise<ConnectionStatus | null> {
  const answer = await api.call(
    'GET',
    `/connections/${encodeURIComponent(connectionId)}/status`,
    ConnectionStatus,
  );
  return answer.ok ? answer.value : null;
}
