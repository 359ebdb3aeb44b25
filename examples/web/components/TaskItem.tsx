'use client';
import { useState, type DragEvent } from 'react';
import type { List, Task, TasksClient } from '@tasks-api/client';
import { problemMessage } from '@/lib/api';
import { describeRule } from '@/lib/recurrence';
import { Reminders } from './Reminders';
import { TaskFields, type Outcome, type TaskValues } from './TaskFields';
import { TaskList } from './TaskList';
import { Alert } from './Alert';

/** The drag payload: the dragged task's id (a drop of anything else, from anywhere, is ignored). */
export const DRAG_TYPE = 'application/x-task-id';

const formatDue = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Whether two instants (or their absence) fall in the same minute: what `datetime-local` keeps. */
const sameMinute = (a: string | null | undefined, b: string | null | undefined) =>
  (a ? Math.floor(Date.parse(a) / 60_000) : null) === (b ? Math.floor(Date.parse(b) / 60_000) : null);

/**
 * The edit form's values as a PATCH body: the due date, the recurrence and the zone only when they
 * changed (setting any of them restarts a series at its due date, contract "Recurring tasks").
 */
const changes = (task: Task, values: TaskValues) => {
  const { title, description, priority, due_date, recurrence, time_zone } = values;
  const sameRule =
    recurrence?.rule === task.recurrence?.rule && recurrence?.from === (task.recurrence?.from ?? undefined);
  return {
    title,
    description,
    priority,
    ...(sameMinute(due_date, task.due_date) ? {} : { due_date }),
    ...(sameRule ? {} : { recurrence, time_zone }),
  };
};

/** `If-Match` for a version: a write naming it is refused (412) once the task changed elsewhere. */
export const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

/** One task: complete, edit, delete, drag, move to another list, your reminders, and (top level only) its subtasks. */
export function TaskItem({
  api,
  task,
  tick,
  lists,
  readOnly,
  onChanged,
  dragging,
  onDragStart,
  onDragEnd,
  onDrop,
}: {
  api: TasksClient;
  task: Task;
  tick: number;
  lists: List[];
  readOnly: boolean;
  onChanged: () => void;
  dragging: boolean;
  onDragStart: () => void;
  onDragEnd: () => void;
  onDrop: (draggedId: string) => void;
}) {
  // The version the edit form was opened on: live reloads may bring a newer one meanwhile, and the
  // form's values are of this one, so Save must not overwrite what changed since (412 instead).
  const [editing, setEditing] = useState<number>();
  const [open, setOpen] = useState(false);
  const [reminding, setReminding] = useState(false);
  const [error, setError] = useState<string>();

  const settle = ({ error, response }: Outcome) => {
    setError(error && problemMessage(error, response.status));
    onChanged();
  };
  const current = { path: { id: task.id }, header: ifMatch(task.version) };
  // Completing a repeating task moves it to its next date; naming the occurrence makes a double
  // click complete it once, never skip the next one.
  const toggle = async () =>
    settle(
      await api.PATCH('/api/tasks/{id}', {
        params: current,
        body:
          task.recurrence && !task.completed
            ? { completed: true, occurrence: task.due_date }
            : { completed: !task.completed },
      }),
    );
  const remove = async () => settle(await api.DELETE('/api/tasks/{id}', { params: current }));
  const save = async (values: TaskValues) => {
    const outcome = await api.PATCH('/api/tasks/{id}', {
      params: { path: { id: task.id }, header: ifMatch(editing ?? task.version) },
      body: changes(task, values),
    });
    if (!outcome.error) setEditing(undefined);
    onChanged();
    return outcome;
  };
  // With its subtasks, into a list the user may write (a subtask moves only with its parent).
  const targets = lists.filter((l) => l.id !== task.list_id && (l.role === 'owner' || l.role === 'editor'));
  const moveTo = async (listId: string) =>
    settle(await api.POST('/api/tasks/{id}/move', { params: current, body: { list_id: listId } }));
  const addSubtask = async ({ title }: TaskValues) => {
    const outcome = await api.POST('/api/tasks', { body: { title, parent_id: task.id } });
    onChanged();
    return outcome;
  };

  const drop = (e: DragEvent) => {
    const id = e.dataTransfer.getData(DRAG_TYPE);
    if (!id) return;
    e.preventDefault();
    e.stopPropagation();
    onDrop(id);
  };

  return (
    <li
      className={`task${task.completed ? ' done' : ''}${dragging ? ' dragging' : ''}`}
      data-testid="task"
      data-title={task.title}
      draggable={editing === undefined && !readOnly}
      onDragStart={(e) => {
        e.stopPropagation();
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData(DRAG_TYPE, task.id);
        onDragStart();
      }}
      onDragEnd={onDragEnd}
      onDragOver={(e) => e.dataTransfer.types.includes(DRAG_TYPE) && e.preventDefault()}
      onDrop={drop}
    >
      {editing !== undefined ? (
        <TaskFields task={task} submitLabel="Save" onSubmit={save} onCancel={() => setEditing(undefined)} />
      ) : (
        <div className="row">
          <span className="handle" aria-hidden>
            ⋮⋮
          </span>
          <input
            type="checkbox"
            checked={task.completed}
            disabled={readOnly}
            onChange={() => void toggle()}
            aria-label={`Complete ${task.title}`}
          />
          <div className="grow">
            <span className="title">{task.title}</span>
            {task.description && <span className="description">{task.description}</span>}
          </div>
          {task.priority !== 'medium' && <span className={`badge ${task.priority}`}>{task.priority}</span>}
          {task.recurrence && (
            <span className="repeats" data-testid="repeats">
              {describeRule(task.recurrence.rule)}
            </span>
          )}
          {task.due_date && (
            <span className="due" data-testid="due">
              {task.recurrence && !task.completed ? 'next ' : ''}
              {formatDue(task.due_date)}
            </span>
          )}
          <button
            type="button"
            className="link"
            onClick={() => setReminding(!reminding)}
            aria-expanded={reminding}
            aria-label={`Reminders of ${task.title}`}
          >
            Remind me
          </button>
          {!task.parent_id && (
            <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
              Subtasks
            </button>
          )}
          {!readOnly && !task.parent_id && targets.length > 0 && (
            <select
              className="move-to"
              aria-label={`Move ${task.title} to`}
              value=""
              onChange={(e) => e.target.value && void moveTo(e.target.value)}
            >
              <option value="">Move to…</option>
              {targets.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          )}
          {!readOnly && (
            <>
              <button type="button" className="link" onClick={() => setEditing(task.version)}>
                Edit
              </button>
              <button type="button" className="link danger" onClick={() => void remove()}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
      <Alert message={error} />
      {reminding && <Reminders api={api} task={task} tick={tick} />}
      {open && (
        <div className="children">
          <TaskList
            api={api}
            filter={{ status: 'all' }}
            parentId={task.id}
            tick={tick}
            lists={lists}
            readOnly={readOnly}
            onChanged={onChanged}
          />
          {!readOnly && <TaskFields compact submitLabel="Add subtask" onSubmit={addSubtask} />}
        </div>
      )}
    </li>
  );
}
