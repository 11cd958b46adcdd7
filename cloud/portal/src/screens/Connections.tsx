import { useEffect, useState, type ReactNode } from 'react';
import { describeError } from '../api/api-error';
import { useLiveConnection } from '../api/live';
import { ConnectionList, type Connection } from '../api/schemas';
import { Link } from '../router';
import { api } from '../session/session';
import { Card, Notice } from '../ui/Controls';
import { AppLayout } from '../ui/Layouts';
import { formatMoney } from './format';
import { PaperBadge, PresenceBadge } from './StatusBits';

export function Connections(): ReactNode {
  const [connections, setConnections] = useState<readonly Connection[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api.call('GET', '/connections', ConnectionList).then((answer) => {
      if (!live) return;
      if (answer.ok) setConnections(answer.value.connections);
      else setError(describeError(answer.error));
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <AppLayout>
      <div className="page-head">
        <div>
          <h1>Connections</h1>
          <p className="muted">Your MetaTrader 5 accounts, as your Pipdesk desktop app reports them.</p>
        </div>
      </div>
      {error === null ? null : <Notice tone="error">{error}</Notice>}
      {connections === null ? null : connections.length === 0 ? (
        <Card>
          <div className="empty" data-testid="no-connections">
            <div className="empty-icon">
              <svg width="20" height="20" viewBox="0 0 20 20" fill="none" aria-hidden="true">
                <path d="M7 13 13 7M8 5h7v7" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
              </svg>
            </div>
            <h3>No connections yet</h3>
            <p className="muted" style={{ maxWidth: 420 }}>
              Sign in to the cloud from the Pipdesk desktop app (Settings → Cloud) and confirm each MT5
              account you want to see here.
            </p>
          </div>
        </Card>
      ) : (
        <div className="grid-3">
          {connections.map((c) => (
            <ConnectionCard key={c.id} connection={c} />
          ))}
        </div>
      )}
    </AppLayout>
  );
}

function ConnectionCard(props: { connection: Connection }): ReactNode {
  const c = props.connection;
  const live = useLiveConnection(c.id);
  const account = live.status?.snapshot?.account ?? null;
  return (
    <Link to={`/connections/${encodeURIComponent(c.id)}`} className="card conn-card">
      <div className="row-between">
        <div>
          <h3 data-testid="connection-name">{c.name}</h3>
          <p className="faint mono">
            {c.account_login} · {c.broker_server}
          </p>
        </div>
      </div>
      <div className="row">
        <PresenceBadge live={live} />
        {live.status?.snapshot?.is_paper === true ? <PaperBadge /> : null}
      </div>
      <div className="row-between">
        <div className="metric">
          <span className="label">Balance</span>
          <span className="value">
            {account === null ? '—' : formatMoney(account.balance, account.currency)}
          </span>
        </div>
        <div className="metric" style={{ textAlign: 'right' }}>
          <span className="label">Equity</span>
          <span className="value">
            {account === null ? '—' : formatMoney(account.equity, account.currency)}
          </span>
        </div>
      </div>
    </Link>
  );
}
