import type { JournalEntry } from '../../../src-core/contracts/journal';
import type { JournalPatch } from '../journal';
import { UNKNOWN_OUTCOME_MESSAGE } from '../messages';
import { settleParent } from './close-all';
import type { ExecutorContext, ReconcileSummary } from './context';
import { attemptClOrdId } from './ids';
import type { MarketData } from './market-data';
import { sleep } from './options';
import type { AttemptAnswer, Decision, LiveState } from './reconcile-decision';
import { absenceProof, combineAttempts, decideLookup, liveNeeds, withProof } from './reconcile-decision';
import { isOpenState, resultOf } from './results';

/** Reconciliation lookups search history from this long before the entry was created. */
export const LOOKUP_HISTORY_MARGIN_MS = 86_400_000;

/** The order_send deadline journalled with the entry's request (rows from older versions: the current one). */
function deadlineOf(entry: JournalEntry, fallbackMs: number): number {
  const req = entry.request;
  if (req === null || typeof req !== 'object' || Array.isArray(req)) return fallbackMs;
  const d = (req as { deadlineMs?: unknown }).deadlineMs;
  return typeof d === 'number' && Number.isFinite(d) && d >= 0 ? d : fallbackMs;
}

/**
 * Settles open journal rows by asking the terminal (lookup, live positions and orders), on a schedule: right after
 * an unknown outcome, at start-up, whenever a session opens, and on a backoff timer while rows stay open. The
 * decisions themselves are pure (reconcile-decision.ts); this class does the asking, the writing and the timing.
 */
export class Reconciler {
  readonly #ctx: ExecutorContext;
  readonly #data: MarketData;
  readonly #running = new Map<string, Promise<JournalEntry>>();
  #pass: Promise<ReconcileSummary> | null = null;
  /** Open entries whose "no trace" is not proof yet, and from when it could be: the schedule wakes up then. */
  readonly #provableAt = new Map<string, number>();
  /** The scheduled re-run while entries stay open, and how many ran in a row. */
  #retryTimer: unknown = null;
  #retryDueAt = 0;
  #retryRound = 0;

  constructor(ctx: ExecutorContext, data: MarketData) {
    this.#ctx = ctx;
    this.#data = data;
  }

