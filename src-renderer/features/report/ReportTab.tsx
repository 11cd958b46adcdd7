import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { PeriodPicker } from '../../ui/PeriodPicker';
import { equityCsv, tradesCsv } from '../../../src-core/report/report-csv';
import { reportFigures, reportHtml } from '../../../src-core/report/report-html';
import { serverToUtcMs } from '../../../src-core/time/clock-model';
import { clockSuffix, formatDateTime } from '../../app/format';
import { useApp, useAppStore, useClock, useController, usePlaceError } from '../../store/use-app';
import { ratesFromQuotes } from '../calculator/calculator-model';
import { ensureDealsFrom } from '../history/history-feed';
import { useMinute } from '../history/use-minute';
import { EquityChart } from './EquityChart';
import { sessionStartUtcMs } from '../../store/session-clock';
import {
  accountKindOf,
  buildReport,
  exportFileName,
  REPORT_PERIODS,
  reportMark,
  reportRange,
  type ReportPeriod,
} from './report-model';
import { saveExport } from './save-export';
import './report.css';

const PLACE = 'report';
/** Figures whose value is a pair of amounts: two grid columns wide. */
const WIDE = new Set(['drawdown', 'gross']);

/**
 * The active account's report over a period (docs/user-guide.md, "Report"): the figures a backtest reports, from
 * the terminal's deals, with the balance curve, exported as HTML or CSV exactly as `npm run backtest` writes them.
 */
