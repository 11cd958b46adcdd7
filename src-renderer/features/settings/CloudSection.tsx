import { useState, type ReactNode } from 'react';
import type { CloudAccount, CloudState } from '../../../src-core/contracts/ipc-cloud';
import { describeCloud } from '../../store/connection-slice';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';
import { ConfirmNote } from '../../ui/ConfirmNote';
import { InlineError } from '../../ui/controls';

const CONNECTOR_WORDS: Record<CloudAccount['connector'], string> = {
  not_linked: 'not in the cloud',
  connecting: 'connecting…',
  online: 'synced live',
  offline: 'offline: entries wait here',
};

function SignInForm(props: { cloud: CloudState }): ReactNode {
  const controller = useController();
  const error = usePlaceError('cloud-sign-in');
  const isBusy = useBusy('cloud-sign-in') || props.cloud.status === 'signing_in';
  const [email, setEmail] = useState(props.cloud.email ?? '');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  // The cloud asks for the code only once the password is right; the field appears then.
  const [isTotpAsked, setTotpAsked] = useState(false);
  const submit = async (): Promise<void> => {
    const code = await controller.cloudSignIn({
      email: email.trim(),
      password,
      ...(isTotpAsked && totp.trim() !== '' ? { totpCode: totp.trim() } : {}),
    });
    if (code === 'TOTP_REQUIRED') setTotpAsked(true);
    if (code === null) {
      setPassword('');
      setTotp('');
      setTotpAsked(false);
    }
  };
  return (
    <form
      className="cloud-form"
      data-testid="cloud-sign-in-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label className="field">
        <span className="field-label">Email</span>
        <span className="field-box">
          <input
            type="email"
            autoComplete="username"
            value={email}
            data-testid="cloud-email"
            spellCheck={false}
            onChange={(e) => {
              setEmail(e.target.value);
            }}
          />
        </span>
      </label>
      <label className="field">
        <span className="field-label">Password</span>
        <span className="field-box">
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            data-testid="cloud-password"
            onChange={(e) => {
              setPassword(e.target.value);
            }}
          />
        </span>
      </label>
      {isTotpAsked ? (
        <label className="field">
          <span className="field-label">Two-factor code (or a recovery code)</span>
          <span className="field-box">
            <input
              inputMode="numeric"
              autoComplete="one-time-code"
              value={totp}
              data-testid="cloud-totp"
              autoFocus
              onChange={(e) => {
                setTotp(e.target.value);
              }}
            />
          </span>
        </label>
      ) : null}
      {isTotpAsked ? (
        <p className="muted small" data-testid="cloud-totp-asked">
          This account has two-factor sign-in: enter the code from your authenticator app.
        </p>
      ) : null}
      <div className="row">
        <button
          type="submit"
          className="btn accent"
          data-testid="cloud-sign-in"
          disabled={isBusy || email.trim() === '' || password === ''}
        >
          {isBusy ? 'Signing in…' : 'Sign in'}
        </button>
      </div>
      <InlineError message={error} testId="cloud-sign-in-error" />
    </form>
  );
}

function AccountRow(props: { account: CloudAccount; isSignedIn: boolean }): ReactNode {
  const { account } = props;
  const controller = useController();
  const place = `cloud-account:${account.accountKey}`;
  const error = usePlaceError(place);
  const isBusy = useBusy(place);
  const [isConfirming, setConfirming] = useState(false);
  const isLinked = account.connectionId !== null;
  return (
    <li className="cloud-account" data-testid="cloud-account" data-account={account.accountKey}>
      <div className="cloud-account-head">
        <div>
          <span className="sym">{account.login}</span> @ {account.server}
          {account.isTerminalConnected ? null : <span className="muted"> · terminal not connected</span>}
        </div>
        <span
          className={`cloud-connector ${account.connector}`}
          data-testid="cloud-connector"
          data-state={account.connector}
        >
          {CONNECTOR_WORDS[account.connector]}
        </span>
      </div>
      {!isLinked && props.isSignedIn && !isConfirming ? (
        <button
          type="button"
          className="btn small"
          data-testid="cloud-link"
          onClick={() => {
            setConfirming(true);
          }}
        >
          Register this MT5 account as a cloud connection…
        </button>
      ) : null}
      {!isLinked && isConfirming ? (
        <ConfirmNote
          testId="cloud-link"
          confirmLabel="Register"
          busyLabel="Registering…"
          isBusy={isBusy}
          onConfirm={() => {
            void controller.cloudLinkAccount(account.accountKey).then(() => {
              setConfirming(false);
            });
          }}
          onCancel={() => {
            setConfirming(false);
          }}
        >
          Register account {account.login} @ {account.server} in your cloud account? Its status and trade
          journal will be sent to the cloud and shown in the portal. Remote trading stays off until you turn
          it on here.
        </ConfirmNote>
      ) : null}
      {isLinked ? (
        <label className="toggle">
          <input
            type="checkbox"
            checked={account.isRemoteTradingOn}
            data-testid="cloud-remote-trading"
            onChange={(e) => {
              void controller.cloudSetRemoteTrading(account.accountKey, e.target.checked);
            }}
          />
          <span>
            Remote trading: orders sent from the web portal run here, through the same checks and limits
            {account.isRemoteTradingOn ? <span className="warn-text"> · on</span> : null}
          </span>
        </label>
      ) : null}
      <InlineError message={error} testId="cloud-account-error" />
    </li>
  );
}

