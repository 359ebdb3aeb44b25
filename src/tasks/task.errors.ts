import { limitReachedError, notFoundError } from '../errors/shared.errors.js';

/**
 * What can go wrong with a task, as the service says it. TaskProblemsFilter (task-problems.filter.ts)
 * turns each into its HTTP answer; the service knows nothing of status codes or headers.
 */

/** No task with this id among the caller's (a foreign task is not found either). */
export class TaskNotFoundError extends notFoundError('No task with this id') {}

/** A conditional write whose `If-Match` versions no longer match. */
export class StaleTaskError extends Error {
  constructor(readonly currentVersion: number) {
    super(StaleTaskError.detail(currentVersion));
  }
  static detail = (version: number) => `The task has changed: its current version is ${version}`;
}

/**
 * What the counter trigger raises when an insert (or a move into another owner's list) would take
 * a list owner past the limit its transaction set (`tasks.max_per_user`; migrations TaskLimit and
 * ChangeSequence write the same code): TaskLimitReachedError.
 */
export const TASK_LIMIT_SQLSTATE = 'TKLIM';

/**
 * The owner of the list a task would go into (by a create or a move; the caller or someone else)
 * holds MAX_TASKS_PER_USER tasks in their lists already (subtasks included): nothing changed.
 */
export class TaskLimitReachedError extends limitReachedError(
  'Task limit reached',
  (limit) =>
    `The owner of this list holds ${limit} tasks in their lists, the most one user may; delete some to add more`,
) {}

/** A listing cursor that is not one of ours, or not for this listing. */
export class InvalidCursorError extends Error {
  static readonly malformed = 'is not a valid cursor';
  static readonly foreign =
    'belongs to a listing with other filters, sort or order; start again without a cursor';
  static readonly foreignTask = "belongs to another task's completions; start again without a cursor";
}

/**
 * A parent, an `after` or a move's `list_id` that breaks the tree rules (one level, siblings only,
 * tasks of the same list, subtasks stay with their parent).
 */
export class InvalidPlacementError extends Error {
  static readonly unknown = 'is not one of your tasks';
  static readonly subtaskParent = 'is a subtask, and a subtask cannot have subtasks';
  static readonly hasSubtasks = 'this task has subtasks, so it cannot become a subtask';
  static readonly ownParent = 'a task cannot be its own parent';
  static readonly afterItself = 'a task cannot be placed after itself';
  static readonly notSibling = 'is not a sibling under the target parent';
  static readonly subtaskAlone =
    'is another list, and a subtask does not move to another list alone: make it a top-level task first, or move its parent';
  constructor(
    readonly field: 'parent_id' | 'after' | 'list_id',
    message: string,
  ) {
    super(message);
  }
}

/** An `assignee_id` that is not a member of the task's list (the one it is in, or is created in). */
export class InvalidAssigneeError extends Error {
  static readonly field = 'assignee_id';
  static readonly detail = "is not a member of the task's list";
  constructor() {
    super(InvalidAssigneeError.detail);
  }
}

/** Concurrent moves and creates kept taking the place this one wanted: nothing changed; retry. */
export class PlacementConflictError extends Error {
  static readonly detail = 'The list changed while this task was being placed; nothing changed, retry';
  constructor() {
    super(PlacementConflictError.detail);
  }
}

/** A batch command names the `temp_id` of an earlier create that failed: there is no such task. */
export class BatchDependencyError extends Error {
  static readonly detail = (tempId: string) =>
    `The create of temp_id "${tempId}" earlier in this batch failed, so this command has no task`;
  constructor(tempId: string) {
    super(BatchDependencyError.detail(tempId));
  }
}

/** A write that would leave a recurring task's series broken, or a range of occurrences too long: a `400` naming `field`. */
export class InvalidSeriesError extends Error {
  static readonly needsDueDate = 'is required while the task repeats (the series starts there)';
  static readonly tooFar = (years: number) => `must be at most ${years} years after from`;
  constructor(
    readonly field: 'due_date' | 'recurrence.rule' | 'to',
    message: string,
  ) {
    super(message);
  }
}

/** `skip` on a task that has no next occurrence to move to: nothing changed. */
export class NoNextOccurrenceError extends Error {
  static readonly notRecurring = 'The task does not repeat: there is no next occurrence to skip to';
  static readonly completed = 'The task is completed: its series has ended';
  static readonly ended = 'The series has no occurrence after this one; complete or delete the task instead';
}
