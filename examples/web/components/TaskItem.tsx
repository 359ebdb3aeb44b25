'use client';
import { useState } from 'react';
import type { Problem, Task, TasksClient } from '@tasks-api/client';
import { fieldErrors } from '@/lib/api';
import { TaskFields, type TaskValues } from './TaskFields';
import { TaskList } from './TaskList';

const formatDue = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One task: complete, edit, delete, drag, and (top level only) its subtasks. */
export function TaskItem({
  api,
  task,
  tick,
  onChanged,
  dragging,
  onDragStart,
  onDrop,
}: {
  api: TasksClient;
  task: Task;
  tick: number;
  onChanged: () => void;
  dragging: boolean;
  onDragStart: () => void;
  onDrop: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  // Writes name the version shown: a task changed elsewhere meanwhile is 412, not overwritten.
  const path = { path: { id: task.id }, header: { 'If-Match': `"${task.version}"` } };

  /** After a complete or delete: its error, if any, below the task; then the lists load again. */
  const settle = ({ error, response }: { error?: Problem; response: Response }) => {
    const errors = error ? fieldErrors(error, response.status) : undefined;
    setError(errors && (errors[''] ?? Object.values(errors)[0]));
    onChanged();
  };

  const toggle = async () =>
    settle(await api.PATCH('/api/tasks/{id}', { params: path, body: { completed: !task.completed } }));
  const remove = async () => settle(await api.DELETE('/api/tasks/{id}', { params: path }));
  const save = async (values: TaskValues) => {
    const result = await api.PATCH('/api/tasks/{id}', { params: path, body: values });
    if (!result.error) setEditing(false);
    onChanged();
    return result.error ? fieldErrors(result.error, result.response.status) : undefined;
  };
  const addSubtask = async ({ title }: TaskValues) => {
    const result = await api.POST('/api/tasks', { body: { title, parent_id: task.id } });
    onChanged();
    return result.error ? fieldErrors(result.error, result.response.status) : undefined;
  };

  return (
    <li
      className={`task${task.completed ? ' done' : ''}${dragging ? ' dragging' : ''}`}
      data-testid="task"
      data-title={task.title}
      draggable={!editing}
      onDragStart={(e) => {
        e.dataTransfer.effectAllowed = 'move';
        e.stopPropagation();
        onDragStart();
      }}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        onDrop();
      }}
    >
      {editing ? (
        <TaskFields task={task} submitLabel="Save" onSubmit={save} onCancel={() => setEditing(false)} />
      ) : (
        <div className="row">
          <span className="handle" aria-hidden>
            ⋮⋮
          </span>
          <input
            type="checkbox"
            checked={task.completed}
            onChange={() => void toggle()}
            aria-label={`Complete ${task.title}`}
          />
          <div className="grow">
            <span className="title">{task.title}</span>
            {task.description && <span className="description">{task.description}</span>}
          </div>
          {task.priority !== 'medium' && <span className={`badge ${task.priority}`}>{task.priority}</span>}
          {task.due_date && <span className="due">{formatDue(task.due_date)}</span>}
          {!task.parent_id && (
            <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
              Subtasks
            </button>
          )}
          <button type="button" className="link" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" className="link danger" onClick={() => void remove()}>
            Delete
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {open && (
        <div className="children">
          <TaskList api={api} status="all" parentId={task.id} tick={tick} onChanged={onChanged} />
          <TaskFields compact submitLabel="Add subtask" onSubmit={addSubtask} />
        </div>
      )}
    </li>
  );
}
