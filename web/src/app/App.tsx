import { useEffect } from 'react';
import { navigate, usePath } from './router';
import { claims } from './session';
import { SignInPage } from '../pages/SignInPage';
import { ClientPage } from '../pages/ClientPage';
import { StaffPage } from '../pages/StaffPage';
import { OpsPage } from '../pages/OpsPage';

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

export function App() {
  const path = usePath();
  const c = claims();
  if (path === '/signin') return <SignInPage />;
  if (!c) return <Redirect to="/signin" />;
  const home = c.role === 'client' ? '/client' : '/staff';
  switch (path) {
    case '/client':
      return c.role === 'client' ? <ClientPage /> : <Redirect to={home} />;
    case '/staff':
      return c.role !== 'client' ? <StaffPage /> : <Redirect to={home} />;
    case '/ops':
      return <OpsPage />;
    default:
      return <Redirect to={home} />;
  }
}
