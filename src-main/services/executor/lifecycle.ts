import type { JournalEntry } from '../../../src-core/contracts/journal';
import type { ExecutionResult, TradeIntent } from '../../../src-core/contracts/orders';
import type { Result } from '../../../src-core/result';
import { retcodeInfo, TRADE_RETCODE } from '../../../src-core/trading/retcodes';
import type { JournalPatch } from '../journal';
import { UNKNOWN_OUTCOME_MESSAGE } from '../messages';
import { mayHaveExecuted } from '../trading-bridge';
import type { Base, ExecutorContext, Head, Planner, Refusal, SendPlan } from './context';
import { fillFields } from './fill-fields';
import { attemptClOrdId, newClientOrderId } from './ids';
import { sleep } from './options';
import type { Reconciler } from './reconciler';
import { failure, fromBridgeFailure } from './refusals';
import { resultOf } from './results';

/**
 * One intent's life: refused before sending, or journalled `pending` (fsynced) → `sent` → an answer classified by
 * its retcode (done, rejected, retried when retryable and allowed) → or unknown, handed to reconciliation. See
 * docs/order-lifecycle.md ("States", "Exactly once").
 */
export class Lifecycle {
  readonly #ctx: ExecutorContext;
  readonly #reconciler: Reconciler;

  constructor(ctx: ExecutorContext, reconciler: Reconciler) {
    this.#ctx = ctx;
    this.#reconciler = reconciler;
  }

  /** Journals a refusal (nothing was sent) and announces it. */
  refuseOnly(
    intent: TradeIntent,
    base: Base,
    parentId: string | null,
    head: Head,
    r: Refusal,
  ): ExecutionResult {
    const { journal, clock, logger } = this.#ctx;
    const entry = journal.insert(
      {
        clientOrderId: newClientOrderId(clock),
        parentId,
        origin: base.origin,
        operation: intent.operation,
        requestKey: base.requestKey,
        ...head,
        intent,
        state: r.state ?? 'rejected',
        outcome: 'rejected',
        errorCode: r.code,
        message: r.message,
        completedAt: clock.now(),
      },
      { durable: false },
    );
    logger.info('order refused before sending', {
      clientOrderId: entry.clientOrderId,
      code: r.code,
      message: r.message,
    });
    const result = failure(r.code, r.message, {
      clientOrderId: entry.clientOrderId,
      entryId: entry.id,
      operation: intent.operation,
      ...(r.details === undefined ? {} : { details: { ...r.details } }),
    });
    this.#ctx.results.emit({ result, entry });
    return result;
  }

  /** Plans, journals and sends one intent; answers its final or unknown result. */
  async run(
    intent: TradeIntent,
    base: Base,
    parentId: string | null,
    head: Head,
    plan: Planner,
  ): Promise<ExecutionResult> {
    const ctx = this.#ctx;
    const started = ctx.stopwatch();
    const headFields = { symbol: head.symbol, side: head.side, volume: head.volume };
    const first = await plan();
    if (!first.ok) {
      // The ticket is kept so a close_all can tell which of its planned closes this refusal was.
      const tickets = { position: head.position ?? null, order: head.order ?? null };
      return this.refuseOnly(intent, base, parentId, { ...headFields, ...tickets }, first.error);
    }
    const current: SendPlan = first.value;

    const clientOrderId = newClientOrderId(ctx.clock);
    // The session this order goes to, for every attempt and for its reconciliation (never another account's).
    const account = ctx.bridge.activeAccount();
    const entry = ctx.journal.insert(
      {
        clientOrderId,
        parentId,
        origin: base.origin,
        operation: intent.operation,
        requestKey: base.requestKey,
        ...headFields,
        ...current.journal,
        position: head.position ?? null,
        order: head.order ?? null,
        intent,
        state: 'pending',
        request: { ...current.params, clOrdId: clientOrderId, magic: ctx.opt.magic },
      },
      // The one write that must survive a power cut: after it the order may reach the market.
      { durable: ctx.opt.isPendingWriteFsynced, account: account ?? null },
    );
    ctx.logger.debug('executor overhead', { clientOrderId, ms: ctx.stopwatch() - started });
    ctx.inFlight.add(entry.id);
    try {
      return await this.#sendAttempts(intent, clientOrderId, entry, current, account);
    } finally {
      ctx.inFlight.delete(entry.id);
      this.#reconciler.schedule();
    }
  }

