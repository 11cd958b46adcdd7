import type { ReactNode } from 'react';
import { closeReasonWords } from '../../../src-core/history/csv';
import { isTerminalClose, type Deal } from '../../../src-core/history/deal';
import type { JournalFilter } from '../../store/journal-slice';
import { formatDateTime, formatPrice, formatSignedMoney, formatVolume } from '../../app/format';
import { useApp, useClock } from '../../store/use-app';

/**
 * Closes the trade server made by itself (stop loss, take profit, stop-out), for the Journal view. The journal
 * records Pipdesk's intents, and these are not intents: they are read from the terminal's deals and shown between
 * the journal's rows, each linking to its row in History (docs/ui.md, "Closes by SL, TP and stop-out").
 */
export function terminalCloses(deals: Readonly<Record<string, Deal>>, filter: JournalFilter): Deal[] {
  if (filter.states.length > 0 && !filter.states.includes('done')) return [];
  const text = filter.text.trim().toLowerCase();
  return Object.values(deals).filter(
    (d) =>
      isTerminalClose(d) &&
      (filter.symbol === '' || d.symbol === filter.symbol) &&
      (text === '' ||
        `${d.ticket} ${d.positionId} ${d.symbol} ${closeReasonWords(d.reason)}`.toLowerCase().includes(text)),
  );
}

/** One terminal close as a journal row, in the journal table's columns. */
export function TerminalCloseRow(props: { deal: Deal; utcMs: number }): ReactNode {
  const { deal, utcMs } = props;
  const clock = useClock();
  const digits = useApp((s) => s.specs[deal.symbol]?.digits ?? 5);
  const currency = useApp((s) => s.account?.currency);
  const setTab = useApp((s) => s.setBottomTab);
  const focus = useApp((s) => s.focusHistory);
  const net = deal.profit + deal.swap + deal.commission;
  return (
    <tr data-testid={`journal-terminal-${deal.ticket}`} data-state="done" data-operation="terminal_close">
      <td className="num muted">{formatDateTime(utcMs, clock.zone)}</td>
      <td>
        Closed by {closeReasonWords(deal.reason)}
        <span className="badge">terminal</span>
      </td>
      <td className="sym">{deal.symbol}</td>
      <td className={deal.kind === 'buy' ? 'sell-text' : 'buy-text'}>
        {deal.kind === 'buy' ? 'sell' : 'buy'}
      </td>
      <td className="num">{formatVolume(deal.volume)}</td>
      <td className="num">{formatPrice(deal.price, digits)}</td>
      <td>
        <span className="state-chip done">done</span>
      </td>
      <td className="muted small">deal {deal.ticket}</td>
      <td className="message">
        Position #{deal.positionId} closed by the trade server: {formatSignedMoney(net, currency)}.{' '}
        <button
          type="button"
          className="btn tiny ghost"
          data-testid={`journal-terminal-open-${deal.ticket}`}
          onClick={() => {
            focus(deal.ticket);
            setTab('history');
          }}
        >
          Show in History
        </button>
      </td>
      <td />
    </tr>
  );
}
