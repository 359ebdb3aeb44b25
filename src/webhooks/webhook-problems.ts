import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { ProblemException } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import { isSharedError, sharedProblem } from '../errors/shared.errors.js';
import { WEBHOOK_ERRORS, type WebhookError } from './webhook.errors.js';

/** The HTTP answer to each error of the webhook routes. */
export function webhookProblem(err: WebhookError): ProblemException {
  if (isSharedError(err)) return sharedProblem(err);
  const unmapped: never = err;
  throw new Error(`No problem mapped for ${String(unmapped)}`);
}

/** The webhook routes' filter: renders their errors through the app's one ProblemFilter. */
@Catch(...WEBHOOK_ERRORS)
export class WebhookProblemsFilter implements ExceptionFilter<WebhookError> {
  private readonly problems = new ProblemFilter();

  catch(err: WebhookError, host: ArgumentsHost): void {
    this.problems.catch(webhookProblem(err), host);
  }
}
