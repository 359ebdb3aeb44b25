import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { ProblemException } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import { isSharedError, sharedProblem } from '../errors/shared.errors.js';
import { PUSH_ERRORS, PushNotConfiguredError, type PushError } from './push.errors.js';

/** The HTTP answer to each error of the push routes. */
export function pushProblem(err: PushError): ProblemException {
  if (err instanceof PushNotConfiguredError) return new ProblemException(503, err.message);
  if (isSharedError(err)) return sharedProblem(err);
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
