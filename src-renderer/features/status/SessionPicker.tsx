import type { ReactNode } from 'react';
import { useApp, useController } from '../../store/use-app';

/**
 * Which connected terminal Pipdesk trades on, in the status bar where it is seen: shown when several terminals are
 * connected, and above all when the active one went away while another is still there.
 */
export function SessionPicker(): ReactNode {
  const bridge = useApp((s) => s.bridge);
  const controller = useController();
  if (bridge === null) return null;
  const sessions = bridge.sessions;
  const isOrphaned = bridge.activeSessionId === null && sessions.length > 0;
  if (sessions.length < 2 && !isOrphaned) return null;
  return (
    <label className={`session-picker${isOrphaned ? ' attention' : ''}`}>
      <span className="figure-label">{isOrphaned ? 'Trade on' : 'Terminal'}</span>
      <select
        value={bridge.activeSessionId ?? ''}
        data-testid="session-picker"
        aria-label="Terminal to trade on"
        onChange={(e) => {
          if (e.target.value !== '') void controller.selectSession(e.target.value);
        }}
      >
        {isOrphaned ? <option value="">Choose a terminal…</option> : null}
        {sessions.map((s) => (
          <option key={s.id} value={s.id}>
            {s.login} @ {s.server}
            {s.isPaper === true
              ? ' (PAPER)'
              : s.isReplay === true
                ? ' (REPLAY)'
                : s.isSimulator
                  ? ' (demo)'
                  : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
