'use client';
import { useEffect, useState, type FormEvent } from 'react';
import type { List, ListInvitation, ListMember, TasksClient } from '@tasks-api/client';
import { problemMessage } from '@/lib/api';
import { Alert } from './Alert';

/**
 * Sharing of one list (not the inbox). Everyone sees the members; the owner invites (a link,
 * optionally bound to an email), revokes open invitations, changes roles, removes members and hands
 * the list over; anyone else can leave. `tick` reloads it (a change announced by the live stream).
 */
export function ShareDialog({
  api,
  list,
  me,
  tick,
  onChanged,
  onClose,
}: {
  api: TasksClient;
  list: List;
  me: string;
  tick: number;
  onChanged: () => void;
  onClose: () => void;
}) {
  const [members, setMembers] = useState<ListMember[]>([]);
  const [invitations, setInvitations] = useState<ListInvitation[]>([]);
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<string>();
  const owner = list.role === 'owner';
  const path = { params: { path: { id: list.id } } };

  useEffect(() => {
    let current = true;
    void (async () => {
      const found = await api.GET('/api/lists/{id}/members', path);
      if (!current) return;
      if (found.data) setMembers(found.data);
      if (owner) {
        const open = await api.GET('/api/lists/{id}/invitations', path);
        if (current && open.data) setInvitations(open.data);
      }
    })();
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, list.id, list.version, owner, tick]);

  /** Shows a failed call's problem, and reloads whatever it changed. */
  const settle = ({ error: problem, response }: { error?: unknown; response: Response }) => {
    setError(problem ? problemMessage(problem as never, response.status) : undefined);
    onChanged();
  };

  const invite = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const outcome = await api.POST('/api/lists/{id}/invitations', {
      ...path,
      body: { role: form.get('role') === 'viewer' ? 'viewer' : 'editor', email: email || undefined },
    });
    if (outcome.data) setLink(`${window.location.origin}/invite/${outcome.data.token}`);
    settle(outcome);
  };
  const revoke = async (id: string) =>
    settle(
      await api.DELETE('/api/lists/{id}/invitations/{invitation_id}', {
        params: { path: { id: list.id, invitation_id: id } },
      }),
    );
  const setRole = async (user: string, role: 'editor' | 'viewer') =>
    settle(
      await api.PATCH('/api/lists/{id}/members/{user_id}', {
        params: { path: { id: list.id, user_id: user } },
        body: { role },
      }),
    );
  const remove = async (user: string) =>
    settle(
      await api.DELETE('/api/lists/{id}/members/{user_id}', {
        params: { path: { id: list.id, user_id: user } },
      }),
    );
  const transfer = async (user: string) =>
    settle(await api.POST('/api/lists/{id}/transfer', { ...path, body: { user_id: user } }));

  return (
    <section className="card share" aria-label={`Share ${list.name}`}>
      <div className="bar">
        <h2>Share “{list.name}”</h2>
        <button type="button" className="link" onClick={onClose}>
          Close
        </button>
      </div>
      <ul className="members" data-testid="members">
        {members.map((m) => (
          <li key={m.user_id} data-member={m.email ?? m.user_id}>
            <span className="grow">
              {m.name ?? m.email ?? m.user_id}
              {m.email && m.name && <span className="muted"> {m.email}</span>}
            </span>
            {owner && m.role !== 'owner' ? (
              <>
                <select
                  aria-label={`Role of ${m.email ?? m.user_id}`}
                  value={m.role}
                  onChange={(e) => void setRole(m.user_id, e.target.value as 'editor' | 'viewer')}
                >
                  <option value="editor">Editor</option>
                  <option value="viewer">Viewer</option>
                </select>
                <button type="button" className="link" onClick={() => void transfer(m.user_id)}>
                  Make owner
                </button>
                <button type="button" className="link danger" onClick={() => void remove(m.user_id)}>
                  Remove
                </button>
              </>
            ) : (
              <span className="role">{m.role}</span>
            )}
            {!owner && m.user_id === me && (
              <button type="button" className="link danger" onClick={() => void remove(me)}>
                Leave list
              </button>
            )}
          </li>
        ))}
      </ul>
      {owner && (
        <>
          <form className="fields" onSubmit={(e) => void invite(e)}>
            <label className="grow">
              <span className="sr">Email</span>
              <input
                name="email"
                type="email"
                placeholder="Only this email may join (optional)"
                aria-label="Invite email"
              />
            </label>
            <label>
              <span className="sr">Role</span>
              <select name="role" aria-label="Invite role" defaultValue="editor">
                <option value="editor">Editor</option>
                <option value="viewer">Viewer</option>
              </select>
            </label>
            <button type="submit">Invite</button>
          </form>
          {link && (
            <p className="invite-link">
              Send this link (shown once):{' '}
              <input readOnly value={link} aria-label="Invitation link" onFocus={(e) => e.target.select()} />
            </p>
          )}
          {invitations.length > 0 && (
            <ul className="invitations" aria-label="Open invitations">
              {invitations.map((i) => (
                <li key={i.id}>
                  <span className="grow">
                    {i.email ?? 'Anyone with the link'} · {i.role} · until{' '}
                    {new Date(i.expires_at).toLocaleDateString()}
                  </span>
                  <button type="button" className="link danger" onClick={() => void revoke(i.id)}>
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <Alert message={error} />
    </section>
  );
}
