import type { AccountInfo, BridgeStatus } from '../../../src-core/contracts/ipc';
import type { AccountKind, JournalEntry } from '../../../src-core/contracts/journal';
import type { Deal } from '../../../src-core/history/deal';
import { accountReport, type AccountReport } from '../../../src-core/report/account-report';
import { riskPerLotFromJournal } from '../../../src-core/report/initial-risk';
import { utcToServerMs, type ClockZone } from '../../../src-core/time/clock-model';
import type { Rates } from '../../../src-core/trading/conversion';
import { calculateProfit } from '../../../src-core/trading/profit';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { periodRange } from '../history/history-view';
import { simulatedMark } from '../paper/PaperMark';

/** The Report tab's period choices. */
export type ReportPeriod = 'session' | 'today' | 'week' | 'all' | 'custom';

export const REPORT_PERIODS: readonly { readonly id: ReportPeriod; readonly label: string }[] = [
  { id: 'session', label: 'This session' },
  { id: 'today', label: 'Today' },
  { id: 'week', label: 'This week' },
  { id: 'all', label: 'All loaded history' },
  { id: 'custom', label: 'Dates…' },
];

/** A period on the trade server's clock (deal times), start inclusive; `toMs` null = up to now. */
export interface ServerRange {
  readonly fromMs: number;
  readonly toMs: number | null;
}

/**
 * The server-clock range a period covers. "This session" starts when the active account connected in this run
 * of the app (a paper account: when it was opened; a replay: its clock when it was opened); "all loaded history" at the oldest deal time loaded (null
 * until a load answered). Today, this week and dates are whole days on the trader's chosen clock, as in History.
 */
export function reportRange(input: {
  readonly period: ReportPeriod;
  readonly nowUtcMs: number;
  readonly zone: ClockZone;
  readonly offsetSec: number;
  readonly custom: { readonly from: string; readonly to: string };
  /** When the active session began (UTC; `sessionStartUtcMs` in store/session-clock.ts), or null without one. */
  readonly sessionStartUtcMs: number | null;
  /** The oldest server time the deals are loaded from, or null before a load. */
  readonly dealsFromMs: number | null;
}): ServerRange | null {
  const server = (utcMs: number): number => Math.max(0, utcToServerMs(utcMs, input.offsetSec));
  switch (input.period) {
    case 'session':
      return input.sessionStartUtcMs === null
        ? null
        : { fromMs: server(input.sessionStartUtcMs), toMs: null };
    case 'all':
      return input.dealsFromMs === null ? null : { fromMs: input.dealsFromMs, toMs: null };
    case 'today':
    case 'week':
    case 'custom': {
      const r = periodRange(input.period, input.nowUtcMs, input.zone, input.custom);
      return r === null
        ? null
        : { fromMs: server(r.fromUtcMs), toMs: r.toUtcMs === null ? null : server(r.toUtcMs) };
    }
  }
}

/**
 * PAPER (a paper account, docs/paper-trading.md), REPLAY (a replay session, docs/replay.md) or null: the mark the
 * report carries, on screen and in files. The same mark the header and tickets show, from the bridge's state.
 */
export function reportMark(bridge: BridgeStatus | null): 'PAPER' | 'REPLAY' | null {
  return simulatedMark({ bridge });
}

/** The kind of account a mark stands for, as the journal records it. */
export function accountKindOf(mark: 'PAPER' | 'REPLAY' | null): AccountKind {
  return mark === 'PAPER' ? 'paper' : mark === 'REPLAY' ? 'replay' : 'real';
}

/** What {@link buildReport} reads from the store. */
export interface ReportSources {
  readonly deals: Readonly<Record<string, Deal>>;
  readonly account: Pick<AccountInfo, 'balance' | 'currency' | 'currencyDigits'>;
  /** The journal entries in memory: Pipdesk's own market orders carry the stop each trade opened with. */
  readonly journal: readonly JournalEntry[];
  /** Which kind of account the report is of: its journal rows are the ones that carry the same kind. */
  readonly accountKind: AccountKind;
  readonly specs: Readonly<Record<string, SymbolSpec>>;
  readonly rates: Rates;
}

/**
 * The active account's report over a range: its deals, its balance now, and the initial stops of the orders
 * Pipdesk sent to this kind of account (a paper account's or a replay's position ids are its own, apart from the
 * real ones).
 */
export function buildReport(sources: ReportSources, range: ServerRange): AccountReport {
  const { account, specs, rates } = sources;
  const entries = sources.journal.filter((e) => (e.accountKind ?? 'real') === sources.accountKind);
  const riskPerLot = riskPerLotFromJournal(entries, (symbol, side, entry, stop) => {
    const spec = specs[symbol];
    if (spec === undefined) return undefined;
    const profit = calculateProfit({
      spec,
      side,
      volume: 1,
      openPrice: entry,
      closePrice: stop,
      accountCurrency: account.currency,
      rates,
      currencyDigits: account.currencyDigits,
    });
    return profit.ok ? -profit.value : undefined;
  });
  return accountReport({
    deals: Object.values(sources.deals),
    fromMs: range.fromMs,
    toMs: range.toMs,
    balanceNow: account.balance,
    riskPerLot,
    currencyDigits: account.currencyDigits,
  });
}

/**
 * A file name of the export: `pipdesk-<what>-[paper-|replay-]<login>-<yyyy-mm-dd>.<ext>`, only characters any disk
 * accepts. The CSV files have the backtest's columns and no room for a mark, so a simulated account's say so in
 * their name; the date is the day of the export on the computer's clock.
 */
export function exportFileName(
  what: 'report' | 'trades' | 'equity',
  login: string,
  nowUtcMs: number,
  mark: 'PAPER' | 'REPLAY' | null = null,
): string {
  const safeLogin = login.replace(/[^\w-]/g, '') || 'account';
  const ext = what === 'report' ? 'html' : 'csv';
  const kind = mark === null ? '' : `${mark.toLowerCase()}-`;
  return `pipdesk-${what}-${kind}${safeLogin}-${new Date(nowUtcMs).toISOString().slice(0, 10)}.${ext}`;
}
