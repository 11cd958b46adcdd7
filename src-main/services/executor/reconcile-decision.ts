import type { LookupResult, WireDeal, WireOrder, WirePosition } from '../../../src-bridge/protocol/messages';
import { DEAL_ENTRY } from '../../../src-bridge/protocol/enums';
import type { JournalEntry } from '../../../src-core/contracts/journal';
import { retcodeInfo } from '../../../src-core/trading/retcodes';
import type { JournalPatch } from '../journal';
import { fmtPrice, fmtVolume } from '../messages';
import { fillFields } from './fill-fields';

/**
 * Reconciliation's decisions, pure: what a lookup answer and the live positions/orders mean for a journal entry.
 * The effects around it (asking the terminal, writing the journal, the schedule) are in reconciler.ts; the rules
 * are documented in docs/order-lifecycle.md ("Reconciliation rules").
 */

/**
 * What an answer means for an entry. A final decision `isFromAbsence` rests on the terminal having no trace of the
 * request (or the position/order it targeted being gone), which is only proof under {@link absenceProof}; an
 * unknown one may say from when absence could be proof (`provableAt`).
 */
export type Decision =
  | { readonly state: 'unknown'; readonly provableAt?: number }
  | {
      readonly state: 'done' | 'rejected' | 'failed';
      readonly patch: JournalPatch;
      readonly isFromAbsence?: boolean;
    };

/** The fields of an entry the decision reads. */
export type DecisionEntry = Pick<
  JournalEntry,
  'operation' | 'symbol' | 'side' | 'volume' | 'position' | 'order' | 'sl' | 'tp' | 'requestedPrice'
>;

/** The account's live positions and working orders, read with the lookup; null when they could not be read. */
export interface LiveState {
  readonly positions: readonly WirePosition[] | null;
  readonly orders: readonly WireOrder[] | null;
}

/** How to write prices and volumes in the messages (the symbol's digits and volume step when known). */
export interface Wording {
  readonly digits: number;
  readonly volumeStep?: number;
}

const UNKNOWN: Decision = { state: 'unknown' };

const NOT_EXECUTED: Decision = {
  state: 'failed',
  isFromAbsence: true,
  patch: {
    errorCode: 'TRADE_NOT_EXECUTED',
    outcome: 'rejected',
    message:
      'Not executed: MetaTrader 5 has no trace of this request, so nothing happened. You can try again.',
  },
};

const opening = (d: WireDeal): boolean => d.entry === DEAL_ENTRY.IN || d.entry === DEAL_ENTRY.INOUT;
const closing = (d: WireDeal): boolean =>
  d.entry === DEAL_ENTRY.OUT || d.entry === DEAL_ENTRY.OUT_BY || d.entry === DEAL_ENTRY.INOUT;
const isSame = (a: number, b: number | null): boolean => Math.abs(a - (b ?? 0)) < 1e-9;

function confirmed(patch: JournalPatch, words: string): Decision {
  return {
    state: 'done',
    patch: {
      ...patch,
      errorCode: null,
      outcome: 'done',
      message: `Confirmed after checking with MetaTrader 5: ${words}`,
    },
  };
}

/** Rejected because its target is gone: an inference from absence, like "no trace". */
function targetGone(errorCode: string, message: string): Decision {
  return { state: 'rejected', isFromAbsence: true, patch: { errorCode, outcome: 'rejected', message } };
}

/** Plain words for an executed entry. */
export function doneWords(entry: DecisionEntry, price: number, volume: number, w: Wording): string {
  const v = fmtVolume(volume > 0 ? volume : (entry.volume ?? 0), w.volumeStep);
  if (entry.operation === 'open_market') {
    return `${entry.side === 'sell' ? 'Sold' : 'Bought'} ${v} ${entry.symbol ?? ''} at ${fmtPrice(price, w.digits)}`;
  }
  if (entry.operation === 'close_position')
    return `Closed position #${entry.position ?? ''} at ${fmtPrice(price, w.digits)}`;
  return 'the request was executed.';
}

/**
 * What one lookup answer means for an entry.
 * - The EA's dedup table has the result: its retcode decides.
 * - Opening deals / a position / an order carrying the id: executed.
 * - Nothing found: not executed.
 * - Modifications and cancels leave no trace by comment once the dedup table is lost (EA restart), so they are
 *   settled by comparing the live position/order with what was asked.
 */
