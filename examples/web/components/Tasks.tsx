'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { subscribe } from '@tasks-api/client';
import { apiOptions, createApi } from '@/lib/api';
import type { Status } from '@/lib/use-task-list';
import { TaskFields, type TaskValues } from './TaskFields';
import { TaskList } from './TaskList';

const FILTERS: { status: Status; label: string }[] = [
  { status: 'all', label: 'All' },
  { status: 'pending', label: 'Pending' },
  { status: 'completed', label: 'Completed' },
];
/** Changes often come in bursts (a batch, a drag): the lists load once for all within this. */
const RELOAD_AFTER_MS = 50;
const SEARCH_AFTER_MS = 300;

/**
 * The signed-in user's tasks: add, filter, search, and the list. Live: every change the user makes
 * anywhere (another tab, another device) arrives over `subscribe()` and the lists load again.
 */
export function Tasks({ apiUrl, user }: { apiUrl: string; user: string }) {
  const api = useMemo(() => createApi(apiUrl, user), [apiUrl, user]);
  const [status, setStatus] = useState<Status>('all');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);

  // At most one reload per RELOAD_AFTER_MS, however many changes arrive (a steady stream of
  // them must not keep postponing it).
  const refresh = () => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      setTick((t) => t + 1);
    }, RELOAD_AFTER_MS);
  };

  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), SEARCH_AFTER_MS);
    return () => clearTimeout(timer);
  }, [search]);

  useEffect(() => {
    // From now on (no token). Each time the stream opens the lists load again too: what changed
    // before it opened is in that load, what changes after arrives as an event.
    const subscription = subscribe(apiOptions(apiUrl, user), {
      onTask: refresh,
      onDeleted: refresh,
      onResync: () => void refresh(),
      onOpen: () => {
        setLive('live');
        refresh();
      },
      onError: () => setLive('reconnecting'),
    });
    return () => {
      subscription.close();
      clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, [apiUrl, user]);

  const create = async ({ title, description, priority, due_date, recurrence, time_zone }: TaskValues) => {
    const outcome = await api.POST('/api/tasks', {
      body: {
        title,
        description: description ?? undefined,
        priority,
        due_date: due_date ?? undefined,
        recurrence: recurrence ?? undefined,
        time_zone: time_zone ?? undefined,
      },
    });
    setTick((t) => t + 1);
    return outcome;
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
        <input
          className="search"
          type="search"
          placeholder="Search"
          aria-label="Search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <span
          className={`live ${live}`}
          data-testid="live"
          title="Changes made elsewhere appear here as they happen"
        >
          {live === 'live' ? '● live' : live === 'connecting' ? '○ connecting' : '○ reconnecting'}
        </span>
      </nav>
      <TaskList
        key={`${status} ${q}`}
        api={api}
        filter={{ status, q }}
        parentId="none"
        tick={tick}
        onChanged={refresh}
      />
    </>
  );
}
