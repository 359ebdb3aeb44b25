import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { ValidationProblem, type ProblemException } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import { isSharedError, sharedProblem } from '../errors/shared.errors.js';
import { TaskNotFoundError } from '../tasks/task.errors.js';
import { REMINDER_ERRORS, ReminderNeedsDueDateError, type ReminderError } from './reminder.errors.js';

const HANDLED = [...REMINDER_ERRORS, TaskNotFoundError] as const;
type Handled = ReminderError | TaskNotFoundError;

/** The HTTP answer to each error of the reminder routes. */
export function reminderProblem(err: Handled): ProblemException {
  if (isSharedError(err)) return sharedProblem(err);
  if (err instanceof ReminderNeedsDueDateError)
    return new ValidationProblem([{ field: ReminderNeedsDueDateError.field, message: err.message }]);
  const unmapped: never = err;
  throw new Error(`No problem mapped for ${String(unmapped)}`);
}

/** The reminder routes' filter: renders their errors through the app's one ProblemFilter. */
@Catch(...HANDLED)
export class ReminderProblemsFilter implements ExceptionFilter<Handled> {
  private readonly problems = new ProblemFilter();

  catch(err: Handled, host: ArgumentsHost): void {
    this.problems.catch(reminderProblem(err), host);
  }
}
