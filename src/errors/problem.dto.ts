/** One invalid input field. */
export class FieldErrorDto {
  /**
   * The offending field (body property or query parameter), dotted for nested values.
   * @example "title"
   */
  field: string;

  /**
   * What is wrong with it.
   * @example "must be at most 200 characters"
   */
  message: string;
}

/** Every error response: RFC 9457 problem details, served as `application/problem+json`. */
export class ProblemDto {
  /**
   * A URI identifying the problem type; `about:blank` means "see `title` and `status`".
   * @example "about:blank"
   */
  type: string;

  /**
   * Short summary of the problem type (the HTTP status text).
   * @example "Bad Request"
   */
  title: string;

  /**
   * The HTTP status code.
   * @example 400
   */
  status: number;

  /**
   * What went wrong with this request, for humans.
   * @example "Validation failed: title"
   */
  detail: string;

  /**
   * The request path.
   * @example "/api/tasks"
   */
  instance: string;

  /**
   * The request's id, also sent as `X-Request-Id` and written in the server log.
   * @example "01HZX3K8Q2V7J5M9N4P6R8T0W2"
   */
  request_id: string;

  /** Validation errors only: every bad field. */
  errors?: FieldErrorDto[];
}
