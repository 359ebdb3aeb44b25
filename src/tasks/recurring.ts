/**
 * The rules of recurring tasks (contract: "Recurring tasks") as pure functions: given a task as it
 * is (locked) and what a request asks for, what the one write is. Occurrence arithmetic is the
 * engine's (recurrence/recurrence.ts); this decides when a series restarts, what completing and
 * skipping do, and what is stored.
 */
import {
  assertHasFuture,
  firstAfter,
  nextAfterCompletion,
  normalizeRule,
  RuleError,
  type Series,
} from '../recurrence/recurrence.js';
import type { Recurrence, RecurrenceInputDto } from './dto/recurrence.dto.js';
import type { Task } from './dto/task.dto.js';
import { InvalidSeriesError, NoNextOccurrenceError } from './task.errors.js';
import { SERIES_FIELDS, type TaskChanges } from './task.schema.js';

/** A task as the careful path reads it: its columns and its series' start (DTSTART). */
export type SeriesRow = Task & { series_start: string | null };

/** What a write of a task's series sets besides the writable fields. */
export interface SeriesChanges extends TaskChanges {
  series_start?: Date | null;
  last_completed_at?: Date;
}

/** The one write the careful path makes: the columns, and the completion it records. */
export interface SeriesWrite {
  set: SeriesChanges;
  /** The occurrence this write completes (recorded in the task's history), if any. */
  completed?: { occurrence: Date; at: Date };
  /** Whether the task's subtasks become not completed again (a new occurrence starts). */
  resetSubtasks: boolean;
}

/** A recurrence as clients send it, as it is stored: the rule normalised, `from` filled in. */
export function toRecurrence(input: RecurrenceInputDto | null | undefined): Recurrence | null | undefined {
  if (input === undefined || input === null) return input;
  return { rule: normalizeRule(input.rule), from: input.from ?? 'due' };
}

const instant = (value: string | Date | null): number | null =>
  value === null ? null : new Date(value).getTime();

const sameRecurrence = (a: Recurrence | null, b: Recurrence | null) =>
  a === b || (a !== null && b !== null && a.rule === b.rule && a.from === b.from);

/** The series a recurring task with these values has. */
const seriesOf = (recurrence: Recurrence, start: Date, timeZone: string | null): Series => ({
  rule: recurrence.rule,
  start,
  timeZone,
});

/**
 * Checks a new series (a create, or a write that restarts one): it needs a `due_date`, and a rule
 * with an occurrence after `now`. Throws InvalidSeriesError naming the field.
 */
export function checkNewSeries(
  recurrence: Recurrence,
  dueDate: Date | null,
  timeZone: string | null,
  now: Date,
): asserts dueDate is Date {
  if (dueDate === null) throw new InvalidSeriesError('due_date', InvalidSeriesError.needsDueDate);
  try {
    assertHasFuture(seriesOf(recurrence, dueDate, timeZone), now);
  } catch (err) {
    if (err instanceof RuleError) throw new InvalidSeriesError('recurrence.rule', err.reason);
    throw err;
  }
}

/**
 * The due date after the occurrence at `due` is done (or skipped) at `now`, or null when the series
 * has ended: `from: due`, the first occurrence after both `due` and now (missed ones are skipped);
 * `from: completion`, the engine's next occurrence after the day of `now`.
 */
export function nextDue(series: Series, from: Recurrence['from'], due: Date, now: Date): Date | null {
  if (from === 'completion') return nextAfterCompletion(series, now);
  return firstAfter(series, due.getTime() > now.getTime() ? due : now);
}