/** Settings → Cloud: sign-in, the state, and per MT5 account the cloud link and the remote-trading switch. */
export function CloudSection(): ReactNode {
  const cloud = useApp((s) => s.cloud);
  const controller = useController();
  const signOutError = usePlaceError('cloud');
  if (cloud === null) {
    return (
      <section className="settings-section" data-testid="cloud">
        <h3>Cloud</h3>
        <p className="muted">Loading…</p>
      </section>
    );
  }
  const view = describeCloud(cloud);
  const isSignedIn = cloud.status === 'signed_in';
  return (
    <section className="settings-section" data-testid="cloud" data-state={cloud.status}>
      <h3>Cloud</h3>
      <p className="muted small">
        Sync this app&apos;s MT5 accounts and trade journal to the Pipdesk cloud at{' '}
        <code>{cloud.cloudUrl}</code> to see them in the web portal.
      </p>
      {cloud.notice !== null && !isSignedIn ? (
        <div className="inline-error" data-testid="cloud-notice">
          {cloud.notice}
        </div>
      ) : null}
      {isSignedIn ? (
        <div className="row cloud-who">
          <span data-testid="cloud-signed-in">
            Signed in as <strong>{cloud.email ?? '…'}</strong>
            {view.state === 'offline' ? <span className="warn-text"> · offline</span> : null}
          </span>
          <button
            type="button"
            className="btn small"
            data-testid="cloud-sign-out"
            onClick={() => {
              void controller.cloudSignOut();
            }}
          >
            Sign out
          </button>
        </div>
      ) : (
        <SignInForm cloud={cloud} />
      )}
      <InlineError message={signOutError} testId="cloud-error" />
      {view.state === 'offline' ? (
        <p className="warn-text small" data-testid="cloud-offline">
          {view.detail}
        </p>
      ) : null}
      {cloud.accounts.length === 0 ? (
        <p className="muted small">No MT5 account connected yet: connect the EA or start the demo.</p>
      ) : (
        <ul className="session-list cloud-accounts">
          {cloud.accounts.map((a) => (
            <AccountRow key={a.accountKey} account={a} isSignedIn={isSignedIn} />
          ))}
        </ul>
      )}
      <p className="muted small" data-testid="cloud-storage">
        {cloud.unsyncedEntries > 0 ? `${cloud.unsyncedEntries} journal entries wait to be sent. ` : ''}
        Your sign-in is kept {cloud.tokenStorage}.
      </p>
      {cloud.refusedEntries !== undefined && cloud.refusedEntries.length > 0 ? (
        <div data-testid="cloud-refused">
          <p className="warn-text small">
            Refused by the cloud: these journal entries stay on this computer and were not synced. Sync goes
            on with the others.
          </p>
          <ul className="session-list">
            {cloud.refusedEntries.map((r) => (
              <li key={r.entryId} className="small" data-testid="cloud-refused-entry">
                <span className="mono">
                  {[r.operation, r.symbol].filter((x) => x !== null).join(' ') || 'entry'}
                </span>{' '}
                <span className="muted">
                  {/* Local time, labelled as such (times shown in the UI say which clock they are on). */}
                  refused {new Date(r.refusedAt).toLocaleString()} (your time)
                </span>
                <div className="muted">{r.reason}</div>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
