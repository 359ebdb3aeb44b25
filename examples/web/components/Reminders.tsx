'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Reminder, Task, TasksClient } from '@tasks-api/client';
import { fieldErrors, problemMessage } from '@/lib/api';
import { Alert } from './Alert';

/** The choices relative to the due date, in minutes before it. */
const BEFORE: { minutes: number; label: string }[] = [
  { minutes: 0, label: 'At the due time' },
  { minutes: 15, label: '15 minutes before' },
  { minutes: 60, label: '1 hour before' },
  { minutes: 1440, label: '1 day before' },
];

const formatTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** How a reminder reads: "15 minutes before", or the time it is set for. */
const describe = (r: Reminder) =>
  r.before_minutes != null
    ? (BEFORE.find((b) => b.minutes === r.before_minutes)?.label ?? `${r.before_minutes} minutes before`)
    : `At ${formatTime(r.at!)}`;

/**
 * The signed-in user's reminders on one task (private to them, also on a shared list's task, and a
 * viewer may set them too): list, add relative to the due date or at a time, delete. A reminder that
 * fires reaches the page as `event: reminder` (see Tasks) and, when subscribed, as a Web Push.
 */
export function Reminders({ api, task, tick }: { api: TasksClient; task: Task; tick: number }) {
  const [reminders, setReminders] = useState<Reminder[]>([]);
  const [chosen, setChosen] = useState(task.due_date ? '15' : 'at');
  // Relative choices need a due date: once the task has none, only a time is left.
  const choice = task.due_date ? chosen : 'at';
  const [at, setAt] = useState('');
  const [error, setError] = useState<string>();
  const params = { path: { id: task.id } };

  // Loads overlap (each live change reloads open panels): only the newest one's answer is shown.
  const latest = useRef(0);
  const load = useCallback(async () => {
    const mine = ++latest.current;
    const { data, error, response } = await api.GET('/api/tasks/{id}/reminders', {
      params: { path: { id: task.id } },
    });
    if (mine !== latest.current) return;
    if (data) setReminders(data);
    // Only a failure is shown: a reload after an add must not wipe that add's error.
    else setError(problemMessage(error, response.status));
  }, [api, task.id]);
  // Again when the task changes (a moved due date moves relative reminders) or one fires.
  useEffect(() => void load(), [load, tick, task.version]);

  const add = async () => {
    const body =
      choice === 'at' ? { at: at ? new Date(at).toISOString() : '' } : { before_minutes: Number(choice) };
    const { error, response } = await api.POST('/api/tasks/{id}/reminders', { params, body });
    setError(error && fieldErrors(error, response.status)['']);
    if (!error) setAt('');
    await load();
  };
  const remove = async (id: string) => {
    const { error, response } = await api.DELETE('/api/tasks/{id}/reminders/{reminder_id}', {
      params: { path: { id: task.id, reminder_id: id } },
    });
    setError(error && problemMessage(error, response.status));
    await load();
  };

  return (
    <div className="reminders" data-testid="reminders">
      <ul>
        {reminders.map((r) => (
          <li key={r.id} data-testid="reminder">
            <span>{describe(r)}</span>
            <span className="muted">
              {r.next_fire_at ? ` · next ${formatTime(r.next_fire_at)}` : ' · nothing due'}
            </span>
            <button
              type="button"
              className="link danger"
              aria-label={`Remove the reminder ${describe(r)}`}
              onClick={() => void remove(r.id)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <select
          aria-label={`Remind me of ${task.title}`}
          value={choice}
          onChange={(e) => setChosen(e.target.value)}
        >
          {task.due_date &&
            BEFORE.map((b) => (
              <option key={b.minutes} value={String(b.minutes)}>
                {b.label}
              </option>
            ))}
          <option value="at">At a time…</option>
        </select>
        {choice === 'at' && (
          <input
            type="datetime-local"
            aria-label="Remind me at"
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
        )}
        <button type="button" onClick={() => void add()}>
          Add reminder
        </button>
      </div>
      <Alert message={error} />
    </div>
  );
}
