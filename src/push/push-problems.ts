import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { ProblemException, ValidationProblem } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import {
  PUSH_ERRORS,
  PushEndpointRefusedError,
  PushNotConfiguredError,
  PushSubscriptionLimitReachedError,
  PushSubscriptionNotFoundError,
  type PushError,
} from './push.errors.js';

/** The HTTP answer to each error of the push routes. */
export function pushProblem(err: PushError): ProblemException {
  if (err instanceof PushNotConfiguredError) return new ProblemException(503, err.message);
  if (err instanceof PushSubscriptionNotFoundError) return new ProblemException(404, err.message);
  if (err instanceof PushSubscriptionLimitReachedError)
    return new ProblemException(403, err.message, { title: PushSubscriptionLimitReachedError.title });
  if (err instanceof PushEndpointRefusedError)
    return new ValidationProblem([{ field: PushEndpointRefusedError.field, message: err.message }]);
  const unmapped: never = err;
  throw new Error(`No problem mapped for ${String(unmapped)}`);
}

/** The push routes' filter: renders their errors through the app's one ProblemFilter. */
@Catch(...PUSH_ERRORS)
export class PushProblemsFilter implements ExceptionFilter<PushError> {
  private readonly problems = new ProblemFilter();

  catch(err: PushError, host: ArgumentsHost): void {
    this.problems.catch(pushProblem(err), host);
  }
}