  /** Cancels the scheduled re-run. */
  close(): void {
    if (this.#retryTimer !== null) this.#ctx.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /**
   * Settles every entry left `pending`, `sent` or `unknown` (at start-up, after a crash, and whenever a terminal
   * session becomes ready). Runs one pass at a time.
   */
  reconcileOpen(): Promise<ReconcileSummary> {
    if (this.#pass !== null) return this.#pass;
    const pass = this.#reconcileAll().finally(() => {
      this.#pass = null;
      this.schedule();
    });
    this.#pass = pass;
    return pass;
  }

  /**
   * Schedules the next reconciliation pass while entries not owned by a running operation are open, with backoff;
   * stops (and resets the backoff) once none is left.
   */
  schedule(): void {
    const ctx = this.#ctx;
    if (ctx.isClosed() || this.#pass !== null) return;
    const now = ctx.clock.now();
    const proofDue = this.#nextProofTime();
    if (this.#retryTimer !== null) {
      // A row that became provable sooner than the pending re-check moves the re-check forward.
      if (proofDue === undefined || this.#retryDueAt <= proofDue) return;
      ctx.timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
      this.#arm(Math.max(0, proofDue - now), now);
      return;
    }
    const waiting = ctx.journal.listOpen().some((e) => !ctx.inFlight.has(e.id));
    if (!waiting) {
      this.#retryRound = 0;
      return;
    }
    const delays = ctx.opt.reconcileRetryDelaysMs;
    let delay = delays[Math.min(this.#retryRound, delays.length - 1)] ?? 60_000;
    // An entry waiting only for its proof time is checked right then, not at the next backoff step.
    if (proofDue !== undefined) delay = Math.min(delay, Math.max(0, proofDue - now));
    this.#retryRound += 1;
    this.#arm(delay, now);
  }

  /** The earliest proof time of an open entry not owned by a running operation. */
  #nextProofTime(): number | undefined {
    const ctx = this.#ctx;
    let due: number | undefined;
    for (const [id, at] of this.#provableAt) {
      if (!isOpenState(ctx.journal.get(id)?.state ?? 'done')) this.#provableAt.delete(id);
      else if (!ctx.inFlight.has(id)) due = due === undefined ? at : Math.min(due, at);
    }
    return due;
  }

  #arm(delay: number, now: number): void {
    const ctx = this.#ctx;
    this.#retryDueAt = now + delay;
    this.#retryTimer = ctx.timers.setTimeout(() => {
      this.#retryTimer = null;
      void this.reconcileOpen().catch((e: unknown) => {
        ctx.logger.error('scheduled reconciliation failed', { error: e });
      });
    }, delay);
  }

  /**
   * One reconciliation step for one entry; returns the entry as stored afterwards. Concurrent callers for the same
   * entry (the call that got the unknown answer and a pass started by a reconnect) share one step.
   */
  reconcileEntry(entry: JournalEntry, isWaitingForSession: boolean): Promise<JournalEntry> {
    const running = this.#running.get(entry.id);
    if (running !== undefined) return running;
    const step = this.#reconcileOnce(entry.id, isWaitingForSession).finally(() => {
      this.#running.delete(entry.id);
    });
    this.#running.set(entry.id, step);
    return step;
  }

  /** Waits up to `ms` for `account`'s session (undefined: the active one) to be open. */
  waitForSession(ms: number, account: string | undefined): Promise<boolean> {
    const { bridge, timers } = this.#ctx;
    if (bridge.isConnected(account)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = timers.setTimeout(() => {
        off();
        resolve(bridge.isConnected(account));
      }, ms);
      const off = bridge.onSessionReady((opened) => {
        if (account !== undefined && opened !== account) return;
        timers.clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  async #reconcileAll(): Promise<ReconcileSummary> {
    const ctx = this.#ctx;
    // Entries (and close_all parents) still running here are settled by their own call, not by a pass.
    const open = ctx.journal.listOpen().filter((e) => !ctx.inFlight.has(e.id));
    let done = 0;
    let notExecuted = 0;
    let stillUnknown = 0;
    const parents: string[] = [];
    for (const e of open) {
      if (e.operation === 'close_all' && e.parentId === null) {
        parents.push(e.id);
        continue;
      }
      const settled = await this.reconcileEntry(e, false);
      if (settled.state === 'done') done += 1;
      else if (settled.state === 'rejected' || settled.state === 'failed') notExecuted += 1;
      else stillUnknown += 1;
    }
    for (const id of parents) {
      const p = settleParent(ctx.journal, ctx.clock, id);
      if (p.state !== 'unknown') ctx.results.emit({ result: resultOf(ctx.journal, p), entry: p });
    }
    const summary = { checked: open.length, done, notExecuted, stillUnknown };
    if (open.length > 0) ctx.logger.info('reconciliation pass', { ...summary });
    return summary;
  }

  async #reconcileOnce(id: string, isWaitingForSession: boolean): Promise<JournalEntry> {
    const ctx = this.#ctx;
    const before = ctx.journal.get(id)?.state;
    const settled = await this.#reconcileStep(id, isWaitingForSession);
    if (!isOpenState(settled.state)) {
      ctx.sent.delete(id);
      this.#provableAt.delete(id);
      const event = { result: resultOf(ctx.journal, settled), entry: settled };
      ctx.results.emit(event);
      // Settled by a pass, not inside the call that sent it: the trader was told "unknown" (or, after a restart,
      // nothing), so an execution found now must reach them loudly.
      if (!isWaitingForSession && settled.state === 'done' && before !== undefined && isOpenState(before)) {
        ctx.logger.warn('an order thought unknown was executed', { clientOrderId: settled.clientOrderId });
        ctx.lateExecutions.emit(event);
      }
    }
    return settled;
  }

  async #reconcileStep(id: string, isWaitingForSession: boolean): Promise<JournalEntry> {
    const { journal, bridge, clock, opt, settings, logger } = this.#ctx;
    const entry = journal.get(id);
    if (entry === undefined) throw new Error(`reconcile: no journal entry ${id}`);
    // Another path settled it meanwhile.
    if (!isOpenState(entry.state)) return entry;
    const since = entry.sentAt ?? entry.createdAt;
    const wait = since + opt.reconcileGraceMs - clock.now();
    if (wait > 0) await sleep(this.#ctx.timers, wait);
    // Only the account the order was sent to can tell what happened to it; rows from before accounts were
    // journalled (null) fall back to the active session.
    const account = journal.accountOf(entry.id) ?? undefined;
    if (isWaitingForSession) await this.waitForSession(opt.reconnectWaitMs, account);
    if (!bridge.isConnected(account)) {
      return this.#markStillUnknown(entry, `the terminal of ${account ?? 'the account'} is not connected`);
    }
    // The live positions and orders some decisions compare with, read before the lookups: a close still running
    // elsewhere that lands in between then shows as its deal, never as "the position is gone". The session and the
    // time are taken first, so a proof from them covers the live data too.
    const liveVia = bridge.sessionId(account);
    const askedAt = clock.now();
    const live = await this.#live(entry.operation, account);
    // Every attempt id the entry may have used: `attempts` is written without fsync, so after a power cut it
    // can name an earlier attempt than the one that reached the market (a filled retry must not read as
    // "not executed"). History is searched from a day before the entry was created (the EA's default window
    // would miss an order settled after a long absence).
    const limits = settings.peek().riskLimits;
    const lastAttempt = Math.max(1, entry.attempts, 1 + (limits.isRetryAllowed ? limits.maxRetries : 0));
    const sinceMs = Math.max(0, entry.createdAt - LOOKUP_HISTORY_MARGIN_MS);
    const spec = entry.symbol === null ? undefined : this.#data.cachedSpec(entry.symbol);
    const wording = {
      digits: spec?.digits ?? 5,
      ...(spec === undefined ? {} : { volumeStep: spec.volumeStep }),
    };
    const sent = this.#ctx.sent.get(entry.id);
    const sentAt = entry.sentAt ?? entry.createdAt;
    const absence = {
      sentAt,
      expiresAt: sent?.expiresAt ?? sentAt + deadlineOf(entry, opt.sendDeadlineMs),
      sentVia: sent?.via,
      askedAt,
      historyFromMs: sinceMs,
      sameSessionMarginMs: opt.sameSessionProofMarginMs,
      otherSessionMarginMs: opt.otherSessionProofMarginMs,
    };
    const answers: AttemptAnswer[] = [];
    let provableAt: number | undefined;
    for (let n = 1; n <= lastAttempt; n += 1) {
      const clOrdId = attemptClOrdId(entry.clientOrderId, n);
      const lookupVia = bridge.sessionId(account);
      const found = await bridge.lookup(
        clOrdId,
        opt.lookupDeadlineMs,
        account === undefined ? { sinceMs } : { account, sinceMs },
      );
      // An error (terminal busy, offline from the trade server, still synchronising) proves nothing.
      if (!found.ok) return this.#markStillUnknown(entry, found.error.message);
      const proof = absenceProof({ ...absence, askedVia: lookupVia === liveVia ? lookupVia : undefined });
      const decision = withProof(decideLookup(entry, found.value, live, wording), proof);
      if (decision.state === 'unknown' && decision.provableAt !== undefined) provableAt = decision.provableAt;
      answers.push({ clOrdId, look: found.value, decision });
      if (decision.state === 'done') break;
    }
    const combined = combineAttempts(answers);
    const isStillUnknown = combined === undefined || combined.decision.state === 'unknown';
    if (isStillUnknown && provableAt !== undefined) this.#provableAt.set(entry.id, provableAt);
    else this.#provableAt.delete(entry.id);
    if (combined === undefined) {
      const why =
        provableAt === undefined
          ? 'no lookup answer'
          : `no trace yet, which proves nothing before ${new Date(provableAt).toISOString()}`;
      return this.#markStillUnknown(entry, why);
    }
    const { chosen } = combined;
    const decision: Decision = combined.decision;
    const base: JournalPatch = {
      reconcileAttempts: entry.reconcileAttempts + 1,
      response: { lookup: chosen.look, previous: entry.response },
    };
    logger.info('reconciled', {
      clientOrderId: chosen.clOrdId,
      decision: decision.state,
      found: chosen.look.found,
      ...(provableAt === undefined ? {} : { provableAt }),
    });
    if (decision.state === 'unknown') {
      return journal.update(entry.id, {
        ...base,
        state: 'unknown',
        outcome: 'unknown',
        message: UNKNOWN_OUTCOME_MESSAGE,
        errorCode: 'OUTCOME_UNKNOWN',
      });
    }
    return journal.update(entry.id, {
      ...base,
      ...decision.patch,
      state: decision.state,
      completedAt: clock.now(),
    });
  }

  async #live(operation: JournalEntry['operation'], account: string | undefined): Promise<LiveState> {
    const { bridge } = this.#ctx;
    const needs = liveNeeds(operation);
    const [positions, orders] = await Promise.all([
      needs.positions ? bridge.positions(undefined, account) : null,
      needs.orders ? bridge.orders(undefined, account) : null,
    ]);
    return {
      positions: positions?.ok === true ? positions.value : null,
      orders: orders?.ok === true ? orders.value : null,
    };
  }

  #markStillUnknown(entry: JournalEntry, why: string): JournalEntry {
    this.#ctx.logger.warn('reconciliation postponed', { clientOrderId: entry.clientOrderId, why });
    return this.#ctx.journal.update(entry.id, {
      state: 'unknown',
      outcome: 'unknown',
      errorCode: 'OUTCOME_UNKNOWN',
      message: UNKNOWN_OUTCOME_MESSAGE,
      reconcileAttempts: entry.reconcileAttempts + 1,
    });
  }
}
