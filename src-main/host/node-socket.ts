import { WebSocket } from 'ws';
import type { SocketLike } from '../../src-core/contracts/ipc-web-transport';

/**
 * Opens a `ws` socket shaped as the transport's {@link SocketLike}, so Node (tests, benchmarks, tools) talks to
 * the web host through exactly the transport the page uses. `origin` is sent as a browser would.
 */
export function connectNodeSocket(url: string, origin?: string): SocketLike {
  const ws = new WebSocket(url, origin === undefined ? {} : { origin });
  const like: SocketLike = {
    send: (data) => {
      ws.send(data);
    },
    close: (code, reason) => {
      ws.close(code, reason);
    },
    onopen: null,
    onmessage: null,
    onclose: null,
  };
  ws.on('open', () => like.onopen?.());
  ws.on('message', (data: Buffer) => like.onmessage?.(data.toString('utf8')));
  ws.on('close', (code, reason) => like.onclose?.(code, reason.toString('utf8')));
  // A refused upgrade (403/421) surfaces as an error followed by close(1006); the close is what callers see.
  ws.on('error', () => undefined);
  return like;
}
