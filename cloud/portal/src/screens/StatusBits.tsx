import { useEffect, useState, type ReactNode } from 'react';
import type { ConnectionStatus } from '../api/schemas';
import type { LiveState } from '../api/live';
import { ago } from './format';

/** Re-renders every few seconds so "12 s ago" stays true. */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, everyMs);
    return () => {
      clearInterval(timer);
    };
  }, [everyMs]);
  return now;
}

export function PresenceBadge(props: { live: LiveState }): ReactNode {
  const now = useNow();
  const status: ConnectionStatus | null = props.live.status;
  if (status?.online === true) {
    const ea = status.snapshot?.ea_connected === true;
    return (
      <span className={ea ? 'badge badge-ok' : 'badge badge-warn'} data-testid="presence">
        <span className="dot dot-live" />
        {ea ? 'Live' : 'Desktop online · terminal offline'}
      </span>
    );
  }
  if (props.live.stream === 'unavailable' && status === null) {
    return (
      <span className="badge" data-testid="presence">
        <span className="dot dot-off" />
        Status unavailable
      </span>
    );
  }
  return (
    <span className="badge" data-testid="presence">
      <span className="dot dot-off" />
      {status?.last_seen_at == null ? 'Never connected' : `Offline · seen ${ago(status.last_seen_at, now)}`}
    </span>
  );
}

/** Marks a connection whose desktop reports its paper account: simulated money, not the broker's. */
export function PaperBadge(): ReactNode {
  return (
    <span
      className="badge badge-accent"
      data-testid="paper-badge"
      title="The desktop is on its paper account: simulated fills on live prices, not money at the broker."
    >
      PAPER
    </span>
  );
}
