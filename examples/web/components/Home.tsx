'use client';
import { useEffect, useMemo, useState } from 'react';
import { authClient } from '@/lib/auth-client';
import { createApi, forgetToken } from '@/lib/api';
import { turnOffPush } from '@/lib/push';
import { AppPasswords } from './AppPasswords';
import { AuthForm } from './AuthForm';
import { Tasks } from './Tasks';

/** Signed out: the sign-in / sign-up form. Signed in: the user's tasks. */
export function Home({ apiUrl }: { apiUrl: string }) {
  const { data: session, isPending } = authClient.useSession();
  const user = session?.user.id;
  const api = useMemo(() => (user ? createApi(apiUrl, user) : undefined), [apiUrl, user]);
  const [nativeApps, setNativeApps] = useState(false);
  // A token belongs to one user: whenever the session's user changes (signed out here or in
  // another tab, signed in as someone else), the cached one goes.
  useEffect(() => forgetToken(), [user]);
  if (isPending) return <main className="page">Loading…</main>;
  if (!session || !api) return <AuthForm />;
  const signOut = async () => {
    // This browser stops getting the user's reminders first (while their token still works): the
    // next person to sign in here must never see them.
    await turnOffPush(api, session.user.id).catch(() => undefined);
    await authClient.signOut();
    forgetToken();
  };
  return (
    <main className="page wide">
      <header className="bar">
        <h1>Tasks</h1>
        <span className="who" data-testid="who">
          {session.user.email}
        </span>
        <button
          type="button"
          className="link"
          aria-expanded={nativeApps}
          onClick={() => setNativeApps(!nativeApps)}
        >
          Native apps
        </button>
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {nativeApps && <AppPasswords api={api} apiUrl={apiUrl} email={session.user.email} />}
      <Tasks key={session.user.id} apiUrl={apiUrl} user={session.user.id} />
    </main>
  );
}