export function decideLookup(
  entry: DecisionEntry,
  look: LookupResult,
  live: LiveState,
  w: Wording,
): Decision {
  const last = look.lastResult;
  if (last !== undefined) {
    const info = retcodeInfo(last.retcode);
    const common: JournalPatch = { retcode: last.retcode, retcodeName: info.constant, outcome: info.outcome };
    if (info.outcome === 'done') {
      return {
        state: 'done',
        patch: {
          ...common,
          ...fillFields({ ...last, outcome: info.outcome }, entry.operation),
          errorCode: null,
          message: `Confirmed after checking with MetaTrader 5: ${doneWords(entry, last.price, last.volume, w)}`,
        },
      };
    }
    if (info.outcome === 'rejected' || info.outcome === 'retryable') {
      return {
        state: 'rejected',
        patch: { ...common, errorCode: 'TRADE_REJECTED', message: `Not executed: ${info.message}` },
      };
    }
  }
  // The dedup table's own "unknown" answer (10011/10012/10031) proves nothing; only a trace in the account does.
  const hasTrace = look.positions.length + look.orders.length + look.deals.length > 0;
  // The lookup also returns every other deal of a position the id touched (an earlier partial close, the deals
  // of a netting position this order added to): only the request's own deals describe what it did.
  const ownOrders = new Set(look.orders.filter((o) => o.comment === look.clOrdId).map((o) => o.ticket));
  const own = (d: WireDeal): boolean => d.comment === look.clOrdId || ownOrders.has(d.order);
  const fromDeals = (deals: readonly WireDeal[]): JournalPatch => {
    const volume = deals.reduce((s, d) => s + d.volume, 0);
    const first = deals[0];
    return {
      filledVolume: volume,
      ...(first === undefined
        ? {}
        : { filledPrice: first.price, deal: first.ticket, order: first.order, position: first.positionId }),
    };
  };
  switch (entry.operation) {
    case 'open_market': {
      const deals = look.deals.filter((d) => opening(d) && own(d));
      if (deals.length > 0) {
        const patch = fromDeals(deals);
        return confirmed(patch, doneWords(entry, patch.filledPrice ?? 0, patch.filledVolume ?? 0, w));
      }
      const p = look.positions[0];
      if (p !== undefined) {
        return confirmed(
          { filledPrice: p.priceOpen, filledVolume: p.volume, position: p.ticket },
          doneWords(entry, p.priceOpen, p.volume, w),
        );
      }
      return hasTrace ? UNKNOWN : NOT_EXECUTED;
    }
    case 'place_pending': {
      const o = look.orders[0];
      if (o !== undefined) {
        return confirmed(
          { order: o.ticket, filledPrice: o.priceOpen, filledVolume: o.volumeInitial },
          `the pending order #${o.ticket} is placed.`,
        );
      }
      const deals = look.deals.filter(opening);
      if (deals.length > 0 || look.positions.length > 0) {
        return confirmed(fromDeals(deals), 'the pending order was placed and has already been filled.');
      }
      return hasTrace ? UNKNOWN : NOT_EXECUTED;
    }
    case 'close_position': {
      const deals = look.deals.filter((d) => closing(d) && own(d));
      if (deals.length > 0) {
        const patch = fromDeals(deals);
        return confirmed(
          { ...patch, position: entry.position },
          `position #${entry.position ?? ''} closed${typeof patch.filledVolume === 'number' ? ` (${fmtVolume(patch.filledVolume)} lots)` : ''}.`,
        );
      }
      if (hasTrace || live.positions === null) return UNKNOWN;
      if (live.positions.some((p) => p.ticket === entry.position)) return NOT_EXECUTED;
      return targetGone(
        'TICKET_NOT_FOUND',
        `Position #${entry.position ?? ''} was already closed by something else (for example its stop loss or take profit).`,
      );
    }
    case 'modify_position': {
      if (live.positions === null) return UNKNOWN;
      const p = live.positions.find((x) => x.ticket === entry.position);
      if (p === undefined)
        return targetGone('TICKET_NOT_FOUND', `Position #${entry.position ?? ''} is no longer open.`);
      if (isSame(p.sl, entry.sl) && isSame(p.tp, entry.tp))
        return confirmed({}, `position #${p.ticket} has the requested SL and TP.`);
      return NOT_EXECUTED;
    }
    case 'modify_order': {
      if (live.orders === null) return UNKNOWN;
      const o = live.orders.find((x) => x.ticket === entry.order);
      if (o === undefined)
        return targetGone('TICKET_NOT_FOUND', `Pending order #${entry.order ?? ''} no longer exists.`);
      if (isSame(o.priceOpen, entry.requestedPrice) && isSame(o.sl, entry.sl) && isSame(o.tp, entry.tp))
        return confirmed({}, `order #${o.ticket} has the requested values.`);
      return NOT_EXECUTED;
    }
    case 'cancel_order': {
      if (live.orders === null || live.positions === null) return UNKNOWN;
      if (live.orders.some((o) => o.ticket === entry.order)) return NOT_EXECUTED;
      if (live.positions.some((p) => p.identifier === entry.order)) {
        // Evidence, not absence: the order was filled, so nothing can cancel it any more.
        return {
          state: 'rejected',
          patch: {
            errorCode: 'TRADE_REJECTED',
            outcome: 'rejected',
            message: `Pending order #${entry.order ?? ''} was filled before it could be cancelled.`,
          },
        };
      }
      return confirmed({}, `pending order #${entry.order ?? ''} is no longer pending.`);
    }
    case 'close_all':
      return UNKNOWN;
  }
}

