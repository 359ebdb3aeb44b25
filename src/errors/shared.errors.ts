import { ProblemException, ValidationProblem } from './problem.exception.js';

/**
 * The shapes the features' errors share, each with its one HTTP answer (sharedProblem). A feature
 * names its own subclass (WebhookNotFoundError, ListLimitReachedError...) for its text; the answer
 * comes from here, so two features cannot drift apart in status or title.
 */

/** No row with this id among the caller's (another user's is not found either): `404` with `detail`. */
export class NotFoundError extends Error {
  /** Tells this shape apart from a plain Error's in types (an error of another shape never passes for one). */
  readonly shape = 'not found';
}

/**
 * A subclass of NotFoundError whose detail is `detail` (also as its static `detail`, for the
 * routes' OpenAPI examples).
 */
export function notFoundError(detail: string) {
  return class extends NotFoundError {
    static readonly detail = detail;
    constructor() {
      super(detail);
    }
  };
}

/**
 * The caller (or whoever a transfer makes the owner) holds `limit` of something already, the most one
 * user may: nothing changed. `403` titled `title`, with `detail`.
 */
export class LimitReachedError extends Error {
  constructor(
    readonly title: string,
    readonly limit: number,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * A subclass of LimitReachedError with `title` and `detail(limit)` (also as its statics, for the routes'
 * OpenAPI examples).
 */
export function limitReachedError(title: string, detail: (limit: number) => string) {
  return class extends LimitReachedError {
    static readonly title = title;
    static readonly detail = detail;
    constructor(limit: number) {
      super(title, limit, detail(limit));
    }
  };
}

/**
 * An outbound target the caller gave (a webhook's URL, a push endpoint) that may never be reached:
 * its scheme, or a literal address that is not public. `400` naming `field`, with `reason`.
 */
export class TargetRefusedError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** A subclass of TargetRefusedError for the body field `field` (also its static `field`). */
export function targetRefusedError(field: string) {
  return class extends TargetRefusedError {
    static readonly field = field;
    constructor(reason: string) {
      super(field, reason);
    }
  };
}

/** The status each shared shape answers with (sharedProblem; the routes' OpenAPI docs read it too). */
export const SHARED_STATUS = { notFound: 404, limitReached: 403 } as const;

export type SharedError = NotFoundError | LimitReachedError | TargetRefusedError;

export const isSharedError = (err: unknown): err is SharedError =>
  err instanceof NotFoundError || err instanceof LimitReachedError || err instanceof TargetRefusedError;

/** The HTTP answer to an error of a shared shape. */
export function sharedProblem(err: SharedError): ProblemException {
  if (err instanceof NotFoundError) return new ProblemException(SHARED_STATUS.notFound, err.message);
  if (err instanceof LimitReachedError)
    return new ProblemException(SHARED_STATUS.limitReached, err.message, { title: err.title });
  return new ValidationProblem([{ field: err.field, message: err.message }]);
}