/**
 * What a change (PATCH, PUT, a completion) does to the locked `row` at `now`, or null when it
 * changes nothing. `changes` are the writable fields the request gives (normalised; `completed`
 * the value asked for, toggles resolved); `occurrence`, when given, is the only occurrence this
 * request may complete: when `due_date` is no longer that instant, nothing changes.
 *
 * - Setting `due_date`, `time_zone` or `recurrence` to a new value restarts the series at the
 *   (new) `due_date` (checked: it needs one, and a future occurrence).
 * - `completed: true` on a recurring task that is not completed records the completion of its
 *   `due_date` and moves it to the next occurrence (subtasks reset); when there is none, the task
 *   is completed for good. `completed: false` on a recurring task that is not completed changes
 *   nothing; on one whose series ended it opens the task again.
 */
export function planChange(
  row: SeriesRow,
  changes: TaskChanges,
  now: Date,
  occurrence?: Date,
): SeriesWrite | null {
  if (occurrence !== undefined && instant(row.due_date) !== occurrence.getTime()) return null;
  const set: SeriesChanges = {};
  for (const [field, value] of Object.entries(changes) as [keyof TaskChanges, unknown][])
    if (value !== undefined) (set as Record<string, unknown>)[field] = value;
  const recurrence = changes.recurrence !== undefined ? changes.recurrence : row.recurrence;
  const dueDate =
    changes.due_date !== undefined ? changes.due_date : row.due_date === null ? null : new Date(row.due_date);
  const timeZone = changes.time_zone !== undefined ? changes.time_zone : row.time_zone;
  if (recurrence === null) {
    if (row.series_start !== null) set.series_start = null;
    return Object.keys(set).length ? { set, resetSubtasks: false } : null;
  }
  const restarts =
    row.recurrence === null ||
    SERIES_FIELDS.some((field) => {
      const value = changes[field];
      if (value === undefined) return false;
      if (field === 'recurrence') return !sameRecurrence(value as Recurrence, row.recurrence);
      if (field === 'due_date') return instant(value as Date | null) !== instant(row.due_date);
      return value !== row.time_zone;
    });
  let start = row.series_start === null ? null : new Date(row.series_start);
  if (restarts) {
    checkNewSeries(recurrence, dueDate, timeZone, now);
    start = dueDate;
    set.series_start = dueDate;
  }
  const wanted = changes.completed;
  delete set.completed;
  let completed: SeriesWrite['completed'];
  let resetSubtasks = false;
  if (wanted === true && !row.completed) {
    const due = dueDate!;
    const next = nextDue(seriesOf(recurrence, start!, timeZone), recurrence.from, due, now);
    completed = { occurrence: due, at: now };
    set.last_completed_at = now;
    if (next) {
      set.due_date = next;
      resetSubtasks = true;
    } else set.completed = true;
  } else if (wanted === false && row.completed) set.completed = false;
  if (!Object.keys(set).length) return null;
  return { set, completed, resetSubtasks };
}

/**
 * `skip`: the locked `row` moves to its next occurrence at `now` without recording a completion
 * (subtasks reset). NoNextOccurrenceError when it does not repeat, is completed, or has no next one.
 */
export function planSkip(row: SeriesRow, now: Date): SeriesWrite {
  if (row.recurrence === null || row.series_start === null || row.due_date === null)
    throw new NoNextOccurrenceError(NoNextOccurrenceError.notRecurring);
  if (row.completed) throw new NoNextOccurrenceError(NoNextOccurrenceError.completed);
  const series = seriesOf(row.recurrence, new Date(row.series_start), row.time_zone);
  const next = nextDue(series, row.recurrence.from, new Date(row.due_date), now);
  if (!next) throw new NoNextOccurrenceError(NoNextOccurrenceError.ended);
  return { set: { due_date: next }, resetSubtasks: true };
}

/** The task of a row read with its series' start (the columns the API shows, in their order). */
export function taskOf(row: SeriesRow): Task {
  const task: Partial<SeriesRow> = { ...row };
  delete task.series_start;
  return task as Task;
}

/** The series of a task that repeats, or null. */
export function taskSeries(row: SeriesRow): Series | null {
  if (row.recurrence === null || row.series_start === null) return null;
  return seriesOf(row.recurrence, new Date(row.series_start), row.time_zone);
}
