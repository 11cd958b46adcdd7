import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { describeError } from '../api/api-error';
import { Accepted } from '../api/schemas';
import { Link } from '../router';
import { api } from '../session/session';
import { Button, Field, Notice } from '../ui/Controls';
import { AuthLayout } from '../ui/Layouts';

export function ForgotPassword(): ReactNode {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const answer = await api.call('POST', '/auth/forgot-password', Accepted, { email });
    setBusy(false);
    // The cloud answers the same whether or not the address has an account; so does this page.
    if (answer.ok) setSent(email);
    else setError(describeError(answer.error));
  };

  return (
    <AuthLayout
      title="Reset your password"
      subtitle="Enter the email of your account and we will send you a link to choose a new password."
      foot={<Link to="/sign-in">Back to sign in</Link>}
    >
      {sent === null ? (
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
          <Button type="submit" block busy={busy}>
            Send reset link
          </Button>
        </form>
      ) : (
        <Notice tone="success" testId="forgot-sent">
          If an account exists for <strong>{sent}</strong>, an email with a reset link is on its way. The link
          works once and expires in one hour.
        </Notice>
      )}
    </AuthLayout>
  );
}
