import { limitReachedError, notFoundError } from '../errors/shared.errors.js';

/**
 * What can go wrong with a reminder, as the service says it. ReminderProblemsFilter
 * (reminder-problems.ts) turns each into its HTTP answer; a task the caller cannot see is the tasks'
 * own TaskNotFoundError.
 */

/** No reminder with this id among the caller's on this task (another user's reminder is not found either). */
export class ReminderNotFoundError extends notFoundError('No reminder with this id on this task') {}

/** The caller has the most reminders one user may set on this task: nothing was created. */
export class ReminderLimitReachedError extends limitReachedError(
  'Reminder limit reached',
  (limit) => `You have ${limit} reminders on this task, the most one user may; delete one to add another`,
) {}

/** A relative reminder (`before_minutes`) on a task without a `due_date`. */
export class ReminderNeedsDueDateError extends Error {
  static readonly field = 'due_date';
  static readonly detail = 'the task has no due_date: a reminder with before_minutes needs one (or use at)';
  constructor() {
    super(ReminderNeedsDueDateError.detail);
  }
}

export const REMINDER_ERRORS = [
  ReminderNotFoundError,
  ReminderLimitReachedError,
  ReminderNeedsDueDateError,
] as const;
export type ReminderError = InstanceType<(typeof REMINDER_ERRORS)[number]>;
