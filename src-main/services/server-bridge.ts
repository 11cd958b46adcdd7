import { randomBytes } from 'node:crypto';
import type { BridgeServer } from '../../src-bridge/server/bridge-server';
import type { BridgeRequestError } from '../../src-bridge/server/session';
import type { ParamsOf, RequestType, ResultOf } from '../../src-bridge/protocol/messages';
import type { Result } from '../../src-core/result';
import { err, ok } from '../../src-core/result';
import { Emitter } from '../../src-core/emitter';
import type { Logger } from '../../src-core/logger';
import type { BridgeFailure, TradingBridge } from './trading-bridge';

/** Options of {@link createServerBridge}. */
export interface ServerBridgeOptions {
  /**
   * The session (`login@server`) trading goes to. Default: the most recently opened session, which is what a
   * single-terminal user has.
   */
  readonly activeSession?: () => string | undefined;
  /** Deadline of data requests (spec, quote, account, positions, orders, margin). Default: the protocol's. */
  readonly dataDeadlineMs?: number;
  readonly logger: Logger;
}

function toFailure(e: BridgeRequestError): BridgeFailure {
  switch (e.code) {
    case 'NOT_CONNECTED':
      return { kind: 'not_connected', message: e.message };
    case 'INVALID_REQUEST':
      return { kind: 'not_sent', message: e.message };
    case 'DISCONNECTED':
      return { kind: e.delivered ? 'disconnected' : 'not_sent', message: e.message };
    case 'TIMEOUT':
      return { kind: e.delivered ? 'timeout' : 'not_sent', message: e.message };
    case 'EA_ERROR':
      return e.eaCode === undefined
        ? { kind: 'ea_error', message: e.message }
        : { kind: 'ea_error', message: e.message, eaCode: e.eaCode };
    case 'BAD_RESPONSE':
      return { kind: e.delivered ? 'bad_response' : 'not_sent', message: e.message };
  }
}

/**
 * The executor's {@link TradingBridge} over the pipe server (`src-bridge/server`): a call goes to the session it
 * names (`account`, login@server) or else to the active one, and `onSessionReady` fires whenever any session opens.
 */
export function createServerBridge(
  server: BridgeServer,
  options: ServerBridgeOptions,
): TradingBridge & {
  /** Stops listening to the server's session events. */
  dispose(): void;
} {
  const ready = new Emitter<[string]>((e) => {
    options.logger.error('session-ready listener failed', { error: e });
  });
  const activeKey = (): string | undefined => {
    if (options.activeSession !== undefined) return options.activeSession();
    let newest: { key: string; at: number } | undefined;
    for (const s of server.sessions()) {
      if (s.isOpen && (newest === undefined || s.openedAt >= newest.at))
        newest = { key: s.key, at: s.openedAt };
    }
    return newest?.key;
  };
  // Session ids are unique per server run; the prefix keeps them unique per process even across servers.
  const runId = randomBytes(4).toString('hex');
  const off = server.onSession((event) => {
    // Every account's reconnect matters: entries sent to it are reconciled with it, whichever session is active.
    if (event.kind === 'opened') ready.emit(event.session.key);
  });

  async function call<T extends RequestType>(
    type: T,
    params: ParamsOf<T>,
    deadlineMs?: number,
    account?: string,
  ): Promise<Result<ResultOf<T>, BridgeFailure>> {
    const key = account ?? activeKey();
    if (key === undefined) return err({ kind: 'not_connected', message: 'no terminal session' });
    const deadline = deadlineMs ?? options.dataDeadlineMs;
    const r = await server.request(
      key,
      type,
      params,
      deadline === undefined ? undefined : { deadlineMs: deadline },
    );
    return r.ok ? ok(r.value) : err(toFailure(r.error));
  }

  return {
    isConnected: (account) => {
      const key = account ?? activeKey();
      return key !== undefined && server.session(key)?.isOpen === true;
    },
    activeAccount: activeKey,
    sessionId: (account) => {
      const key = account ?? activeKey();
      const session = key === undefined ? undefined : server.session(key);
      return session?.isOpen === true ? `${runId}/${session.id}` : undefined;
    },
    account: () => call('account', {}),
    symbolSpec: (symbol) => call('symbol_spec', { symbol }),
    quote: (symbol) => call('quote', { symbol }),
    positions: async (symbol, account) => {
      const r = await call('positions', symbol === undefined ? {} : { symbol }, undefined, account);
      return r.ok ? ok(r.value.positions) : r;
    },
    orders: async (symbol, account) => {
      const r = await call('orders', symbol === undefined ? {} : { symbol }, undefined, account);
      return r.ok ? ok(r.value.orders) : r;
    },
    calcMargin: async (params) => {
      const r = await call('calc_margin', params);
      return r.ok ? ok(r.value.margin) : r;
    },
    orderSend: (params, deadlineMs, account) => call('order_send', params, deadlineMs, account),
    lookup: (clOrdId, deadlineMs, lookupOptions) =>
      call(
        'lookup',
        lookupOptions?.sinceMs === undefined ? { clOrdId } : { clOrdId, sinceMs: lookupOptions.sinceMs },
        deadlineMs,
        lookupOptions?.account,
      ),
    onSessionReady: (listener) =>
      ready.on((account) => {
        listener(account);
      }),
    dispose: off,
  };
}
