import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { matchPath, navigate, useLocation } from './router';
import { useSession } from './session/session';
import { Connections } from './screens/Connections';
import { SignIn } from './screens/SignIn';

// The pages a visit starts on (sign-in, the connection list) are in the first bundle; the others load when first
// opened, so the first page parses and runs less script. A connection's page (live status, journal, remote
// ticket and their schemas) is the largest of them; registering, password recovery and the account page are
// visited rarely.
const ConnectionDetail = lazy(() =>
  import('./screens/ConnectionDetail').then((m) => ({ default: m.ConnectionDetail })),
);
const Account = lazy(() => import('./screens/Account').then((m) => ({ default: m.Account })));
const Register = lazy(() => import('./screens/Register').then((m) => ({ default: m.Register })));
const ForgotPassword = lazy(() =>
  import('./screens/ForgotPassword').then((m) => ({ default: m.ForgotPassword })),
);
const ResetPassword = lazy(() =>
  import('./screens/ResetPassword').then((m) => ({ default: m.ResetPassword })),
);

const publicPaths = new Set(['/sign-in', '/register', '/forgot-password', '/reset-password']);

function Redirect(props: { to: string }): ReactNode {
  useEffect(() => {
    navigate(props.to, { replace: true });
  }, [props.to]);
  return null;
}

export function App(): ReactNode {
  // Nothing to show for the moment a page's script is on its way: on loopback or a warm cache it is one frame.
  return (
    <Suspense fallback={null}>
      <Page />
    </Suspense>
  );
}

function Page(): ReactNode {
  const { pathname } = useLocation();
  const signedIn = useSession((s) => s.user !== null);

  if (pathname === '/reset-password') return <ResetPassword />;
  if (publicPaths.has(pathname)) {
    if (signedIn) return <Redirect to="/connections" />;
    if (pathname === '/register') return <Register />;
    if (pathname === '/forgot-password') return <ForgotPassword />;
    return <SignIn />;
  }
  if (!signedIn) return <Redirect to="/sign-in" />;
  if (pathname === '/account') return <Account />;
  if (pathname === '/connections') return <Connections />;
  const detail = matchPath('/connections/:id', pathname);
  if (detail?.['id'] !== undefined) return <ConnectionDetail key={detail['id']} id={detail['id']} />;
  return <Redirect to="/connections" />;
}
