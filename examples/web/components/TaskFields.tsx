'use client';
import { useState, type FormEvent } from 'react';
import type { Problem, Task } from '@tasks-api/client';
import { fieldErrors } from '@/lib/api';

export interface TaskValues {
  title: string;
  description: string | null;
  priority: Task['priority'];
  due_date: string | null;
}

/** `datetime-local` works in local time without an offset; the API wants an instant. */
const toLocalInput = (iso: string | null | undefined): string => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** What a submit got back from the typed client: an `error` (problem+json) means it failed. */
export interface Outcome {
  error?: Problem;
  response: Response;
}

const FIELDS = ['title', 'description', 'priority', 'due_date'] as const;

/**
 * The fields of a task (create and edit; `compact`: the title only). When `onSubmit` fails, the
 * problem+json's `errors[]` are shown beside the fields they name, the rest above the button.
 */
export function TaskFields({
  task,
  submitLabel,
  compact = false,
  onSubmit,
  onCancel,
}: {
  task?: Task;
  submitLabel: string;
  compact?: boolean;
  onSubmit: (values: TaskValues) => Promise<Outcome>;
  onCancel?: () => void;
}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const due = String(form.get('due_date') ?? '');
    setBusy(true);
    try {
      const { error, response } = await onSubmit({
        title: String(form.get('title') ?? ''),
        description: String(form.get('description') ?? '') || null,
        priority: (String(form.get('priority') ?? '') || 'medium') as Task['priority'],
        due_date: due ? new Date(due).toISOString() : null,
      });
      setErrors(error ? fieldErrors(error, response.status, compact ? ['title'] : FIELDS) : {});
      if (!error && !task) formElement.reset();
    } finally {
      setBusy(false);
    }
  };

  const error = (field: string) =>
    errors[field] && (
      <span className="field-error" data-field={field}>
        {errors[field]}
      </span>
    );

  return (
    <form className={compact ? 'fields compact' : 'fields'} onSubmit={(e) => void submit(e)} noValidate>
      <label className="grow">
        <span className="sr">Title</span>
        <input name="title" placeholder="What needs doing?" defaultValue={task?.title} aria-label="Title" />
        {error('title')}
      </label>
      {!compact && (
        <>
          <label className="grow">
            <span className="sr">Description</span>
            <input
              name="description"
              placeholder="Notes (optional)"
              defaultValue={task?.description ?? ''}
              aria-label="Description"
            />
            {error('description')}
          </label>
          <label>
            <span className="sr">Priority</span>
            <select name="priority" defaultValue={task?.priority ?? 'medium'} aria-label="Priority">
              <option value="low">Low</option>
              <option value="medium">Medium</option>
              <option value="high">High</option>
            </select>
            {error('priority')}
          </label>
          <label>
            <span className="sr">Due</span>
            <input
              name="due_date"
              type="datetime-local"
              defaultValue={toLocalInput(task?.due_date)}
              aria-label="Due"
            />
            {error('due_date')}
          </label>
        </>
      )}
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      )}
      {errors[''] && (
        <p className="error wide" role="alert">
          {errors['']}
        </p>
      )}
    </form>
  );
}
