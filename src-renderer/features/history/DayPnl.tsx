import { useMemo, type ReactNode } from 'react';
import { closedTrades } from '../../../src-core/history/closed-trades';
import { realisedToday } from '../../../src-core/history/totals';
import { formatSignedMoney } from '../../app/format';
import { selectServerOffsetSec, useApp } from '../../store/use-app';
import { useMinute } from './use-minute';

/**
 * The account bar's realised P/L of the day: every close since midnight on the trade server's clock (the day
 * MT5 and the broker's statements use, whatever Settings → "Times in" says), swap and commission included.
 */
export function DayPnl(): ReactNode {
  const deals = useApp((s) => s.deals);
  const currency = useApp((s) => s.account?.currency);
  const digits = useApp((s) => s.account?.currencyDigits ?? 2);
  const offsetSec = useApp(selectServerOffsetSec);
  const isLoaded = useApp((s) => s.dealsFromMs !== null);
  const now = useMinute();
  const trades = useMemo(() => closedTrades(Object.values(deals), digits), [deals, digits]);
  const day = realisedToday(trades, now, offsetSec, digits);
  return (
    <div
      className="figure"
      title="Closed trades since midnight on the trade server's clock, swap and commission included"
    >
      <span className="figure-label">Today (server)</span>
      <span
        className={`figure-value num ${day > 0 ? 'pos' : day < 0 ? 'neg' : ''}`}
        data-testid="account-day-pnl"
      >
        {isLoaded ? formatSignedMoney(day, currency) : '—'}
      </span>
    </div>
  );
}
