import { useMemo, type ReactNode } from 'react';
import type { JournalEntry, JournalState } from '../../../src-core/contracts/journal';
import { retcodeInfo } from '../../../src-core/trading/retcodes';
import { clockSuffix, formatDateTime, formatPrice, formatVolume } from '../../app/format';
import { filterJournal } from '../../store/journal-slice';
import { useApp, useClock, useController } from '../../store/use-app';
import { serverToUtcMs } from '../../../src-core/time/clock-model';
import { TerminalCloseRow, terminalCloses } from '../history/TerminalCloseRow';

const OPERATION_LABEL: Readonly<Record<JournalEntry['operation'], string>> = {
  open_market: 'Market order',
  place_pending: 'Pending order',
  modify_position: 'Modify SL/TP',
  modify_order: 'Modify order',
  close_position: 'Close',
  close_all: 'Close all',
  cancel_order: 'Delete order',
};

const STATE_LABEL: Readonly<Record<JournalState, string>> = {
  pending: 'pending',
  sent: 'sent',
  done: 'done',
  rejected: 'rejected',
  unknown: 'unknown',
  failed: 'failed',
};

const STATE_FILTERS: readonly { label: string; states: readonly JournalState[] }[] = [
  { label: 'All', states: [] },
  { label: 'Done', states: ['done'] },
  { label: 'Refused', states: ['rejected', 'failed'] },
  { label: 'In flight', states: ['pending', 'sent', 'unknown'] },
];

/** The retcode as a trader reads it: MT5's sentence for it from the core's table, or the app's error code. */
function retcodeText(e: JournalEntry): { short: string; words: string } {
  if (e.retcode === null) return { short: e.errorCode ?? '', words: e.errorCode ?? '' };
  const info = retcodeInfo(e.retcode);
  return { short: `${e.retcode} · ${info.message}`, words: `${info.constant}: ${info.message}` };
}

/** Every intent with its state, retcode in words, prices and latency; filterable. */
export function Journal(): ReactNode {
  const entries = useApp((s) => s.journal);
  const filter = useApp((s) => s.journalFilter);
  const setFilter = useApp((s) => s.setJournalFilter);
  const specs = useApp((s) => s.specs);
  const controller = useController();
  const clock = useClock();
  const shown = useMemo(() => filterJournal(entries, filter), [entries, filter]);
  // Closes the trade server made itself (SL, TP, stop-out) are not intents; they come from the deals, in time order.
  const deals = useApp((s) => s.deals);
  const closes = useMemo(
    () =>
      terminalCloses(deals, filter).map((deal) => ({
        deal,
        utcMs: serverToUtcMs(deal.timeMs, clock.serverOffsetSec),
      })),
    [deals, filter, clock.serverOffsetSec],
  );
  const rows = useMemo(
    () =>
      [
        ...shown.map((entry) => ({ atMs: entry.createdAt, entry, close: null })),
        ...closes.map((close) => ({ atMs: close.utcMs, entry: null, close })),
      ].sort((a, b) => b.atMs - a.atMs),
    [shown, closes],
  );
  const symbols = useMemo(
    () => [...new Set(entries.map((e) => e.symbol).filter((s): s is string => s !== null))].sort(),
    [entries],
  );
  const activeFilter = STATE_FILTERS.find((f) => f.states.join() === filter.states.join())?.label ?? 'All';

  return (
    <div className="tab-body" data-testid="journal">
      <div className="table-tools">
        <div className="segmented" role="radiogroup" aria-label="State">
          {STATE_FILTERS.map((f) => (
            <button
              key={f.label}
              type="button"
              role="radio"
              aria-checked={activeFilter === f.label}
              className={activeFilter === f.label ? 'on' : ''}
              data-testid={`journal-filter-${f.label.toLowerCase().replace(' ', '-')}`}
              onClick={() => {
                setFilter({ states: f.states });
              }}
            >
              {f.label}
            </button>
          ))}
        </div>
        <select
          value={filter.symbol}
          aria-label="Symbol"
          data-testid="journal-symbol"
          onChange={(e) => {
            setFilter({ symbol: e.target.value });
          }}
        >
          <option value="">All symbols</option>
          {symbols.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Search messages, tickets…"
          value={filter.text}
          data-testid="journal-search"
          onChange={(e) => {
            setFilter({ text: e.target.value });
          }}
        />
        <div className="spacer" />
        <span className="muted small" data-testid="journal-count">
          {shown.length} of {entries.length}
        </span>
        <button
          type="button"
          className="btn tiny ghost"
          onClick={() => {
            void controller.loadJournal();
          }}
        >
          Load older
        </button>
      </div>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Journal entries">
        <table className="grid journal-table">
          <thead>
            <tr>
              <th data-testid="journal-time-header">Time ({clockSuffix(clock.zone)})</th>
              <th>Intent</th>
              <th>Symbol</th>
              <th>Side</th>
              <th className="num">Volume</th>
              <th className="num">Price</th>
              <th>State</th>
              <th className="wide-only">Retcode</th>
              <th>Message</th>
              <th className="num wide-only">ms</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ entry: e, close }) => {
              if (e === null) return <TerminalCloseRow key={`deal-${close.deal.ticket}`} {...close} />;
              const digits = e.symbol === null ? 5 : (specs[e.symbol]?.digits ?? 5);
              const price = e.filledPrice ?? e.requestedPrice;
              return (
                <tr
                  key={e.id}
                  data-testid={`journal-row-${e.id}`}
                  data-state={e.state}
                  data-operation={e.operation}
                >
                  <td className="num muted">{formatDateTime(e.createdAt, clock.zone)}</td>
                  <td>
                    {OPERATION_LABEL[e.operation]}
                    {e.origin === 'remote' ? <span className="badge">remote</span> : null}
                    {e.accountKind === 'paper' ? (
                      <span className="paper-mark" data-testid={`journal-paper-${e.id}`}>
                        PAPER
                      </span>
                    ) : e.accountKind === 'replay' ? (
                      <span className="paper-mark replay" data-testid={`journal-replay-${e.id}`}>
                        REPLAY
                      </span>
                    ) : null}
                  </td>
                  <td className="sym">{e.symbol ?? ''}</td>
                  <td
                    className={
                      e.side?.startsWith('buy') === true
                        ? 'buy-text'
                        : e.side?.startsWith('sell') === true
                          ? 'sell-text'
                          : ''
                    }
                  >
                    {e.side?.replace('_', ' ') ?? ''}
                  </td>
                  <td className="num">{e.volume === null ? '' : formatVolume(e.filledVolume ?? e.volume)}</td>
                  <td className="num">{price === null ? '' : formatPrice(price, digits)}</td>
                  <td>
                    {/* The retcode column hides in a narrow window; the state says it on hover instead. */}
                    <span
                      className={`state-chip ${e.state}`}
                      data-testid="journal-state"
                      title={retcodeText(e).short}
                    >
                      {STATE_LABEL[e.state]}
                    </span>
                  </td>
                  <td className="muted small retcode wide-only" title={retcodeText(e).words}>
                    {retcodeText(e).short}
                  </td>
                  <td className="message" title={e.message ?? ''}>
                    {e.message ?? ''}
                  </td>
                  <td className="num muted wide-only">
                    {e.latencyMs === null ? '' : Math.round(e.latencyMs)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <p className="empty-note muted">
            {entries.length === 0 ? 'No trade intents yet.' : 'Nothing matches the filter.'}
          </p>
        ) : null}
      </div>
    </div>
  );
}
