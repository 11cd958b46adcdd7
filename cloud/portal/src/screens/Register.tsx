import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { describeError } from '../api/api-error';
import { Link, navigate } from '../router';
import { register } from '../session/session';
import { Button, Field, Notice } from '../ui/Controls';
import { AuthLayout } from '../ui/Layouts';

// ASVS: length decides, not composition rules; the cloud has the final word (common and breached lists).
export const MIN_PASSWORD_LENGTH = 12;

export function Register(): ReactNode {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mismatch = confirm !== '' && confirm !== password;

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    if (password !== confirm) return;
    setBusy(true);
    setError(null);
    const answer = await register(email, password);
    setBusy(false);
    if (answer.ok) navigate('/connections', { replace: true });
    else setError(describeError(answer.error));
  };

  return (
    <AuthLayout
      title="Create your account"
      subtitle="One account for the Pipdesk desktop app and this portal."
      foot={
        <>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </>
      }
    >
      <form
        className="stack"
        onSubmit={(e) => {
          void submit(e);
        }}
      >
        {error === null ? null : <Notice tone="error">{error}</Notice>}
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          autoFocus
          required
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
          }}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters. A passphrase of a few words works well.`}
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
        <Field
          label="Confirm password"
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
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