export function ReportTab(): ReactNode {
  const store = useAppStore();
  const controller = useController();
  const deals = useApp((s) => s.deals);
  const journal = useApp((s) => s.journal);
  const specs = useApp((s) => s.specs);
  const bridge = useApp((s) => s.bridge);
  const sessionStart = useApp(sessionStartUtcMs);
  const dealsFromMs = useApp((s) => s.dealsFromMs);
  const isLoading = useApp((s) => s.isHistoryLoading);
  // The fields the report reads, one by one: the account object changes with every tick's equity.
  const balance = useApp((s) => s.account?.balance);
  const currency = useApp((s) => s.account?.currency);
  const digits = useApp((s) => s.account?.currencyDigits ?? 2);
  const login = useApp((s) => s.account?.login ?? '');
  const server = useApp((s) => s.account?.server ?? '');
  const error = usePlaceError(PLACE);
  const clock = useClock();
  const now = useMinute();
  const [period, setPeriod] = useState<ReportPeriod>('session');
  const [custom, setCustom] = useState({ from: '', to: '' });
  const [isSaving, setSaving] = useState(false);
  const offsetSec = clock.serverOffsetSec;
  const mark = reportMark(bridge);
  const accountKind = accountKindOf(mark);

  const range = useMemo(
    () =>
      reportRange({
        period,
        nowUtcMs: now,
        zone: clock.zone,
        offsetSec,
        custom,
        sessionStartUtcMs: sessionStart,
        dealsFromMs,
      }),
    [period, now, clock.zone, offsetSec, custom, sessionStart, dealsFromMs],
  );
  const fromMs = range?.fromMs;
  useEffect(() => {
    if (fromMs === undefined || period === 'all') return;
    void ensureDealsFrom(controller.client, store, fromMs);
  }, [controller, store, fromMs, period]);

  const built = useMemo(() => {
    if (range === null || balance === undefined || currency === undefined) return null;
    // Rates only turn a stop's distance into money (average R): the quotes of this moment are read, not followed.
    const s = store.getState();
    return buildReport(
      {
        deals,
        account: { balance, currency, currencyDigits: digits },
        journal,
        accountKind,
        specs,
        rates: ratesFromQuotes(specs, s.quotes),
      },
      range,
    );
  }, [store, range, balance, currency, digits, deals, journal, accountKind, specs]);

  const suffix = clockSuffix(clock.zone);
  const when = (serverMs: number): string => formatDateTime(serverToUtcMs(serverMs, offsetSec), clock.zone);
  const periodLabel = REPORT_PERIODS.find((p) => p.id === period)?.label ?? '';
  const subtitle =
    range === null
      ? ''
      : `${periodLabel.replace('…', '')}: ${when(range.fromMs)} to ${range.toMs === null ? 'now' : when(range.toMs)} (${suffix} time)`;
  const title = `Pipdesk report — account ${login} @ ${server}`;

  const save = async (what: 'report' | 'trades' | 'equity'): Promise<void> => {
    if (built === null || currency === undefined) return;
    const content =
      what === 'report'
        ? reportHtml({
            title,
            subtitle,
            mark,
            currency,
            currencyDigits: digits,
            curve: 'balance',
            report: built.report,
            equity: built.equity,
            trades: built.trades,
          })
        : what === 'trades'
          ? tradesCsv(built.trades, digits)
          : equityCsv(built.equity, digits);
    setSaving(true);
    try {
      const r = await saveExport(controller.client, {
        fileName: exportFileName(what, login, Date.now(), mark),
        kind: what === 'report' ? 'html' : 'csv',
        content,
      });
      store.getState().setError(PLACE, r.ok ? null : r.error.message);
    } finally {
      setSaving(false);
    }
  };

  const figures =
    built === null || currency === undefined ? [] : reportFigures(built.report, currency, digits);
  const canExport = built !== null && !isSaving;
  return (
    <div className="tab-body" data-testid="report">
      <div className="table-tools report-tools">
        {mark === null ? null : (
          <span className={mark === 'REPLAY' ? 'paper-mark replay' : 'paper-mark'} data-testid="report-mark">
            {mark}
          </span>
        )}
        <PeriodPicker
          periods={REPORT_PERIODS}
          period={period}
          onPeriod={setPeriod}
          custom={custom}
          onCustom={setCustom}
          clockSuffix={suffix}
          label="Report period"
          testIdPrefix="report"
        />
        <span className="muted small report-range" data-testid="report-range">
          {isLoading ? 'Loading…' : range === null ? '' : subtitle.slice(subtitle.indexOf(':') + 2)}
        </span>
        <div className="spacer" />
        <span className="muted small">Export</span>
        <button
          type="button"
          className="btn tiny ghost"
          data-testid="report-export-html"
          disabled={!canExport}
          onClick={() => void save('report')}
        >
          HTML
        </button>
        <button
          type="button"
          className="btn tiny ghost"
          data-testid="report-export-trades"
          disabled={!canExport}
          onClick={() => void save('trades')}
        >
          Trades CSV
        </button>
        <button
          type="button"
          className="btn tiny ghost"
          data-testid="report-export-equity"
          disabled={!canExport}
          onClick={() => void save('equity')}
        >
          Balance CSV
        </button>
      </div>
      {error === undefined ? null : (
        <div className="inline-error" role="alert" data-testid="report-error">
          {error}
        </div>
      )}
      {built === null ? (
        <p className="empty-note muted" data-testid="report-empty">
          {currency === undefined
            ? 'Connect a terminal to see its report.'
            : period === 'custom'
              ? 'Choose both dates.'
              : 'Loading the history…'}
        </p>
      ) : (
        <div className="report-body">
          {/* Focusable: in a low window the last figures scroll, and a keyboard must reach them too. */}
          <dl
            className="report-figures"
            data-testid="report-figures"
            tabIndex={0}
            aria-label="Report figures"
          >
            {figures.map((f) => (
              <div key={f.id} className={WIDE.has(f.id) ? 'report-figure wide' : 'report-figure'}>
                <dt>{f.label}</dt>
                <dd data-testid={`report-${f.id}`}>{f.value}</dd>
              </div>
            ))}
            <div className="report-figure wide">
              <dt>Balance start → end</dt>
              <dd data-testid="report-balance">
                {built.report.startBalance.toFixed(digits)} → {built.report.endEquity.toFixed(digits)}{' '}
                {currency}
              </dd>
            </div>
          </dl>
          <div className="report-curve">
            {built.report.trades === 0 ? (
              <p className="empty-note muted" data-testid="report-no-trades">
                No closed trades in this period.
              </p>
            ) : (
              <EquityChart
                points={built.equity}
                label={`Balance from ${built.report.startBalance.toFixed(digits)} to ${built.report.endEquity.toFixed(digits)} ${currency ?? ''}`}
              />
            )}
          </div>
        </div>
      )}
    </div>
  );
}
