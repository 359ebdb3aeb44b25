'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { subscribe } from '@tasks-api/client';
import { apiOptions, createApi, fieldErrors } from '@/lib/api';
import type { Status } from '@/lib/use-task-list';
import { TaskFields, type TaskValues } from './TaskFields';
import { TaskList } from './TaskList';

const FILTERS: { status: Status; label: string }[] = [
  { status: 'all', label: 'All' },
  { status: 'pending', label: 'Pending' },
  { status: 'completed', label: 'Completed' },
];

/**
 * The signed-in user's tasks: add, filter, and the list. Live: every change the user makes
 * anywhere (another tab, another device) arrives over `subscribe()` and the lists load again.
 */
export function Tasks({ apiUrl }: { apiUrl: string }) {
  const api = useMemo(() => createApi(apiUrl), [apiUrl]);
  const [status, setStatus] = useState<Status>('all');
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);

  // Changes often come in bursts (a batch, a drag): one reload for all that arrive within 50 ms.
  const refresh = () => {
    clearTimeout(pending.current);
    pending.current = setTimeout(() => setTick((t) => t + 1), 50);
  };

  useEffect(() => {
    const changed = () => refresh();
    // From now on (no token). Each time the stream opens the lists load again too: what changed
    // before it opened is in that load, what changes after arrives as an event.
    const subscription = subscribe(apiOptions(apiUrl), {
      onTask: changed,
      onDeleted: changed,
      onResync: () => void changed(),
      onOpen: () => {
        setLive('live');
        refresh();
      },
      onError: () => setLive('reconnecting'),
    });
    return () => {
      subscription.close();
      clearTimeout(pending.current);
    };
  }, [apiUrl]);

  const create = async ({ title, description, priority, due_date }: TaskValues) => {
    const { error, response } = await api.POST('/api/tasks', {
      body: { title, description: description ?? undefined, priority, due_date: due_date ?? undefined },
    });
    setTick((t) => t + 1);
    return error ? fieldErrors(error, response.status) : undefined;
  };

  return (
    <>
      <section className="card">
        <TaskFields submitLabel="Add" onSubmit={create} />
      </section>
      <nav className="filters" aria-label="Show">
        {FILTERS.map((f) => (
          <button
            key={f.status}
            type="button"
            className={status === f.status ? 'chip on' : 'chip'}
            aria-pressed={status === f.status}
            onClick={() => setStatus(f.status)}
          >
            {f.label}
          </button>
        ))}
        <span
          className={`live ${live}`}
          data-testid="live"
          title="Changes made elsewhere appear here as they happen"
        >
          {live === 'live' ? '● live' : live === 'connecting' ? '○ connecting' : '○ reconnecting'}
        </span>
      </nav>
      <TaskList key={status} api={api} status={status} parentId="none" tick={tick} onChanged={refresh} />
    </>
  );
}
