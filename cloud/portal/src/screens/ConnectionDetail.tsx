import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { describeError } from '../api/api-error';
import { useLiveConnection } from '../api/live';
import { Connection, type SyncedJournalEntry } from '../api/schemas';
import { Link } from '../router';
import { api } from '../session/session';
import { Card, Notice } from '../ui/Controls';
import { AppLayout } from '../ui/Layouts';
import { ago, formatMoney } from './format';
import { Journal, type JournalHandle } from './Journal';
import { OrderTicket } from './OrderTicket';
import { PaperBadge, PresenceBadge, useNow } from './StatusBits';

export function ConnectionDetail(props: { id: string }): ReactNode {
  const [connection, setConnection] = useState<Connection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const journal = useRef<JournalHandle>(null);
  const onJournal = useCallback((entries: readonly SyncedJournalEntry[]) => {
    journal.current?.upsert(entries);
  }, []);
  const live = useLiveConnection(props.id, onJournal);
  const now = useNow();

  useEffect(() => {
    let current = true;
    void api.call('GET', `/connections/${encodeURIComponent(props.id)}`, Connection).then((answer) => {
      if (!current) return;
      if (answer.ok) setConnection(answer.value);
      else setError(describeError(answer.error));
    });
    return () => {
      current = false;
    };
  }, [props.id]);

  const status = live.status;
  const snapshot = status?.snapshot ?? null;
  const account = snapshot?.account ?? null;
  // The desktop's paper account (docs/paper-trading.md): simulated fills on live prices, not money at the broker.
  const isPaper = snapshot?.is_paper === true;
  const money = (v: number | undefined): string =>
    v === undefined || account === null ? '—' : formatMoney(v, account.currency);

  return (
    <AppLayout>
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link to="/connections">Connections</Link> / {connection?.name ?? '…'}
          </div>
          <div className="row">
            <h1 data-testid="connection-title">{connection?.name ?? 'Connection'}</h1>
            <PresenceBadge live={live} />
            {isPaper ? <PaperBadge /> : null}
          </div>
          {connection === null ? null : (
            <p className="muted mono">
              MT5 · {connection.account_login} · {connection.broker_server}
            </p>
          )}
        </div>
        {snapshot === null ? null : (
          <span className="faint">Updated {ago(new Date(snapshot.at_ms).toISOString(), now)}</span>
        )}
      </div>
      {error === null ? null : <Notice tone="error">{error}</Notice>}
      <div className="detail-top">
        <div className="stack">
          <div className="stat-grid" data-testid="status">
            <div className="metric metric-lg">
              <span className="label">Balance</span>
              <span className="value" data-testid="balance">
                {money(account?.balance)}
              </span>
            </div>
            <div className="metric metric-lg">
              <span className="label">Equity</span>
              <span className="value">{money(account?.equity)}</span>
            </div>
            <div className="metric metric-lg">
              <span className="label">Margin</span>
              <span className="value">{money(account?.margin)}</span>
            </div>
            <div className="metric metric-lg">
              <span className="label">Free margin</span>
              <span className="value">{money(account?.free_margin)}</span>
            </div>
            <div className="metric">
              <span className="label">Open positions</span>
              <span className="value">{snapshot?.open_positions ?? '—'}</span>
            </div>
            <div className="metric">
              <span className="label">Pending orders</span>
              <span className="value">{snapshot?.pending_orders ?? '—'}</span>
            </div>
            <div className="metric">
              <span className="label">Leverage</span>
              <span className="value">{account === null ? '—' : `1:${account.leverage}`}</span>
            </div>
            <div className="metric">
              <span className="label">Remote trading</span>
              <span className="value" data-testid="remote-trading">
                {status === null ? '—' : status.remote_trading ? 'On' : 'Off'}
              </span>
            </div>
          </div>
          <Card title="Desktop link" flush>
            <div className="list-item">
              <span className="grow muted">Pipdesk desktop</span>
              <span>{status?.online === true ? 'Connected' : 'Offline'}</span>
            </div>
            <div className="list-item">
              <span className="grow muted">MetaTrader 5 terminal</span>
              <span>
                {snapshot === null ? '—' : snapshot.terminal_connected ? 'Connected' : 'Disconnected'}
              </span>
            </div>
            <div className="list-item">
              <span className="grow muted">Last heard from</span>
              <span>{status?.last_seen_at == null ? 'Never' : ago(status.last_seen_at, now)}</span>
            </div>
          </Card>
        </div>
        {status?.remote_trading === true ? (
          <OrderTicket connectionId={props.id} isPaper={isPaper} />
        ) : (
          <Card title="Remote ticket">
            <p className="muted" data-testid="remote-off">
              Remote trading is off for this connection. To place orders from the web, switch it on in the
              Pipdesk desktop app (Settings → Cloud). It stays off until you do.
            </p>
          </Card>
        )}
      </div>
      <Journal connectionId={props.id} ref={journal} />
    </AppLayout>
  );
}
