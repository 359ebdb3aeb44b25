import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { ProblemException } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import { isSharedError, sharedProblem } from '../errors/shared.errors.js';
import { APP_PASSWORD_ERRORS, type AppPasswordError } from './app-password.errors.js';

/** The HTTP answer to each error of the app-password routes. */
export function appPasswordProblem(err: AppPasswordError): ProblemException {
  if (isSharedError(err)) return sharedProblem(err);
  const unmapped: never = err;
  throw new Error(`No problem mapped for ${String(unmapped)}`);
}

/** The app-password routes' filter: renders their errors through the app's one ProblemFilter. */
@Catch(...APP_PASSWORD_ERRORS)
export class AppPasswordProblemsFilter implements ExceptionFilter<AppPasswordError> {
  private readonly problems = new ProblemFilter();

  catch(err: AppPasswordError, host: ArgumentsHost): void {
    this.problems.catch(appPasswordProblem(err), host);
  }
}
