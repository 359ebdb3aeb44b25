import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { ProblemException } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import {
  APP_PASSWORD_ERRORS,
  AppPasswordLimitReachedError,
  AppPasswordNotFoundError,
  type AppPasswordError,
} from './app-password.errors.js';

/** The HTTP answer to each error of the app-password routes. */
export function appPasswordProblem(err: AppPasswordError): ProblemException {
  if (err instanceof AppPasswordNotFoundError) return new ProblemException(404, err.message);
  if (err instanceof AppPasswordLimitReachedError)
    return new ProblemException(403, err.message, { title: AppPasswordLimitReachedError.title });
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
