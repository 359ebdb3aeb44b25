import type { Task } from '../tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../tasks/task.schema.js';

/** The task's timestamp columns: the trigger's `to_jsonb` writes them in PostgreSQL's form, the API in `toISOString()`'s. */
export const TASK_TIMESTAMPS = [
  'created_at',
  'updated_at',
  'due_date',
  'last_completed_at',
] as const satisfies readonly (typeof TASK_COLUMNS)[number][];

/** A task row as the trigger on tasks stored it (`to_jsonb(NEW)`), as the API shows a task. */
export function taskOfRow(row: Record<string, unknown>): Task {
  const task: Record<string, unknown> = {};
  for (const column of TASK_COLUMNS) task[column] = row[column] ?? null;
  for (const column of TASK_TIMESTAMPS) {
    const value = task[column];
    if (typeof value === 'string') task[column] = new Date(value).toISOString();
  }
  return task as unknown as Task;
}

/**
 * A delivery's body (Standard Webhooks' shape): `{ type, timestamp, data }`, `timestamp` when the
 * event happened, the same on every attempt. `data`: the notification (`reminder.fired`), the task as
 * it was after the change (`task.created`, `task.updated`, `task.completed`), or `{ id, list_id }`
 * (`task.deleted`).
 */
export function webhookBody(event: string, createdAt: string, payload: unknown): string {
  const data =
    event.startsWith('task.') && event !== 'task.deleted'
      ? taskOfRow(payload as Record<string, unknown>)
      : payload;
  return JSON.stringify({ type: event, timestamp: createdAt, data });
}
