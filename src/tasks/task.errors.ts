/**
 * What can go wrong with a task, as the service says it. TaskProblemsFilter (task-problems.filter.ts)
 * turns each into its HTTP answer; the service knows nothing of status codes or headers.
 */

/** No task with this id among the caller's (a foreign task is not found either). */
export class TaskNotFoundError extends Error {
  static readonly detail = 'No task with this id';
  constructor() {
    super(TaskNotFoundError.detail);
  }
}

/** A conditional write whose `If-Match` versions no longer match. */
export class StaleTaskError extends Error {
  constructor(readonly currentVersion: number) {
    super(StaleTaskError.detail(currentVersion));
  }
  static detail = (version: number) => `The task has changed: its current version is ${version}`;
}

/** The caller holds MAX_TASKS_PER_USER tasks already (subtasks included): the create made nothing. */
export class TaskLimitReachedError extends Error {
  static readonly title = 'Task limit reached';
  static readonly detail = (limit: number) =>
    `You hold ${limit} tasks, the most one user may; delete some to create more`;
  constructor(readonly limit: number) {
    super(TaskLimitReachedError.detail(limit));
  }
}

/** A listing cursor that is not one of ours, or not for this listing. */
export class InvalidCursorError extends Error {
  static readonly malformed = 'is not a valid cursor';
  static readonly foreign =
    'belongs to a listing with other filters, sort or order; start again without a cursor';
}
