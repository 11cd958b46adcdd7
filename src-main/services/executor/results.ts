import type { JournalEntry } from '../../../src-core/contracts/journal';
import { toErrorCode } from '../../../src-core/errors';
import type { CloseAllItem, ExecutionResult, ExecutionSuccess } from '../../../src-core/contracts/orders';
import type { Journal } from '../journal';
import { UNKNOWN_OUTCOME_MESSAGE } from '../messages';
import { inPlanOrder, plannedCloses } from './close-all-plan';
import { failure } from './refusals';

/** Whether a journal state is still open (reconciliation may change it). */
export const isOpenState = (state: JournalEntry['state']): boolean =>
  state === 'unknown' || state === 'pending' || state === 'sent';

/**
 * The one place a journal entry becomes an {@link ExecutionResult}, so live and replayed answers agree. A
 * close_all's items come in the order of its plan.
 */
export function resultOf(journal: Journal, entry: JournalEntry): ExecutionResult {
  const ids = { clientOrderId: entry.clientOrderId, entryId: entry.id, operation: entry.operation };
  const items =
    entry.operation === 'close_all'
      ? inPlanOrder(plannedCloses(entry), journal.listChildren(entry.id)).map(itemOf)
      : undefined;
  if (entry.state === 'done') {
    const s: ExecutionSuccess = { ok: true, ...ids, message: entry.message ?? 'Done.' };
    if (entry.retcode !== null) s.retcode = entry.retcode;
    if (entry.order !== null) s.order = entry.order;
    if (entry.deal !== null) s.deal = entry.deal;
    if (entry.position !== null) s.position = entry.position;
    if (entry.filledVolume !== null) s.volume = entry.filledVolume;
    if (entry.filledPrice !== null) s.price = entry.filledPrice;
    if (entry.sl !== null) s.sl = entry.sl;
    if (entry.tp !== null) s.tp = entry.tp;
    if (entry.bid !== null) s.bid = entry.bid;
    if (entry.ask !== null) s.ask = entry.ask;
    if (entry.latencyMs !== null) s.latencyMs = entry.latencyMs;
    if (entry.reconcileAttempts > 0) s.reconciled = true;
    if (items !== undefined) s.items = items;
    return s;
  }
  const isOpen = isOpenState(entry.state);
  const f = failure(
    isOpen ? 'OUTCOME_UNKNOWN' : toErrorCode(entry.errorCode, 'TRADE_REJECTED'),
    entry.message ?? UNKNOWN_OUTCOME_MESSAGE,
    ids,
  );
  if (entry.retcode !== null) f.retcode = entry.retcode;
  if (items !== undefined) f.items = items;
  return f;
}

/** One close of a close_all, as its result lists it. */
export function itemOf(c: JournalEntry): CloseAllItem {
  const item: CloseAllItem = {
    ticket: c.position ?? '0',
    symbol: c.symbol ?? '',
    clientOrderId: c.clientOrderId,
    ok: c.state === 'done',
    message: c.message ?? '',
  };
  if (c.state !== 'done')
    item.code = c.state === 'unknown' ? 'OUTCOME_UNKNOWN' : (c.errorCode ?? 'TRADE_REJECTED');
  if (c.retcode !== null) item.retcode = c.retcode;
  if (c.filledVolume !== null) item.volume = c.filledVolume;
  if (c.filledPrice !== null) item.price = c.filledPrice;
  return item;
}
