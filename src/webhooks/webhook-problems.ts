import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { ProblemException, ValidationProblem } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import {
  WEBHOOK_ERRORS,
  WebhookLimitReachedError,
  WebhookNotFoundError,
  WebhookUrlRefusedError,
  type WebhookError,
} from './webhook.errors.js';

/** The HTTP answer to each error of the webhook routes. */
export function webhookProblem(err: WebhookError): ProblemException {
  if (err instanceof WebhookNotFoundError) return new ProblemException(404, err.message);
  if (err instanceof WebhookLimitReachedError)
    return new ProblemException(403, err.message, { title: WebhookLimitReachedError.title });
  if (err instanceof WebhookUrlRefusedError)
    return new ValidationProblem([{ field: WebhookUrlRefusedError.field, message: err.message }]);
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
