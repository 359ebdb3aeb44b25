'use client';
import { useEffect, useMemo, useState } from 'react';
import type { InvitationPreview } from '@tasks-api/client';
import { authClient } from '@/lib/auth-client';
import { createApi, problemMessage } from '@/lib/api';
import { AuthForm } from './AuthForm';
import { Alert } from './Alert';

/**
 * An invitation link opened: sign in (or up) first, then what the invitation is (the list, who
 * invites, the role) and a button that joins; joined, the app opens on that list.
 */
export function Invite({ apiUrl, token }: { apiUrl: string; token: string }) {
  const { data: session, isPending } = authClient.useSession();
  const user = session?.user.id;
  const api = useMemo(() => (user ? createApi(apiUrl, user) : undefined), [apiUrl, user]);
  const [preview, setPreview] = useState<InvitationPreview>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!api) return;
    void api
      .GET('/api/invitations/{token}', { params: { path: { token } } })
      .then(({ data, error, response }) => {
        setPreview(data);
        setError(error && problemMessage(error, response.status));
      });
  }, [api, token]);

  if (isPending) return <main className="page">Loading…</main>;
  if (!session || !api) return <AuthForm />;

  const accept = async () => {
    setBusy(true);
    const { data, error, response } = await api.POST('/api/invitations/{token}/accept', {
      params: { path: { token } },
    });
    setBusy(false);
    if (data) window.location.assign(`/?list=${encodeURIComponent(data.id)}`);
    else setError(problemMessage(error, response.status));
  };

  return (
    <main className="page narrow">
      <h1>Tasks</h1>
      <section className="card stack" data-testid="invitation">
        {preview ? (
          <>
            <h2>Join “{preview.list.name}”</h2>
            <p>
              {preview.inviter.name ?? preview.inviter.email ?? 'Someone'} invites you as{' '}
              {preview.role === 'viewer' ? 'a viewer' : 'an editor'}.
            </p>
            <button type="button" disabled={busy} onClick={() => void accept()}>
              Join list
            </button>
          </>
        ) : (
          !error && <p>Loading the invitation…</p>
        )}
        <Alert message={error} />
        <a href="/">Back to my tasks</a>
      </section>
    </main>
  );
}
