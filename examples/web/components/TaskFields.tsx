'use client';
import { useState, type FormEvent } from 'react';
import type { Problem, Task } from '@tasks-api/client';
import { fieldErrors } from '@/lib/api';
import { choiceOf, REPEAT_KINDS, ruleOf, WEEKDAYS, type RepeatKind } from '@/lib/recurrence';
import { Alert } from './Alert';

export interface TaskValues {
  title: string;
  description: string | null;
  priority: Task['priority'];
  due_date: string | null;
  recurrence: { rule: string; from: 'due' | 'completion' } | null;
  /** The browser's zone when the task repeats (its occurrences keep their local time there). */
  time_zone: string | null;
}

/** The browser's IANA time zone, the one a repeating task's wall-clock time is kept in. */
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

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

const FIELDS = [
  'title',
  'description',
  'priority',
  'due_date',
  'recurrence',
  'recurrence.rule',
  'time_zone',
] as const;

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
  const initial = choiceOf(task?.recurrence?.rule);
  const [repeat, setRepeat] = useState<RepeatKind>(initial.kind);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const due = String(form.get('due_date') ?? '');
    const rule = compact
      ? null
      : ruleOf(
          { kind: repeat, days: form.getAll('days').map(String), custom: String(form.get('rule') ?? '') },
          due ? new Date(due) : null,
        );
    setBusy(true);
    try {
      const { error, response } = await onSubmit({
        title: String(form.get('title') ?? ''),
        description: String(form.get('description') ?? '') || null,
        priority: (String(form.get('priority') ?? '') || 'medium') as Task['priority'],
        due_date: due ? new Date(due).toISOString() : null,
        recurrence:
          rule === null
            ? null
            : {
                rule,
                from: String(form.get('repeat_from') ?? 'due') === 'completion' ? 'completion' : 'due',
              },
        time_zone: rule === null ? (task?.time_zone ?? null) : browserZone(),
      });
      setErrors(error ? fieldErrors(error, response.status, compact ? ['title'] : FIELDS) : {});
      if (!error && !task) {
        formElement.reset();
        setRepeat('none');
      }
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
          <label>
            <span className="sr">Repeats</span>
            <select
              name="repeat"
              value={repeat}
              onChange={(e) => setRepeat(e.target.value as RepeatKind)}
              aria-label="Repeats"
            >
              {REPEAT_KINDS.map(({ kind, label }) => (
                <option key={kind} value={kind}>
                  {label}
                </option>
              ))}
            </select>
            {error('recurrence')}
            {repeat !== 'custom' && error('recurrence.rule')}
            {error('time_zone')}
          </label>
          {repeat === 'weekly' && (
            <fieldset className="days" aria-label="On days">
              {WEEKDAYS.map(([code, name]) => (
                <label key={code}>
                  <input
                    type="checkbox"
                    name="days"
                    value={code}
                    defaultChecked={initial.days.includes(code)}
                  />
                  {name}
                </label>
              ))}
            </fieldset>
          )}
          {repeat === 'custom' && (
            <label className="grow">
              <span className="sr">Rule</span>
              <input
                name="rule"
                placeholder="FREQ=MONTHLY;BYDAY=-1FR"
                defaultValue={initial.custom}
                aria-label="Rule"
              />
              {error('recurrence.rule')}
            </label>
          )}
          {repeat !== 'none' && (
            <label>
              <span className="sr">Counted from</span>
              <select
                name="repeat_from"
                defaultValue={task?.recurrence?.from ?? 'due'}
                aria-label="Counted from"
              >
                <option value="due">from the due date</option>
                <option value="completion">from completion</option>
              </select>
            </label>
          )}
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
      <Alert message={errors['']} className="wide" />
    </form>
  );
}
