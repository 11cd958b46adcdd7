import { useEffect, type ReactNode } from 'react';
import { matchPath, navigate, useLocation } from './router';
import { useSession } from './session/session';
import { Account } from './screens/Account';
import { ConnectionDetail } from './screens/ConnectionDetail';
import { Connections } from './screens/Connections';
import { ForgotPassword } from './screens/ForgotPassword';
import { Register } from './screens/Register';
import { ResetPassword } from './screens/ResetPassword';
import { SignIn } from './screens/SignIn';

const publicPaths = new Set(['/sign-in', '/register', '/forgot-password', '/reset-password']);

function Redirect(props: { to: string }): ReactNode {
  useEffect(() => {
    navigate(props.to, { replace: true });
  }, [props.to]);
  return null;
}

export function App(): ReactNode {
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
