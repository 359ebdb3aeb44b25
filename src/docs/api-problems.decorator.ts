import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto.js';

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } };

const DESCRIPTIONS: Record<number, string> = {
  304: 'Not modified: the `If-None-Match` tag matches the current version',
  400: 'Invalid input: malformed id, unknown or invalid fields (see `errors[]`), malformed JSON',
  401: 'Missing, invalid or expired bearer token (see the `WWW-Authenticate` header)',
  403: 'The `user_id` in the path is not the caller',
  404: 'No such task for this caller',
  409: 'A request with this `Idempotency-Key` is still in progress; retry shortly',
  412: 'The `If-Match` tag is stale',
  413: 'The request body is larger than 64 KiB',
  415: 'The request body is not `application/json`',
  422: 'This `Idempotency-Key` was already used with a different request body',
  429: 'Too many requests; see `Retry-After`',
  503: 'The database is unavailable; retry later',
};

/** Documents the problem+json error responses a route can give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      status === 304
        ? ApiResponse({ status, description: DESCRIPTIONS[status] })
        : ApiResponse({
            status,
            description: DESCRIPTIONS[status],
            content: PROBLEM_CONTENT,
          }),
    ),
    ApiResponse({
      status: 500,
      description: 'Unexpected error (logged with the request id; no details are returned)',
      content: PROBLEM_CONTENT,
    }),
  );
}
