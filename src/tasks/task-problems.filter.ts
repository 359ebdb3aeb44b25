import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { ProblemException, ValidationProblem } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import { isSharedError, sharedProblem } from '../errors/shared.errors.js';
import {
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
} from '../idempotency/idempotency.service.js';
import { InstanceStoppingError, TooManyStreamsError } from '../events/events.errors.js';
import { InvalidSyncTokenError, SyncTokenExpiredError } from '../sync/sync.errors.js';
import { etagOf } from './etag.js';
import { LIST_ERRORS, type ListError } from '../lists/list.errors.js';
import { isListError, listProblem } from '../lists/list-problems.js';
import {
  BatchDependencyError,
  InvalidAssigneeError,
  InvalidCursorError,
  InvalidPlacementError,
  InvalidSeriesError,
  NoNextOccurrenceError,
  PlacementConflictError,
  StaleTaskError,
  TaskLimitReachedError,
  TaskNotFoundError,
} from './task.errors.js';

/** Every error the services behind /api/tasks (tasks, sync, events, batch, idempotency) throw on purpose, each mapped by toProblem. */
export const TASK_ERRORS = [
  TaskNotFoundError,
  StaleTaskError,
  TaskLimitReachedError,
  InvalidCursorError,
  InvalidPlacementError,
  InvalidAssigneeError,
  InvalidSeriesError,
  NoNextOccurrenceError,
  PlacementConflictError,
  InvalidSyncTokenError,
  SyncTokenExpiredError,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  BatchDependencyError,
  TooManyStreamsError,
  InstanceStoppingError,
  ...LIST_ERRORS,
] as const;

type TaskError = InstanceType<(typeof TASK_ERRORS)[number]>;

export const isTaskError = (err: unknown): err is TaskError =>
  TASK_ERRORS.some((type) => err instanceof type);

/** The HTTP answer to each error the tasks service throws. */
export function toProblem(err: TaskError): ProblemException {
  if (isSharedError(err)) return sharedProblem(err);
  if (isListError(err)) return listProblem(err);
  // 412 with the current ETag, so the client can refetch or retry knowingly.
  if (err instanceof StaleTaskError)
    return new ProblemException(412, err.message, {
      headers: { ETag: etagOf({ version: err.currentVersion }) },
    });
  if (err instanceof InvalidCursorError)
    return new ValidationProblem([{ field: 'cursor', message: err.message }]);
  if (err instanceof InvalidPlacementError)
    return new ValidationProblem([{ field: err.field, message: err.message }]);
  if (err instanceof InvalidAssigneeError)
    return new ValidationProblem([{ field: InvalidAssigneeError.field, message: err.message }]);
  if (err instanceof InvalidSeriesError)
    return new ValidationProblem([{ field: err.field, message: err.message }]);
  if (err instanceof NoNextOccurrenceError) return new ProblemException(409, err.message);
  if (err instanceof PlacementConflictError) return new ProblemException(409, err.message);
  if (err instanceof InvalidSyncTokenError)
    return new ValidationProblem([{ field: 'since', message: err.message }]);
  if (err instanceof SyncTokenExpiredError)
    return new ProblemException(410, err.message, { title: SyncTokenExpiredError.title });
  if (err instanceof IdempotencyKeyInFlightError) return new ProblemException(409, err.message);
  if (err instanceof IdempotencyKeyReusedError) return new ProblemException(422, err.message);
  if (err instanceof BatchDependencyError) return new ProblemException(424, err.message);
  if (err instanceof TooManyStreamsError) return new ProblemException(429, err.message);
  if (err instanceof InstanceStoppingError) return new ProblemException(503, err.message);
  // The list errors were rendered by listProblem above (which has its own exhaustiveness check).
  const unmapped: never = err as Exclude<TaskError, ListError>; // a new TaskError fails to compile here until it is mapped
  throw new Error(`No problem mapped for ${String(unmapped)}`);
}

/**
 * The tasks routes' filter: renders the service's errors as problems through the app's one
 * ProblemFilter (so the body and logging are the same as everywhere). Costs nothing unless one is thrown.
 */
@Catch(...TASK_ERRORS)
export class TaskProblemsFilter implements ExceptionFilter<TaskError> {
  private readonly problems = new ProblemFilter();

  catch(err: TaskError, host: ArgumentsHost): void {
    this.problems.catch(toProblem(err), host);
  }
}
