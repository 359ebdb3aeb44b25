'use client';
import { useEffect, useState } from 'react';
import type { TasksClient } from '@tasks-api/client';
import { pushState, turnOffPush, turnOnPush, type PushState } from '@/lib/push';
import { Alert } from './Alert';

/**
 * Push notifications for this browser: reminders reach it through the browser's push service (Web
 * Push) also when no page of the app is open. Off until the user turns it on (the browser asks for
 * permission then); hidden where the browser cannot take them.
 */
export function PushToggle({ api, user }: { api: TasksClient; user: string }) {
  const [state, setState] = useState<PushState>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => void pushState(user).then(setState), [user]);
  if (!state || state === 'unsupported') return null;

  const toggle = async () => {
    setBusy(true);
    try {
      setError(state === 'on' ? await turnOffPush(api, user) : await turnOnPush(api, user));
      setState(await pushState(user));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="push">
      <button
        type="button"
        className="link"
        disabled={busy || state === 'denied'}
        onClick={() => void toggle()}
        title="Reminders as notifications of this browser, also when the app is closed"
      >
        {state === 'on' ? '🔔 Push on' : state === 'denied' ? '🔕 Push blocked' : '🔕 Turn on push'}
      </button>
      <Alert message={error} />
    </div>
  );
}
