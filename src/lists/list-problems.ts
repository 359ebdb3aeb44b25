import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { ProblemException, ValidationProblem } from '../errors/problem.exception.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import { isSharedError, sharedProblem } from '../errors/shared.errors.js';
import { etagOf } from '../tasks/etag.js';
import {
  InboxError,
  InvitationForSomeoneElseError,
  InvitationNotFoundError,
  LIST_ERRORS,
  ListFullError,
  MemberNotFoundError,
  OwnerStaysError,
  OwnerOnlyError,
  ReadOnlyListError,
  StaleListError,
  type ListError,
} from './list.errors.js';

/** Whether `err` is one of LIST_ERRORS (a plain boolean: those classes are structurally alike other errors). */
export const isListError = (err: unknown): boolean => LIST_ERRORS.some((type) => err instanceof type);

/** The HTTP answer to each list error (on list routes and on task routes alike). */
export function listProblem(err: ListError): ProblemException {
  if (isSharedError(err)) return sharedProblem(err);
  if (err instanceof ReadOnlyListError)
    return new ProblemException(403, err.message, { title: ReadOnlyListError.title });
  if (err instanceof OwnerOnlyError)
    return new ProblemException(403, err.message, { title: OwnerOnlyError.title });
  if (err instanceof InboxError) return new ProblemException(400, err.message);
  if (err instanceof StaleListError)
    return new ProblemException(412, err.message, {
      headers: { ETag: etagOf({ version: err.currentVersion }) },
    });
  if (err instanceof OwnerStaysError)
    return new ProblemException(409, err.message, { title: OwnerStaysError.title });
  if (err instanceof MemberNotFoundError)
    return err.field
      ? new ValidationProblem([{ field: err.field, message: err.message }])
      : new ProblemException(404, err.message);
  if (err instanceof ListFullError)
    return new ProblemException(409, err.message, { title: ListFullError.title });
  if (err instanceof InvitationNotFoundError) return new ProblemException(404, err.message);
  if (err instanceof InvitationForSomeoneElseError)
    return new ProblemException(403, err.message, { title: InvitationForSomeoneElseError.title });
  const unmapped: never = err;
  throw new Error(`No problem mapped for ${String(unmapped)}`);
}

/** The lists routes' filter: renders list errors through the app's one ProblemFilter. */
@Catch(...LIST_ERRORS)
export class ListProblemsFilter implements ExceptionFilter<ListError> {
  private readonly problems = new ProblemFilter();

  catch(err: ListError, host: ArgumentsHost): void {
    this.problems.catch(listProblem(err), host);
  }
}
