'use client';
import { useEffect } from 'react';
import { authClient } from '@/lib/auth-client';
import { forgetToken } from '@/lib/api';
import { AuthForm } from './AuthForm';
import { Tasks } from './Tasks';

/** Signed out: the sign-in / sign-up form. Signed in: the user's tasks. */
export function Home({ apiUrl }: { apiUrl: string }) {
  const { data: session, isPending } = authClient.useSession();
  const user = session?.user.id;
  // A token belongs to one user: whenever the session's user changes (signed out here or in
  // another tab, signed in as someone else), the cached one goes.
  useEffect(() => forgetToken(), [user]);
  if (isPending) return <main className="page">Loading…</main>;
  if (!session) return <AuthForm />;
  const signOut = async () => {
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
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <Tasks key={session.user.id} apiUrl={apiUrl} user={session.user.id} />
    </main>
  );
}
