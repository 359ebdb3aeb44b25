import {
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
} from '../idempotency/idempotency.service.js';
import { toProblem } from './task-problems.filter.js';
import {
  InvalidCursorError,
  StaleTaskError,
  TaskLimitReachedError,
  TaskNotFoundError,
} from './task.errors.js';

describe('the HTTP answer to each tasks error', () => {
  it.each([
    [new TaskNotFoundError(), 404, 'No task with this id'],
    [new StaleTaskError(7), 412, 'The task has changed: its current version is 7'],
    [new InvalidCursorError(InvalidCursorError.malformed), 400, 'Validation failed: cursor'],
    [new IdempotencyKeyInFlightError(), 409, IdempotencyKeyInFlightError.detail],
    [new IdempotencyKeyReusedError(), 422, IdempotencyKeyReusedError.detail],
    [new TaskLimitReachedError(5), 403, TaskLimitReachedError.detail(5)],
  ])('%s → %i', (err, status, detail) => {
    const problem = toProblem(err);
    expect(problem.getStatus()).toBe(status);
    expect(problem.detail).toBe(detail);
  });

  it('412 carries the current version as ETag', () => {
    expect(toProblem(new StaleTaskError(7)).extras.headers).toEqual({ ETag: '"7"' });
  });

  it('the task limit has its own title', () => {
    expect(toProblem(new TaskLimitReachedError(5)).extras.title).toBe('Task limit reached');
  });

  it('a bad cursor names the cursor field', () => {
    expect(toProblem(new InvalidCursorError(InvalidCursorError.foreign)).extras.errors).toEqual([
      { field: 'cursor', message: InvalidCursorError.foreign },
    ]);
  });
});
