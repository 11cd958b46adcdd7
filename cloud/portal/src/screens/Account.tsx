import { useEffect, useState, type SyntheticEvent, type ReactNode } from 'react';
import { describeError } from '../api/api-error';
import { Ok, SessionList, TotpEnableResponse, TotpSetupResponse, type Session } from '../api/schemas';
import { api, endSession, reloadUser, useSession } from '../session/session';
import { Badge, Button, Card, Field, Notice } from '../ui/Controls';
import { AppLayout } from '../ui/Layouts';
import { formatDateTime, summariseAgent } from './format';
import { MIN_PASSWORD_LENGTH } from './Register';

export function Account(): ReactNode {
  const user = useSession((s) => s.user);
  if (user === null) return null;
  return (
    <AppLayout>
      <div className="page-head">
        <div>
          <h1>Account</h1>
          <p className="muted">
            Signed in as <strong>{user.email}</strong> · member since {formatDateTime(user.created_at, false)}
          </p>
        </div>
      </div>
      <div className="grid-2">
        <ChangePassword />
        <TwoFactor enabled={user.totp_enabled} />
      </div>
      <Sessions />
    </AppLayout>
  );
}

function ChangePassword(): ReactNode {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const mismatch = confirm !== '' && confirm !== next;

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    if (next !== confirm) return;
    setBusy(true);
    setError(null);
    setDone(false);
    const answer = await api.call('POST', '/auth/change-password', Ok, {
      current_password: current,
      new_password: next,
    });
    setBusy(false);
    if (answer.ok) {
      // The cloud signs out every other device and keeps this session (ASVS 5.0 7.4.3).
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } else setError(describeError(answer.error));
  };

  return (
    <Card title="Password" subtitle="Changing it signs out every other device.">
      <form
        className="stack"
        onSubmit={(e) => {
          void submit(e);
        }}
      >
        {error === null ? null : <Notice tone="error">{error}</Notice>}
        {done ? (
          <Notice tone="success" testId="password-changed">
            Password changed. Every other device was signed out.
          </Notice>
        ) : null}
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => {
            setCurrent(e.target.value);
          }}
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          value={next}
          onChange={(e) => {
            setNext(e.target.value);
          }}
        />
        <Field
          label="Confirm new password"
          name="confirm_password"
          type="password"
          autoComplete="new-password"
          required
          error={mismatch ? 'The passwords do not match.' : null}
          value={confirm}
          onChange={(e) => {
            setConfirm(e.target.value);
          }}
        />
        <div>
          <Button type="submit" busy={busy} disabled={mismatch || current === '' || next === ''}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}

type TotpStep =
  | { step: 'idle' }
  | { step: 'setup'; setup: TotpSetupResponse }
  | { step: 'codes'; codes: readonly string[] }
  | { step: 'disable' };

