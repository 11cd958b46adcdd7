import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { PeriodPicker } from '../../ui/PeriodPicker';
import { closeReasonWords, tradesToCsv } from '../../../src-core/history/csv';
import type { ClosedTrade } from '../../../src-core/history/closed-trades';
import { filterTrades, sumTrades, totalsBy, type TradeTotals } from '../../../src-core/history/totals';
import { serverToUtcMs, utcToServerMs } from '../../../src-core/time/clock-model';
import {
  clockSuffix,
  formatDateTime,
  formatPips,
  formatPrice,
  formatSignedMoney,
  formatVolume,
} from '../../app/format';
import { downloadText } from '../../app/download';
import { Segmented } from '../../ui/controls';
import { useApp, useAppStore, useClock, useController, usePlaceError } from '../../store/use-app';
import { ensureDealsFrom } from './history-feed';
import { periodRange, pipsWith, tradesOf, type HistoryPeriod } from './history-view';
import { useMinute } from './use-minute';
import './history.css';

const PERIODS: readonly { id: HistoryPeriod; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: 'week', label: 'This week' },
  { id: 'month', label: 'This month' },
  { id: 'quarter', label: '3 months' },
  { id: 'custom', label: 'Dates…' },
];

const money = (n: number, currency: string | undefined): string => formatSignedMoney(n, currency);
const tone = (n: number): string => (n > 0 ? 'pos' : n < 0 ? 'neg' : '');

function Summary(props: { totals: TradeTotals; currency: string | undefined }): ReactNode {
  const { totals, currency } = props;
  return (
    <div className="history-summary" data-testid="history-totals" aria-label="Totals of the filter">
      <span>
        Trades <b data-testid="history-total-trades">{totals.trades}</b>
      </span>
      <span>
        Lots <b>{formatVolume(totals.volume)}</b>
      </span>
      <span>
        Commission <b>{money(totals.commission, currency)}</b>
      </span>
      <span>
        Swap <b>{money(totals.swap, currency)}</b>
      </span>
      <span>
        Profit <b>{money(totals.profit, currency)}</b>
      </span>
      <span>
        Net{' '}
        <b className={tone(totals.net)} data-testid="history-total-net">
          {money(totals.net, currency)}
        </b>
      </span>
    </div>
  );
}

/**
 * Closed trades from the terminal's deals (docs/ui.md, "History, P/L and notifications"): one row per close,
 * partial closes and closes by SL, TP or stop-out included; totals of the filter, per day or per week; CSV.
 */
