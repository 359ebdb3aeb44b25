'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { subscribe, type List, type ReminderNotification } from '@tasks-api/client';
import { apiOptions, createApi, problemMessage } from '@/lib/api';
import type { Status } from '@/lib/use-task-list';
import { Lists } from './Lists';
import { PushToggle } from './PushToggle';
import { ShareDialog } from './ShareDialog';
import { TaskFields, type TaskValues } from './TaskFields';
import { TaskList } from './TaskList';
import { Alert } from './Alert';

const FILTERS: { status: Status; label: string }[] = [
  { status: 'all', label: 'All' },
  { status: 'pending', label: 'Pending' },
  { status: 'completed', label: 'Completed' },
];
/** Changes often come in bursts (a batch, a drag): the lists load once for all within this. */
const RELOAD_AFTER_MS = 50;
const SEARCH_AFTER_MS = 300;

/** The list a page opens on: `?list=<id>` (an accepted invitation sends you there), else the inbox. */
const listInAddress = () =>
  typeof window === 'undefined'
    ? undefined
    : (new URLSearchParams(window.location.search).get('list') ?? undefined);

/**
 * The signed-in user's lists and the tasks of the one selected: add, filter, search, share. Live:
 * every change anyone makes in a list the user can see (another tab, another device, another member)
 * arrives over `subscribe()` and what it touches loads again; a list the user lost goes at once.
 * The user's reminders show here as they fire.
 */
export function Tasks({ apiUrl, user }: { apiUrl: string; user: string }) {
  const api = useMemo(() => createApi(apiUrl, user), [apiUrl, user]);
  const [lists, setLists] = useState<List[]>([]);
  const [selectedId, setSelectedId] = useState<string | undefined>(listInAddress);
  const [sharing, setSharing] = useState(false);
  const [listsError, setListsError] = useState<string>();
  const selected = lists.find((l) => l.id === selectedId) ?? lists[0];
  const writable = selected?.role === 'owner' || selected?.role === 'editor';
  const [status, setStatus] = useState<Status>('all');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [notices, setNotices] = useState<ReminderNotification[]>([]);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);

  // At most one reload per RELOAD_AFTER_MS, however many changes arrive (a steady stream of
  // them must not keep postponing it).
  const refresh = () => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      setTick((t) => t + 1);
    }, RELOAD_AFTER_MS);
  };

  const loadLists = useCallback(async () => {
    const { data, error, response } = await api.GET('/api/lists');
    if (data) setLists(data);
    setListsError(error && problemMessage(error, response.status));
  }, [api]);
  useEffect(() => void loadLists(), [loadLists, tick]);

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
      onList: refresh,
      onListDeleted: refresh,
      // A reminder that fired: shown on the page until dismissed (the newest first), and the task's
      // reminders load again (the one that fired has nothing due now).
      onReminder: (notification) => {
        setNotices((shown) => [notification, ...shown.filter((n) => n.id !== notification.id)]);
        refresh();
      },
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
        list_id: selected?.id,
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
    <div className="layout">
      <Lists
        api={api}
        lists={lists}
        selected={selected}
        onSelect={(id) => {
          setSelectedId(id);
          setSharing(false);
        }}
        onChanged={refresh}
      />
      <div className="main">
        {/* Always there, so a screen reader announces each notice as it is added. */}
        <div role="status" aria-live="polite" aria-label="Reminders">
          {notices.length > 0 && (
            <ul className="notices">
              {notices.map((n) => (
                <li key={n.id} className="notice" data-testid="notice">
                  <span>
                    ⏰ <strong>{n.task.title}</strong>
                    {n.task.due_date &&
                      ` · due ${new Date(n.task.due_date).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`}
                  </span>
                  <button
                    type="button"
                    className="link"
                    aria-label={`Dismiss the reminder of ${n.task.title}`}
                    onClick={() => setNotices((shown) => shown.filter((s) => s.id !== n.id))}
                  >
                    Dismiss
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <Alert message={listsError} />
        {selected && (
          <div className="bar list-bar">
            <h2 data-testid="list-title">{selected.name}</h2>
            {selected.role !== 'owner' && <span className="role">{selected.role}</span>}
            {!selected.is_inbox && (
              <button
                type="button"
                className="link"
                onClick={() => setSharing(!sharing)}
                aria-expanded={sharing}
              >
                Share
              </button>
            )}
          </div>
        )}
        {selected && sharing && (
          <ShareDialog
            api={api}
            list={selected}
            me={user}
            tick={tick}
            onChanged={refresh}
            onClose={() => setSharing(false)}
          />
        )}
        {writable ? (
          <section className="card add-task">
            <TaskFields submitLabel="Add" onSubmit={create} />
          </section>
        ) : (
          selected && <p className="muted">You can view this list; its owner can let you edit it.</p>
        )}
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
          <PushToggle api={api} user={user} />
          <span
            className={`live ${live}`}
            data-testid="live"
            title="Changes made elsewhere appear here as they happen"
          >
            {live === 'live' ? '● live' : live === 'connecting' ? '○ connecting' : '○ reconnecting'}
          </span>
        </nav>
        {selected && (
          <TaskList
            key={`${selected.id} ${status} ${q}`}
            api={api}
            filter={{ status, q, listId: selected.id }}
            parentId="none"
            tick={tick}
            lists={lists}
            readOnly={!writable}
            onChanged={refresh}
          />
        )}
      </div>
    </div>
  );
}