function TwoFactor(props: { enabled: boolean }): ReactNode {
  const [state, setState] = useState<TotpStep>({ step: 'idle' });
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const begin = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const answer = await api.call('POST', '/auth/2fa/setup', TotpSetupResponse, {});
    setBusy(false);
    if (answer.ok) setState({ step: 'setup', setup: answer.value });
    else setError(describeError(answer.error));
  };

  const enable = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const answer = await api.call('POST', '/auth/2fa/enable', TotpEnableResponse, { code: code.trim() });
    setBusy(false);
    setCode('');
    if (answer.ok) {
      setState({ step: 'codes', codes: answer.value.recovery_codes });
      await reloadUser();
    } else setError(describeError(answer.error));
  };

  const disable = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const answer = await api.call('POST', '/auth/2fa/disable', Ok, { password, code: code.trim() });
    setBusy(false);
    setCode('');
    setPassword('');
    if (answer.ok) {
      setState({ step: 'idle' });
      await reloadUser();
    } else setError(describeError(answer.error));
  };

  const status = props.enabled ? <Badge tone="ok">On</Badge> : <Badge>Off</Badge>;

  return (
    <Card
      title="Two-step verification"
      subtitle="A code from an authenticator app at every sign-in."
      actions={status}
      testId="totp-card"
    >
      <div className="stack">
        {error === null ? null : <Notice tone="error">{error}</Notice>}
        {state.step === 'idle' && !props.enabled ? (
          <>
            <p className="muted">
              Protect your account with an app such as 1Password, Google Authenticator or Authy, even if your
              password leaks.
            </p>
            <div>
              <Button
                busy={busy}
                onClick={() => {
                  void begin();
                }}
              >
                Set up two-step verification
              </Button>
            </div>
          </>
        ) : null}
        {state.step === 'setup' ? (
          <form
            className="stack"
            onSubmit={(e) => {
              void enable(e);
            }}
          >
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <img className="qr" src={state.setup.qr_data_url} alt="QR code for your authenticator app" />
              <ol className="steps">
                <li>Scan the code with your authenticator app.</li>
                <li>
                  Or enter this key by hand:
                  <div className="secret" data-testid="totp-secret">
                    {state.setup.secret}
                  </div>
                </li>
                <li>Type the 6-digit code it shows.</li>
              </ol>
            </div>
            <Field
              label="Code from the app"
              name="totp_code"
              className="code-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              required
              value={code}
              onChange={(e) => {
                setCode(e.target.value.replace(/\D/g, ''));
              }}
            />
            <div className="row">
              <Button type="submit" busy={busy} disabled={code.length !== 6}>
                Turn on
              </Button>
              <Button
                variant="ghost"
                onClick={() => {
                  setState({ step: 'idle' });
                }}
              >
                Cancel
              </Button>
            </div>
          </form>
        ) : null}
        {state.step === 'codes' ? (
          <div className="stack" data-testid="recovery-codes">
            <Notice tone="success">Two-step verification is on.</Notice>
            <p>
              <strong>Save these recovery codes now.</strong>{' '}
              <span className="muted">
                Each one signs you in once if you lose your phone. They will not be shown again.
              </span>
            </p>
            <div className="codes">
              {state.codes.map((c) => (
                <span key={c}>{c}</span>
              ))}
            </div>
            <div className="row">
              <Button
                variant="secondary"
                onClick={() => {
                  void navigator.clipboard.writeText(state.codes.join('\n'));
                }}
              >
                Copy codes
              </Button>
              <Button
                onClick={() => {
                  setState({ step: 'idle' });
                }}
              >
                I have saved them
              </Button>
            </div>
          </div>
        ) : null}
        {state.step === 'idle' && props.enabled ? (
          <>
            <p className="muted">Sign-ins ask for a code from your authenticator app or a recovery code.</p>
            <div>
              <Button
                variant="danger"
                onClick={() => {
                  setState({ step: 'disable' });
                }}
              >
                Turn off
              </Button>
            </div>
          </>
        ) : null}
        {state.step === 'disable' ? (
          <form
            className="stack"
            onSubmit={(e) => {
              void disable(e);
            }}
          >
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
              }}
            />
            <Field
              label="Code from the app or a recovery code"
              name="totp_code"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => {
                setCode(e.target.value);
              }}
            />
            <div className="row">
              <Button type="submit" variant="danger" busy={busy}>
                Turn off two-step verification
              </Button>
              <Button
                variant="ghost"
                onClick={() => {
                  setState({ step: 'idle' });
                }}
              >
                Cancel
              </Button>
            </div>
          </form>
        ) : null}
      </div>
    </Card>
  );
}

function Sessions(): ReactNode {
  const [sessions, setSessions] = useState<readonly Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    void api.call('GET', '/auth/sessions', SessionList).then((answer) => {
      if (!current) return;
      if (answer.ok) setSessions(answer.value.sessions);
      else setError(describeError(answer.error));
    });
    return () => {
      current = false;
    };
  }, [generation]);

  const revoke = async (session: Session): Promise<void> => {
    setRevoking(session.id);
    const answer = await api.call('DELETE', `/auth/sessions/${encodeURIComponent(session.id)}`, Ok);
    setRevoking(null);
    if (!answer.ok) {
      setError(describeError(answer.error));
      return;
    }
    if (session.current) endSession('You signed out this device.');
    else setGeneration((g) => g + 1);
  };

  return (
    <Card
      title="Sessions"
      subtitle="Devices and browsers signed in to your account."
      flush
      testId="sessions-card"
    >
      {error === null ? null : (
        <div className="card-body">
          <Notice tone="error">{error}</Notice>
        </div>
      )}
      {sessions === null ? (
        <div className="empty">Loading…</div>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Device</th>
                <th>Address</th>
                <th>Signed in</th>
                <th>Last active</th>
                <th className="right" />
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id} data-testid="session-row">
                  <td>
                    <div className="row">
                      <span>{summariseAgent(s.user_agent)}</span>
                      {s.current ? <Badge tone="accent">This device</Badge> : null}
                    </div>
                  </td>
                  <td className="mono">{s.ip ?? '—'}</td>
                  <td>{formatDateTime(s.created_at)}</td>
                  <td>{formatDateTime(s.last_used_at)}</td>
                  <td className="right">
                    <Button
                      variant="danger"
                      small
                      busy={revoking === s.id}
                      onClick={() => {
                        void revoke(s);
                      }}
                    >
                      {s.current ? 'Sign out' : 'Revoke'}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