export function HistoryTab(): ReactNode {
  const store = useAppStore();
  const controller = useController();
  const deals = useApp((s) => s.deals);
  const account = useApp((s) => s.account);
  const specs = useApp((s) => s.specs);
  const isLoading = useApp((s) => s.isHistoryLoading);
  const isTruncated = useApp((s) => s.isHistoryTruncated);
  const focus = useApp((s) => s.historyFocus);
  const error = usePlaceError('history');
  const clock = useClock();
  const [period, setPeriod] = useState<HistoryPeriod>('week');
  const [symbol, setSymbol] = useState('');
  const [view, setView] = useState<'trades' | 'day' | 'week'>('trades');
  const [custom, setCustom] = useState({ from: '', to: '' });
  const focusedRow = useRef<HTMLTableRowElement | null>(null);

  const currency = account?.currency;
  const digits = account?.currencyDigits ?? 2;
  const offsetSec = clock.serverOffsetSec;
  const now = useMinute();
  const range = useMemo(
    () => periodRange(period, now, clock.zone, { from: custom.from, to: custom.to }),
    [period, now, clock.zone, custom.from, custom.to],
  );
  const fromUtcMs = range?.fromUtcMs;

  useEffect(() => {
    if (fromUtcMs === undefined) return;
    void ensureDealsFrom(controller.client, store, utcToServerMs(fromUtcMs, offsetSec));
  }, [controller, store, fromUtcMs, offsetSec]);

  const all = useMemo(() => tradesOf(deals, digits), [deals, digits]);
  const symbols = useMemo(() => [...new Set(all.map((t) => t.symbol))].sort(), [all]);
  const shown = useMemo(
    () =>
      range === null
        ? []
        : filterTrades(
            all,
            { symbol, fromUtcMs: range.fromUtcMs, toUtcMs: range.toUtcMs ?? undefined },
            offsetSec,
          ),
    [all, symbol, range, offsetSec],
  );
  const totals = useMemo(() => sumTrades(shown, digits), [shown, digits]);
  const periods = useMemo(
    () => (view === 'trades' ? [] : totalsBy(view, shown, clock.zone, offsetSec, digits)),
    [view, shown, clock.zone, offsetSec, digits],
  );

  useEffect(() => {
    if (focus !== null) focusedRow.current?.scrollIntoView({ block: 'nearest' });
  }, [focus, shown]);

  const exportCsv = (): void => {
    const csv = tradesToCsv(shown, {
      zone: clock.zone,
      offsetSec,
      currency: currency ?? '',
      currencyDigits: digits,
      digitsOf: (s) => specs[s]?.digits,
      pipsOf: (t) => pipsWith(t, specs[t.symbol]),
    });
    const stamp = new Date().toISOString().slice(0, 10);
    downloadText(`pipdesk-history-${account?.login ?? 'account'}-${stamp}.csv`, csv, 'text/csv');
  };

  const suffix = clockSuffix(clock.zone);
  // Month-day and time: the year is in the period chosen, and a narrow window needs the room.
  const time = (serverMs: number | null): string =>
    serverMs === null ? '—' : formatDateTime(serverToUtcMs(serverMs, offsetSec), clock.zone).slice(5);

  return (
    <div className="tab-body" data-testid="history">
      <div className="table-tools history-tools">
        <PeriodPicker
          periods={PERIODS}
          period={period}
          onPeriod={setPeriod}
          custom={custom}
          onCustom={setCustom}
          clockSuffix={suffix}
          label="Period"
          testIdPrefix="history"
        />
        <select
          value={symbol}
          aria-label="Symbol"
          data-testid="history-symbol"
          onChange={(e) => {
            setSymbol(e.target.value);
          }}
        >
          <option value="">All symbols</option>
          {symbols.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <Segmented<'trades' | 'day' | 'week'>
          value={view}
          testId="history-view"
          label="Show"
          options={[
            { value: 'trades', label: 'Trades' },
            { value: 'day', label: 'Per day' },
            { value: 'week', label: 'Per week' },
          ]}
          onChange={setView}
        />
        <span className="muted small">{isLoading ? 'Loading…' : `Times: ${suffix}`}</span>
        <div className="spacer" />
        <button
          type="button"
          className="btn tiny ghost"
          data-testid="history-export"
          disabled={shown.length === 0}
          onClick={exportCsv}
        >
          Export CSV
        </button>
      </div>
      {error === undefined ? null : (
        <div className="inline-error" role="alert" data-testid="history-error">
          {error}
        </div>
      )}
      {isTruncated ? (
        <p className="muted small" role="status">
          The terminal has more deals than one answer carries: the oldest are left out. Choose a shorter
          period.
        </p>
      ) : null}
      <Summary totals={totals} currency={currency} />
      {view === 'trades' ? (
        <div className="table-scroll">
          <table className="grid history-table">
            <thead>
              <tr>
                <th className="num wide-only">Position</th>
                <th>Symbol</th>
                <th>Type</th>
                <th className="num">Volume</th>
                <th className="wide-only">Open ({suffix})</th>
                <th className="num">Open</th>
                <th data-testid="history-close-time-header">Closed ({suffix})</th>
                <th className="num">Close</th>
                <th>By</th>
                <th className="num">Pips</th>
                <th className="num wide-only">Comm.</th>
                <th className="num wide-only">Swap</th>
                <th className="num">Profit</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t: ClosedTrade) => {
                const spec = specs[t.symbol];
                const d = spec?.digits ?? 5;
                const isFocused = t.id === focus;
                return (
                  <tr
                    key={t.id}
                    ref={isFocused ? focusedRow : undefined}
                    className={isFocused ? 'focused' : ''}
                    data-testid={`history-row-${t.id}`}
                    data-position={t.positionId}
                    data-reason={t.reason}
                  >
                    <td className="num muted wide-only">{t.positionId}</td>
                    <td className="sym">{t.symbol}</td>
                    <td className={t.side === 'buy' ? 'buy-text' : 'sell-text'}>{t.side}</td>
                    <td className="num">{formatVolume(t.volume, spec?.volumeStep ?? 0.01)}</td>
                    <td className="num muted wide-only">{time(t.openTimeMs)}</td>
                    <td className="num">{t.openPrice === null ? '—' : formatPrice(t.openPrice, d)}</td>
                    <td className="num muted">{time(t.closeTimeMs)}</td>
                    <td className="num">{formatPrice(t.closePrice, d)}</td>
                    <td>
                      <span className={`closed-by ${t.reason}`} data-testid="history-closed-by">
                        {t.reason === 'expert' ? 'Pipdesk' : closeReasonWords(t.reason)}
                        {t.isPartial ? ' · partial' : ''}
                      </span>
                    </td>
                    <td className={`num ${tone(pipsWith(t, spec) ?? 0)}`}>{formatPips(pipsWith(t, spec))}</td>
                    <td className="num muted wide-only">{money(t.commission, undefined)}</td>
                    <td className="num muted wide-only">{money(t.swap, undefined)}</td>
                    <td className={`num strong ${tone(t.profit)}`} data-testid={`history-profit-${t.id}`}>
                      {money(t.profit, undefined)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {shown.length === 0 ? (
            <p className="empty-note muted" data-testid="history-empty">
              {range === null ? 'Choose both dates.' : 'No closed trades in this period.'}
            </p>
          ) : null}
        </div>
      ) : (
        <div className="table-scroll">
          <table className="grid history-periods" data-testid="history-periods">
            <thead>
              <tr>
                <th>{view === 'week' ? `Week from (${suffix})` : `Day (${suffix})`}</th>
                <th className="num">Trades</th>
                <th className="num">Lots</th>
                <th className="num">Commission</th>
                <th className="num">Swap</th>
                <th className="num">Profit</th>
                <th className="num">Net</th>
              </tr>
            </thead>
            <tbody>
              {periods.map((p) => (
                <tr key={p.key} data-testid={`history-period-${p.key}`}>
                  <td className="num">{p.key}</td>
                  <td className="num">{p.trades}</td>
                  <td className="num">{formatVolume(p.volume)}</td>
                  <td className="num muted">{money(p.commission, undefined)}</td>
                  <td className="num muted">{money(p.swap, undefined)}</td>
                  <td className={`num ${tone(p.profit)}`}>{money(p.profit, undefined)}</td>
                  <td className={`num strong ${tone(p.net)}`}>{money(p.net, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {periods.length === 0 ? <p className="empty-note muted">No closed trades in this period.</p> : null}
        </div>
      )}
    </div>
  );
}
