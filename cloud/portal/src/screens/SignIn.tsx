import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { describeError, hasCode } from '../api/api-error';
import { Link, navigate } from '../router';
import { signIn, useSession } from '../session/session';
import { Button, Field, Notice } from '../ui/Controls';
import { AuthLayout } from '../ui/Layouts';

/** Email and password, then a second step for the 2FA code when the cloud answers `totp_required`. */
export function SignIn(): ReactNode {
  const notice = useSession((s) => s.notice);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const answer = await signIn(email, password, step === 'totp' ? code.replaceAll(' ', '') : undefined);
    setBusy(false);
    if (answer.ok) {
      navigate('/connections', { replace: true });
      return;
    }
    if (hasCode(answer.error, 'totp_required')) {
      setStep('totp');
      return;
    }
    setError(describeError(answer.error));
  };

  if (step === 'totp') {
    return (
      <AuthLayout
        title="Two-step verification"
        subtitle="Enter the 6-digit code from your authenticator app, or one of your recovery codes."
      >
        <form
          className="stack"
          onSubmit={(e) => {
            void submit(e);
          }}
        >
          {error === null ? null : <Notice tone="error">{error}</Notice>}
          <Field
            label="Authentication code"
            name="totp_code"
            className="code-input"
            autoComplete="one-time-code"
            inputMode="text"
            autoFocus
            required
            value={code}
            onChange={(e) => {
              setCode(e.target.value);
            }}
          />
          <Button type="submit" block busy={busy}>
            Verify and sign in
          </Button>
          <Button
            variant="ghost"
            block
            onClick={() => {
              setStep('password');
              setCode('');
              setError(null);
            }}
          >
            Back
          </Button>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Sign in"
      subtitle="Welcome back. Sign in to see your connections and journal."
      foot={
        <>
          New to Pipdesk? <Link to="/register">Create an account</Link>
        </>
      }
    >
      <form
        className="stack"
        onSubmit={(e) => {
          void submit(e);
        }}
      >
        {notice === null ? null : (
          <Notice tone="warn" testId="session-notice">
            {notice}
          </Notice>
        )}
        {error === null ? null : <Notice tone="error">{error}</Notice>}
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          autoFocus
          required
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
          }}
        />
        <div className="stack-sm">
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
          <Link to="/forgot-password" className="faint">
            Forgot your password?
          </Link>
        </div>
        <Button type="submit" block busy={busy}>
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
