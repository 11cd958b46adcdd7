import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { eventsOf, parseEnvelope, type Envelope } from '../../src-core/observability/testing/envelope';

/**
 * A stand-in for Sentry's ingest: a real HTTP server on 127.0.0.1 whose DSN the SDK posts envelopes to. It keeps
 * every request body as raw text (to search for secrets byte for byte) and parsed (to read the events).
 */
export interface SentryReceiver {
  readonly dsn: string;
  /** Every request body, decompressed, as it arrived. */
  readonly raw: string[];
  readonly envelopes: Envelope[];
  /** Resolves once `count` error events have arrived. */
  waitForEvents(count: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const raw: string[] = [];
  const envelopes: Envelope[] = [];
  const waiters: { count: number; resolve: (events: Record<string, unknown>[]) => void }[] = [];
  const settle = (): void => {
    const events = eventsOf(envelopes);
    for (const waiter of waiters.splice(0)) {
      if (events.length >= waiter.count) waiter.resolve(events);
      else waiters.push(waiter);
    }
  };
  const server = createServer((request, response) => {
    if (request.method !== 'POST') {
      response
        .writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
        })
        .end();
      return;
    }
    void bodyOf(request).then((text) => {
      raw.push(text);
      envelopes.push(parseEnvelope(text));
      // The renderer posts from another origin: let it read the answer, as Sentry's ingest does.
      response
        .writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
        .end('{}');
      settle();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    raw,
    envelopes,
    waitForEvents: (count) =>
      new Promise((resolve) => {
        waiters.push({ count, resolve });
        settle();
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
      }),
  };
}
