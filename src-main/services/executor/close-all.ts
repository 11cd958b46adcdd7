import type { JournalEntry, JournalState } from '../../../src-core/contracts/journal';
import type { CloseAll, ExecutionResult, TradeIntent } from '../../../src-core/contracts/orders';
import type { Clock } from '../../../src-core/clock';
import type { Journal } from '../journal';
import { childFor, inPlanOrder, plannedCloses } from './close-all-plan';
import type { Base, ExecutorContext } from './context';
import { newClientOrderId } from './ids';
import { fromBridgeFailure, notConnected } from './refusals';
import type { Lifecycle } from './lifecycle';
import { resultOf } from './results';

/**
 * Closes every open position (or those of one symbol) one after another. The parent row records the plan durably
 * before the first close; each close is an ordinary journalled close_position child. The parent is settled against
 * the plan once the loop is over (see {@link settleParent}).
 */
export async function runCloseAll(
  ctx: ExecutorContext,
  lifecycle: Lifecycle,
  input: CloseAll,
  base: Base,
  closePosition: (ticket: string, base: Base, parentId: string) => Promise<ExecutionResult>,
  scheduleReconcile: () => void,
): Promise<ExecutionResult> {
  const intent: TradeIntent = { operation: 'close_all', input };
  const head = { symbol: input.symbol ?? null, side: null, volume: null };
  if (!ctx.bridge.isConnected()) return lifecycle.refuseOnly(intent, base, null, head, notConnected());
  const listed = await ctx.bridge.positions(input.symbol);
  if (!listed.ok) {
    return lifecycle.refuseOnly(
      intent,
      base,
      null,
      head,
      fromBridgeFailure(listed.error, 'reading the positions'),
    );
  }
  const parent = ctx.journal.insert(
    {
      clientOrderId: newClientOrderId(ctx.clock),
      parentId: null,
      origin: base.origin,
      operation: 'close_all',
      requestKey: base.requestKey,
      symbol: input.symbol ?? null,
      side: null,
      volume: null,
      intent,
      state: 'pending',
      // The plan, durable before the first close: a crash mid-loop must not later read as "closed all" the
      // closes that happened to run (the parent is settled against this list, not against its children).
      request: { tickets: listed.value.map((p) => p.ticket), symbols: listed.value.map((p) => p.symbol) },
    },
    { durable: ctx.opt.isPendingWriteFsynced, account: ctx.bridge.activeAccount() ?? null },
  );
  ctx.inFlight.add(parent.id);
  try {
    for (const p of listed.value) {
      // Children are journalled before they are sent like any order; they carry no request key of their own.
      await closePosition(p.ticket, { requestKey: null, origin: base.origin }, parent.id);
    }
  } finally {
    ctx.inFlight.delete(parent.id);
    scheduleReconcile();
  }
  return resultOf(ctx.journal, settleParent(ctx.journal, ctx.clock, parent.id));
}

/**
 * A close_all's state follows its plan: unknown while any close is unknown, done when every planned ticket was
 * closed, otherwise rejected, naming the tickets not closed (a ticket with no close journalled was never sent:
 * each close is journalled durably before it is sent). Only called once the loop is over (or died).
 */
export function settleParent(journal: Journal, clock: Clock, parentId: string): JournalEntry {
  const parent = journal.get(parentId);
  const planned = parent === undefined ? null : plannedCloses(parent);
  const children = inPlanOrder(planned, journal.listChildren(parentId));
  const done = children.filter((c) => c.state === 'done').length;
  // A position the trade server closed itself (SL, TP, stop-out) between the plan and its close answers
  // TICKET_NOT_FOUND (checked before sending, or retcode 10036 after): the trader's goal, flat, is reached for it,
  // so it does not make the close all a failure. It is named apart, never counted as closed by Pipdesk.
  const gone = children.filter(isAlreadyClosed);
  const open = children.filter(
    (c) => c.state === 'unknown' || c.state === 'pending' || c.state === 'sent',
  ).length;
  const neverSent = planned === null ? [] : planned.filter((p) => childFor(children, p.ticket) === undefined);
  const total = planned === null ? children.length : Math.max(planned.length, children.length);
  let state: JournalState;
  let message: string;
  let errorCode: string | null = null;
  if (total === 0) {
    state = 'done';
    message = 'There were no open positions to close.';
  } else if (open > 0) {
    state = 'unknown';
    errorCode = 'OUTCOME_UNKNOWN';
    message = `Closed ${done} of ${total} positions; ${open} not confirmed yet (see the journal).`;
    if (neverSent.length > 0)
      message += ` ${notClosedWords(
        neverSent.map((p) => p.ticket),
        [],
      )}`;
  } else if (done + gone.length === total && neverSent.length === 0) {
    state = 'done';
    message =
      gone.length === 0
        ? total === 1
          ? 'Closed 1 position.'
          : `Closed all ${total} positions.`
        : `Closed ${done} of ${total} positions; ${goneWords(gone)}`;
  } else {
    state = 'rejected';
    errorCode = 'TRADE_REJECTED';
    const failed = children.filter((c) => c.state !== 'done' && !isAlreadyClosed(c));
    message =
      `Closed ${done} of ${total} positions. ` +
      notClosedWords(
        neverSent.map((p) => p.ticket),
        failed,
      ) +
      (gone.length === 0 ? '' : ` ${goneWords(gone)}`);
  }
  const now = clock.now();
  return journal.update(parentId, {
    state,
    message,
    errorCode,
    outcome: state === 'done' ? 'done' : state === 'unknown' ? 'unknown' : 'rejected',
    ...(state === 'unknown' ? {} : { completedAt: now }),
  });
}

function isAlreadyClosed(child: JournalEntry): boolean {
  return child.state === 'rejected' && child.errorCode === 'TICKET_NOT_FOUND';
}

function goneWords(gone: readonly JournalEntry[]): string {
  const tickets = gone.map((c) => `#${c.position ?? '?'}`).join(', ');
  return `${tickets} ${gone.length === 1 ? 'was' : 'were'} already closed by the trade server.`;
}

function notClosedWords(neverSent: readonly string[], failed: readonly JournalEntry[]): string {
  const parts = [
    ...failed.map((c) => `#${c.position ?? '?'} (${c.message ?? 'not closed'})`),
    ...neverSent.map((t) => `#${t} (never sent: Pipdesk stopped before closing it)`),
  ];
  return parts.length === 0 ? '' : `Not closed: ${parts.join(', ')}.`;
}
