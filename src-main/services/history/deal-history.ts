import type { z } from 'zod';
import { Deal, dealEntryOf, dealKindOf, dealReasonOf } from '../../../src-core/history/deal';
import {
  MAX_HISTORY_DEALS,
  type DesktopNotice,
  type historyIpcChannels,
} from '../../../src-core/contracts/ipc-history';
import { appError, err, ok, type Result } from '../../../src-core/result';
import type { Logger } from '../../../src-core/logger';
import type { Clock } from '../../../src-core/clock';
import type { WireDeal } from '../../../src-bridge/protocol/messages';
import type { BridgeServer } from '../../../src-bridge/server/bridge-server';
import type { BridgeRequestError } from '../../../src-bridge/server/session';

/** The latest server-clock time a "since" query asks up to (2100-01-01). */
const FAR_FUTURE_MS = 4_102_444_800_000;
/**
 * How far back a new-deal lookup reaches on the server clock. A DEAL_ADD transaction arrives within a second of
 * its deal; the margin covers a terminal whose clock report is a little off.
 */
const LOOKBACK_MS = 15 * 60_000;
/** Lookups after which a deal announced by a transaction but never found is given up (and logged). */
const MAX_ATTEMPTS = 3;

/** A wire deal with its MT5 enums named; null for an entry value MT5 does not define (logged, skipped). */
export function toDeal(w: WireDeal): Deal | null {
  const entry = dealEntryOf(w.entry);
  if (entry === null) return null;
  const deal = {
    ticket: w.ticket,
    order: w.order,
    positionId: w.positionId,
    symbol: w.symbol,
    kind: dealKindOf(w.type),
    entry,
    reason: dealReasonOf(w.reason),
    volume: w.volume,
    price: w.price,
    profit: w.profit,
    swap: w.swap,
    commission: w.commission,
    magic: w.magic,
    comment: w.comment,
    timeMs: w.timeMsc,
  };
  // The wire schema already bounds these; the app-side one bounds money and times tighter (Deal in src-core).
  return Deal.safeParse(deal).success ? deal : null;
}

/** Options of {@link createDealHistory}. */
export interface DealHistoryOptions {
  readonly server: Pick<BridgeServer, 'request' | 'session' | 'onTradeChange'>;
  /** The session history requests go to (the market port's active one). */
  readonly activeKey: () => string | undefined;
  /** Receives new deals of the active terminal, each once. */
  readonly onDeals: (deals: readonly Deal[]) => void;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * A session's own "now" on its server clock when it is not the wall clock plus the session's offset: a replay's
   * clock is the file's time (docs/replay.md). Undefined: the wall clock.
   */
  readonly serverNow?: (key: string) => number | undefined;
}

/** Reads the terminal's deals and announces new ones (docs/ui.md, "History, P/L and notifications"). */
export interface DealHistory {
  list(
    fromMs: number,
    toMs: number,
    symbol?: string,
  ): Promise<Result<{ deals: Deal[]; isTruncated: boolean }>>;
  /** Resolves once no lookup is running or queued (tests). */
  idle(): Promise<void>;
  dispose(): void;
}

function describe(e: BridgeRequestError): Result<never> {
  switch (e.code) {
    case 'NOT_CONNECTED':
    case 'DISCONNECTED':
      return err(
        appError('NOT_CONNECTED', 'No MetaTrader 5 terminal is connected, so there is no history to show.'),
      );
    case 'TIMEOUT':
      return err(appError('TERMINAL_TIMEOUT', 'MetaTrader 5 did not send the history in time.'));
    case 'EA_ERROR':
    case 'INVALID_REQUEST':
    case 'BAD_RESPONSE':
      return err(appError('TERMINAL_ERROR', `MetaTrader 5 could not send the history: ${e.message}`));
  }
}

/**
 * The deal history of the active terminal over the pipe's `history_deals` request, and the announcement of new
 * deals. A deal is announced only when a DEAL_ADD transaction named it while Pipdesk was listening, so deals made
 * while the link was down are never announced late (they show in History); the ticket set makes each one-off.
 */