/** What bounds when "no trace" is proof for one entry and one lookup. All times on the app's clock. */
export interface AbsenceContext {
  /** When the entry's last attempt was handed to the bridge (its `sentAt`, or `createdAt` if never marked sent). */
  readonly sentAt: number;
  /** A bound on that attempt's `expiresAt`: the EA acts on no request it reads later. */
  readonly expiresAt: number;
  /** The session the attempt was sent on, if this process sent it (undefined after a restart). */
  readonly sentVia: string | undefined;
  /** The session that answered the lookup (and the live data), undefined if it changed in between. */
  readonly askedVia: string | undefined;
  /** When the lookup (and the live data read before it) was asked. */
  readonly askedAt: number;
  /** The start of the history the lookup searched (`sinceMs`). */
  readonly historyFromMs: number;
  readonly sameSessionMarginMs: number;
  readonly otherSessionMarginMs: number;
}

/** Why absence proves "not executed", or from when it could. */
export type AbsenceProof =
  { readonly kind: 'same-session' | 'history' } | { readonly kind: 'none'; readonly provableAt: number };

/**
 * Whether a lookup that found nothing proves the request was not executed (docs/order-lifecycle.md, "When absence
 * is proof"):
 * - (a) same session: the session the request was sent on, still open, answered, and was asked strictly after
 *   `expiresAt` + `sameSessionMarginMs`; or
 * - (b) history: any session, asked strictly after `expiresAt` + `otherSessionMarginMs`, with the terminal's history
 *   searched from no later than the send (so the whole window from the send to the answer is covered; the EA
 *   answers lookups only from a terminal synchronised with the trade server).
 * Otherwise: not yet, with the earliest time either rule could hold.
 */
export function absenceProof(c: AbsenceContext): AbsenceProof {
  const isSameSession = c.sentVia !== undefined && c.askedVia === c.sentVia;
  if (isSameSession && c.askedAt > c.expiresAt + c.sameSessionMarginMs) return { kind: 'same-session' };
  const coversWindow = c.historyFromMs <= c.sentAt;
  if (coversWindow && c.askedAt > c.expiresAt + c.otherSessionMarginMs) return { kind: 'history' };
  const margin = isSameSession ? c.sameSessionMarginMs : c.otherSessionMarginMs;
  return { kind: 'none', provableAt: c.expiresAt + margin + 1 };
}

/** A decision with the proof rule applied: a verdict from absence without proof stays unknown. */
export function withProof(decision: Decision, proof: AbsenceProof): Decision {
  if (decision.state === 'unknown' || decision.isFromAbsence !== true || proof.kind !== 'none')
    return decision;
  return { state: 'unknown', provableAt: proof.provableAt };
}

/** Which live data an operation's decision reads (so reconciliation asks for nothing more). */
export function liveNeeds(operation: JournalEntry['operation']): { positions: boolean; orders: boolean } {
  switch (operation) {
    case 'close_position':
    case 'modify_position':
      return { positions: true, orders: false };
    case 'modify_order':
      return { positions: false, orders: true };
    case 'cancel_order':
      return { positions: true, orders: true };
    case 'open_market':
    case 'place_pending':
    case 'close_all':
      return { positions: false, orders: false };
  }
}

/** One attempt id's answer and what it means. */
export interface AttemptAnswer {
  readonly clOrdId: string;
  readonly look: LookupResult;
  readonly decision: Decision;
}

/**
 * The entry's decision from the answers for every attempt id it may have used, in attempt order: an attempt that
 * is done settles it; otherwise any uncertain attempt keeps it unknown; otherwise the latest attempt that left a
 * trace (or the first) decides. Returns the answer chosen (for the journal) and the decision.
 */
export function combineAttempts(
  answers: readonly AttemptAnswer[],
): { chosen: AttemptAnswer; decision: Decision } | undefined {
  let chosen: AttemptAnswer | undefined;
  let isAnyUnknown = false;
  for (const a of answers) {
    if (a.decision.state === 'done') return { chosen: a, decision: a.decision };
    if (a.decision.state === 'unknown') isAnyUnknown = true;
    else if (chosen === undefined || a.look.found) chosen = a;
  }
  if (chosen === undefined) return undefined;
  return { chosen, decision: isAnyUnknown ? UNKNOWN : chosen.decision };
}