  /** The attempts of one journalled intent: send, classify, retry a retryable answer, reconcile an unknown one. */
  async #sendAttempts(
    intent: TradeIntent,
    clientOrderId: string,
    inserted: JournalEntry,
    firstPlan: SendPlan,
    account: string | undefined,
  ): Promise<ExecutionResult> {
    const ctx = this.#ctx;
    let entry = inserted;
    let current = firstPlan;

    const limits = ctx.settings.peek().riskLimits;
    const maxAttempts = 1 + (limits.isRetryAllowed ? limits.maxRetries : 0);
    for (let attempt = 1; ; attempt += 1) {
      const p: SendPlan = current;
      const params = { ...p.params, clOrdId: attemptClOrdId(clientOrderId, attempt), magic: ctx.opt.magic };
      const sentAt = ctx.clock.now();
      const deadlineMs = ctx.opt.sendDeadlineMs;
      // The deadline goes with the request into the journal: its expiresAt (sentAt + deadlineMs, or a little
      // later) bounds when "no trace" can prove anything, also after a restart.
      entry = ctx.journal.update(entry.id, {
        state: 'sent',
        sentAt,
        attempts: attempt,
        request: { ...params, deadlineMs },
        ...p.journal,
      });
      // Read in the same synchronous step as the send, so it names the session the request goes to.
      const via = ctx.bridge.sessionId(account);
      const t0 = ctx.stopwatch();
      const sending = ctx.bridge.orderSend(params, deadlineMs, account);
      // Read after the bridge wrote the request (synchronously): a bound its expiresAt cannot exceed.
      ctx.sent.set(entry.id, { via, expiresAt: ctx.clock.now() + deadlineMs });
      const r = await sending;
      const latencyMs = Math.round((ctx.stopwatch() - t0) * 1000) / 1000;

      if (!r.ok) {
        if (mayHaveExecuted(r.error.kind)) {
          entry = ctx.journal.update(entry.id, {
            state: 'unknown',
            outcome: 'unknown',
            latencyMs,
            errorCode: 'OUTCOME_UNKNOWN',
            message: UNKNOWN_OUTCOME_MESSAGE,
            response: { failure: r.error.kind, message: r.error.message },
          });
          ctx.logger.warn('order outcome unknown; reconciling', { clientOrderId, reason: r.error.kind });
          return this.#afterUnknown(entry);
        }
        const f = fromBridgeFailure(r.error, 'sending the order');
        return this.#finish(entry, {
          state: f.state ?? 'failed',
          outcome: 'rejected',
          latencyMs,
          errorCode: f.code,
          message: f.message,
          response: {
            failure: r.error.kind,
            message: r.error.message,
            ...(r.error.eaCode === undefined ? {} : { eaCode: r.error.eaCode }),
          },
        });
      }

      const res = r.value;
      const info = retcodeInfo(res.retcode);
      const common: JournalPatch = {
        response: res,
        retcode: res.retcode,
        retcodeName: info.constant,
        outcome: info.outcome,
        latencyMs,
      };
      ctx.logger.info('order answered', {
        clientOrderId: params.clOrdId,
        retcode: res.retcode,
        outcome: info.outcome,
        latencyMs,
        duplicate: res.duplicate,
      });
      switch (info.outcome) {
        case 'done':
          return this.#finish(entry, {
            ...common,
            state: 'done',
            errorCode: null,
            message:
              res.retcode === 10025 ? 'Nothing to change: the values were already set.' : p.describe(res),
            ...fillFields(res, intent.operation),
          });
        case 'rejected':
          return this.#finish(entry, {
            ...common,
            state: 'rejected',
            // The position named by a close or SL/TP change is not open: the same answer as the app's own check
            // before sending, so callers (trade rules) stop on it (docs/bridge-protocol.md, "Tickets that name
            // nothing").
            errorCode: res.retcode === TRADE_RETCODE.POSITION_CLOSED ? 'TICKET_NOT_FOUND' : 'TRADE_REJECTED',
            message: `Not executed: ${info.message}`,
          });
        case 'retryable': {
          if (attempt < maxAttempts) {
            entry = ctx.journal.update(entry.id, {
              ...common,
              message: `Attempt ${attempt}: ${info.message} Retrying.`,
            });
            await sleep(ctx.timers, ctx.opt.retryBackoffMs * attempt);
            if (p.refresh !== undefined) {
              const next: Result<SendPlan, Refusal> = await p.refresh();
              if (!next.ok) {
                return this.#finish(entry, {
                  state: next.error.state ?? 'rejected',
                  errorCode: next.error.code,
                  message: next.error.message,
                });
              }
              current = next.value;
            }
            continue;
          }
          return this.#finish(entry, {
            ...common,
            state: 'rejected',
            errorCode: 'TRADE_NOT_EXECUTED',
            message:
              `Not executed: ${info.message}` +
              (limits.isRetryAllowed
                ? ` (tried ${attempt} times)`
                : ' Automatic retries are off in settings.'),
          });
        }
        case 'unknown':
          entry = ctx.journal.update(entry.id, {
            ...common,
            state: 'unknown',
            errorCode: 'OUTCOME_UNKNOWN',
            message: UNKNOWN_OUTCOME_MESSAGE,
          });
          ctx.logger.warn('order outcome unknown; reconciling', { clientOrderId, retcode: res.retcode });
          return this.#afterUnknown(entry);
      }
    }
  }

  #finish(entry: JournalEntry, patch: JournalPatch): ExecutionResult {
    const { journal, clock, results, sent } = this.#ctx;
    sent.delete(entry.id);
    const final = journal.update(entry.id, { ...patch, completedAt: clock.now() });
    const result = resultOf(journal, final);
    results.emit({ result, entry: final });
    return result;
  }

  async #afterUnknown(entry: JournalEntry): Promise<ExecutionResult> {
    const ctx = this.#ctx;
    let current = entry;
    for (let i = 0; i < ctx.opt.reconcileAttempts && !ctx.isClosed(); i += 1) {
      current = await this.#reconciler.reconcileEntry(current, true);
      if (current.state !== 'unknown') break;
    }
    const result = resultOf(ctx.journal, current);
    // Settled results were announced by the reconciliation itself.
    if (current.state === 'unknown') ctx.results.emit({ result, entry: current });
    return result;
  }
}