export function createDealHistory(options: DealHistoryOptions): DealHistory {
  const { server, logger } = options;
  /** Tickets announced by DEAL_ADD and not yet found, with the lookups tried, per session key. */
  const pending = new Map<string, number>();
  const announced = new Set<string>();
  let pendingKey: string | undefined;
  let running: Promise<void> | null = null;
  let requests = 0;

  const list: DealHistory['list'] = async (fromMs, toMs, symbol) => {
    const key = options.activeKey();
    if (key === undefined) return describe({ code: 'NOT_CONNECTED', message: '', delivered: false });
    const r = await server.request(key, 'history_deals', {
      fromMs,
      toMs,
      ...(symbol === undefined ? {} : { symbol }),
    });
    if (!r.ok) return describe(r.error);
    const deals: Deal[] = [];
    for (const w of r.value.deals) {
      const d = toDeal(w);
      if (d === null) logger.warn('history: a deal could not be read; skipped', { ticket: w.ticket });
      else deals.push(d);
    }
    deals.sort((a, b) => a.timeMs - b.timeMs);
    const isTruncated = deals.length > MAX_HISTORY_DEALS;
    return ok({ deals: isTruncated ? deals.slice(-MAX_HISTORY_DEALS) : deals, isTruncated });
  };

  const lookUp = async (): Promise<void> => {
    const key = options.activeKey();
    if (key === undefined || key !== pendingKey || pending.size === 0) return;
    const offsetSec = server.session(key)?.timeOffsetSec ?? 0;
    const serverNow = options.serverNow?.(key) ?? options.clock.now() + offsetSec * 1000;
    const r = await list(Math.max(0, serverNow - LOOKBACK_MS), FAR_FUTURE_MS);
    if (!r.ok) {
      logger.warn('history: new deals could not be read', { code: r.error.code });
      return;
    }
    const found = r.value.deals.filter((d) => pending.has(d.ticket) && !announced.has(d.ticket));
    for (const d of found) {
      pending.delete(d.ticket);
      announced.add(d.ticket);
    }
    for (const [ticket, attempts] of pending) {
      if (attempts + 1 >= MAX_ATTEMPTS) {
        pending.delete(ticket);
        logger.warn('history: a deal the terminal announced was not in its history', { ticket });
      } else pending.set(ticket, attempts + 1);
    }
    if (found.length > 0) options.onDeals(found);
  };

  const schedule = (): void => {
    requests += 1;
    if (running !== null) return;
    running = (async () => {
      try {
        let seen: number;
        do {
          seen = requests;
          await lookUp();
        } while (seen !== requests);
      } catch (error) {
        logger.error('history: new-deal lookup failed', { error });
      } finally {
        running = null;
      }
    })();
  };

  // Each deal the terminal adds (a DEAL_ADD transaction, alone or in a coalesced trade event) is looked up once.
  const offTxn = server.onTradeChange((change, session) => {
    if (change.deals.length === 0 || session.key !== options.activeKey()) return;
    if (pendingKey !== session.key) {
      // Another terminal became active: what the previous one announced is its own business.
      pending.clear();
      pendingKey = session.key;
    }
    let isNew = false;
    for (const deal of change.deals) {
      if (announced.has(deal) || pending.has(deal)) continue;
      pending.set(deal, 0);
      isNew = true;
    }
    if (isNew) schedule();
  });

  return {
    list,
    async idle() {
      const current = (): Promise<void> | null => running;
      for (let r = current(); r !== null; r = current()) await r;
    },
    dispose() {
      offTxn();
    },
  };
}

/** Shows an OS notification: the Electron shell passes one; the web host has none (the page uses the browser's). */
export type ShowDesktopNotice = (notice: DesktopNotice) => boolean;

type Channels = typeof historyIpcChannels;
type HistoryChannel = keyof Channels;

/** The handlers of `historyIpcChannels`, merged into the app's handler map. */
export type HistoryIpcHandlers = {
  readonly [K in HistoryChannel]: (
    request: z.output<Channels[K]['request']>,
  ) => Promise<Result<z.output<Channels[K]['response']>>>;
};

export function historyIpcHandlers(
  history: DealHistory,
  showNotice: ShowDesktopNotice | undefined,
): HistoryIpcHandlers {
  return {
    'history:list-deals': (request) => history.list(request.fromMs, request.toMs, request.symbol),
    'app:show-notification': (request) => Promise.resolve(ok({ isShown: showNotice?.(request) ?? false })),
  };
}
