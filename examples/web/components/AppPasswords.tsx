'use client';
import { useCallback, useEffect, useState } from 'react';
import type { AppPassword, CreatedAppPassword, TasksClient } from '@tasks-api/client';
import { fieldErrors, problemMessage } from '@/lib/api';
import { Alert } from './Alert';

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * App passwords for native task apps (Apple Reminders, Thunderbird, tasks.org through DAVx⁵), which
 * sync over CalDAV and cannot sign in through Better Auth: make one per device (the password is
 * shown this once, with the server address and user name to type in), see when each was last used,
 * revoke one (the device's next request is refused).
 */
export function AppPasswords({ api, apiUrl, email }: { api: TasksClient; apiUrl: string; email: string }) {
  const [passwords, setPasswords] = useState<AppPassword[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedAppPassword>();
  const [error, setError] = useState<string>();
  const server = new URL('/dav/', apiUrl).href;

  const load = useCallback(async () => {
    const { data, error, response } = await api.GET('/api/app-passwords');
    if (data) setPasswords(data);
    else setError(problemMessage(error, response.status));
  }, [api]);
  useEffect(() => void load(), [load]);

  const create = async () => {
    const { data, error, response } = await api.POST('/api/app-passwords', { body: { name: name.trim() } });
    setError(error && fieldErrors(error, response.status)['']);
    if (data) {
      setCreated(data);
      setName('');
    }
    await load();
  };
  const revoke = async (id: string) => {
    const { error, response } = await api.DELETE('/api/app-passwords/{id}', { params: { path: { id } } });
    setError(error && problemMessage(error, response.status));
    if (created?.id === id) setCreated(undefined);
    await load();
  };

  return (
    <section className="card app-passwords" aria-label="Native apps">
      <h2>Native apps (CalDAV)</h2>
      <p className="muted">
        Apple Reminders, Thunderbird and tasks.org (through DAVx⁵) sync your lists over CalDAV. Make a
        password for each device; it is shown once.
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <input
          aria-label="Device name"
          placeholder="Device name, e.g. iPhone"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit">Make password</button>
      </form>
      <Alert message={error} />
      {created && (
        <div className="created" data-testid="app-password">
          <p>
            Type these into <strong>{created.name}</strong> now: the password is not shown again.
          </p>
          <dl>
            <dt>Server</dt>
            <dd>
              <code data-testid="server">{server}</code>
            </dd>
            <dt>User</dt>
            <dd>
              <code data-testid="user">{email}</code>
            </dd>
            <dt>Password</dt>
            <dd>
              <code data-testid="password">{created.password}</code>
            </dd>
          </dl>
          <button type="button" className="link" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </div>
      )}
      <ul>
        {passwords.map((p) => (
          <li key={p.id} data-testid="app-password-row">
            <span className="grow">
              <strong>{p.name}</strong>{' '}
              <span className="muted">
                made {when(p.created_at)} ·{' '}
                {p.last_used_at ? `last used ${when(p.last_used_at)}` : 'never used'}
              </span>
            </span>
            <button
              type="button"
              className="link danger"
              aria-label={`Revoke ${p.name}`}
              onClick={() => void revoke(p.id)}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
