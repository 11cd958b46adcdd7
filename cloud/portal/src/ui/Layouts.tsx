import type { ReactNode } from 'react';
import { Link, useLocation } from '../router';
import { signOut, useSession } from '../session/session';
import { BrandMark, Button } from './Controls';
import { ThemeToggle } from './ThemeToggle';

export function AuthLayout(props: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  foot?: ReactNode;
}): ReactNode {
  return (
    <div className="auth">
      <aside className="auth-aside">
        <Link to="/" className="brand">
          <BrandMark />
          Pipdesk
        </Link>
        <div>
          <h2>Your MetaTrader 5 desk, with you on the web.</h2>
          <ul>
            <li>Live balance, equity and margin of every connected account</li>
            <li>The full trade journal, synced from your desktop</li>
            <li>Remote tickets, only where you switched them on</li>
          </ul>
        </div>
        <p style={{ color: '#7f8898', fontSize: 12.5 }}>
          Orders always run in your own terminal, through your desktop.
        </p>
      </aside>
      <main className="auth-main">
        <div className="auth-card">
          <header>
            <h1>{props.title}</h1>
            {props.subtitle === undefined ? null : <p className="muted">{props.subtitle}</p>}
          </header>
          {props.children}
          {props.foot === undefined ? null : <div className="auth-foot">{props.foot}</div>}
          <div className="row" style={{ justifyContent: 'center' }}>
            <ThemeToggle />
          </div>
        </div>
      </main>
    </div>
  );
}

const sections = [
  { to: '/connections', label: 'Connections' },
  { to: '/account', label: 'Account' },
] as const;

export function AppLayout(props: { children: ReactNode }): ReactNode {
  const location = useLocation();
  const email = useSession((s) => s.user?.email ?? '');
  return (
    <>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/connections" className="brand">
            <BrandMark />
            Pipdesk
          </Link>
          <nav className="nav" aria-label="Sections">
            {sections.map((s) => (
              <Link key={s.to} to={s.to} className={location.pathname.startsWith(s.to) ? 'active' : ''}>
                {s.label}
              </Link>
            ))}
          </nav>
          <div className="user-chip">
            <ThemeToggle />
            <span className="avatar" aria-hidden="true">
              {email.slice(0, 1)}
            </span>
            <span data-testid="user-email">{email}</span>
            <Button
              variant="ghost"
              small
              onClick={() => {
                void signOut();
              }}
            >
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main className="page">{props.children}</main>
    </>
  );
}
