import { useState, type ReactNode } from 'react';
import type { Settings } from '../../../src-core/contracts/ipc';
import type {
  NotificationChannels,
  NotificationEvent,
  NotificationSettings as Switches,
} from '../../../src-core/contracts/notification-settings';
import { useApp, useController, usePlaceError } from '../../store/use-app';
import { playBeep } from './sound';
import './notifications.css';

const EVENTS: readonly { id: NotificationEvent; label: string }[] = [
  { id: 'fill', label: 'Fills (pending orders, trades made in MT5)' },
  { id: 'stopHit', label: 'Stop loss / take profit hit' },
  { id: 'stopOut', label: 'Stop-out' },
  { id: 'marginCall', label: 'Margin call' },
  { id: 'linkLoss', label: 'MT5 link lost' },
];

const CHANNELS: readonly { id: keyof NotificationChannels; label: string }[] = [
  { id: 'isInApp', label: 'In app' },
  { id: 'isDesktop', label: 'Desktop' },
  { id: 'isSound', label: 'Sound' },
];

/** What the browser allows (web host); Electron shows notifications from main and needs no permission. */
function browserPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Settings → Notifications: one switch per event and way (docs/ui.md, "Notifications"). Turning a desktop switch
 * on asks the browser for permission where it has not been given (a click is what browsers require for that).
 */
export function NotificationSettings(props: { settings: Settings }): ReactNode {
  const controller = useController();
  const shell = useApp((s) => s.appInfo?.shell);
  const error = usePlaceError('settings-notifications');
  const [permission, setPermission] = useState(browserPermission);
  // Shown at once and built on by the next click: two quick clicks must not each patch the stored value, or the
  // second would undo the first. A change from elsewhere (another window) replaces it.
  const stored = props.settings.notifications;
  const [switches, setSwitches] = useState<Switches>(stored);
  const [seen, setSeen] = useState<Switches>(stored);
  if (seen !== stored) {
    setSeen(stored);
    setSwitches(stored);
  }

  const set = (event: NotificationEvent, channel: keyof NotificationChannels, isOn: boolean): void => {
    const next: Switches = { ...switches, [event]: { ...switches[event], [channel]: isOn } };
    setSwitches(next);
    void controller.updateSettings('settings-notifications', { notifications: next });
    if (channel === 'isDesktop' && isOn && shell === 'web' && permission === 'default') {
      void Notification.requestPermission().then(setPermission);
    }
    if (channel === 'isSound' && isOn) playBeep(event === 'fill' || event === 'stopHit' ? 'info' : 'alert');
  };

  return (
    <section className="settings-section" data-testid="settings-notifications">
      <h3>Notifications</h3>
      <table className="grid notify-grid">
        <thead>
          <tr>
            <th scope="col">Event</th>
            {CHANNELS.map((c) => (
              <th key={c.id} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {EVENTS.map((e) => (
            <tr key={e.id}>
              <th scope="row">{e.label}</th>
              {CHANNELS.map((c) => (
                <td key={c.id}>
                  <input
                    type="checkbox"
                    aria-label={`${e.label}: ${c.label}`}
                    checked={switches[e.id][c.id]}
                    data-testid={`notify-${e.id}-${c.id}`}
                    onChange={(ev) => {
                      set(e.id, c.id, ev.target.checked);
                    }}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {shell === 'web' && permission !== 'granted' ? (
        <p className="muted small" data-testid="notify-permission">
          {permission === 'unsupported'
            ? 'This browser has no desktop notifications; in-app notices and sounds still work.'
            : permission === 'denied'
              ? 'The browser blocks notifications for this page: allow them in its site settings to get desktop ones.'
              : 'Desktop notifications need the browser’s permission: it asks when you turn one on.'}
        </p>
      ) : null}
      {error === undefined ? null : (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
