import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { describeError, hasCode, type ApiError } from '../api/api-error';
import { Ok } from '../api/schemas';
import { Link, navigate } from '../router';
import { api } from '../session/session';
import { Button, Field, Notice } from '../ui/Controls';
import { AuthLayout } from '../ui/Layouts';
import { MIN_PASSWORD_LENGTH } from './Register';

/**
 * Opened from the emailed link `/reset-password?token=…`. The token is read once and removed from the address
 * bar, so it does not stay in the history or reach a screenshot; the page sends no referrer (index.html).
 */
let capturedToken: string | null = null;

function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    capturedToken = fromUrl;
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search);
  }
  return capturedToken;
}

export function ResetPassword(): ReactNode {
  const [token] = useState(takeToken);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const mismatch = confirm !== '' && confirm !== password;

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    if (token === null || password !== confirm) return;
    setBusy(true);
    setError(null);
    const answer = await api.call('POST', '/auth/reset-password', Ok, { token, new_password: password });
    setBusy(false);
    if (answer.ok) {
      capturedToken = null;
      setDone(true);
    } else setError(answer.error);
  };

  if (token === null) {
    return (
      <AuthLayout title="Reset link needed" foot={<Link to="/sign-in">Back to sign in</Link>}>
        <Notice tone="warn">
          This page opens from the link in a password reset email.{' '}
          <Link to="/forgot-password">Request a new link</Link>.
        </Notice>
      </AuthLayout>
    );
  }

  if (done) {
    return (
      <AuthLayout title="Password changed">
        <Notice tone="success" testId="reset-done">
          Your new password is set. For your safety every device was signed out.
        </Notice>
        <Button
          block
          onClick={() => {
            navigate('/sign-in', { replace: true });
          }}
        >
          Sign in
        </Button>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Choose a new password"
      subtitle="After the change, every device signed in to your account is signed out."
      foot={<Link to="/sign-in">Back to sign in</Link>}
    >
      <form
        className="stack"
        onSubmit={(e) => {
          void submit(e);
        }}
      >
        {error === null ? null : (
          <Notice tone="error">
            {describeError(error)}{' '}
            {hasCode(error, 'invalid_reset_token') ? (
              <Link to="/forgot-password">Request a new link</Link>
            ) : null}
          </Notice>
        )}
        <Field
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          autoFocus
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
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
        <Button type="submit" block busy={busy} disabled={mismatch}>
          Set new password
        </Button>
      </form>
    </AuthLayout>
  );
}
