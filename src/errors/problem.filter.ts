import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { requestIdOf } from '../logging/request-id.js';
import type { ProblemDto } from './problem.dto.js';
import { PoolClosedError } from '../database/fair-share.js';
import { databaseUnavailable } from '../database/server-pool.js';
import { ProblemException } from './problem.exception.js';

export type Problem = Omit<ProblemDto, 'instance' | 'request_id' | 'type' | 'title'> & {
  /** Instead of the status's own reason phrase, when the problem has a more telling one. */
  title?: string;
  headers?: Record<string, string>;
};

/** PostgreSQL error classes that mean the input was bad, not the server (a safety net: DTOs catch these first). */
const PG_INPUT_ERRORS = /^(22|23)/;

export const DATABASE_UNAVAILABLE = 'The database is unavailable; try again shortly';
export const unexpectedDetail = (requestId: string) =>
  `An unexpected error occurred; quote request id ${requestId} when reporting it`;

/** A PostgreSQL error answer, from TypeORM (QueryFailedError) or straight from pg (DatabaseError). */
const isDatabaseError = (err: unknown): boolean =>
  err instanceof QueryFailedError || (err instanceof Error && err.name === 'DatabaseError');

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  return [e.driverError?.code, e.code, e.message].filter((x) => typeof x === 'string').join(' ');
}

/** What `exception` is as a problem: undefined when it is unexpected (a 500, logged with its stack). */
export function problemOf(exception: unknown): Problem | undefined {
  if (exception instanceof ProblemException) {
    return {
      status: exception.getStatus(),
      detail: exception.detail,
      errors: exception.extras.errors,
      headers: exception.extras.headers,
      title: exception.extras.title,
    };
  }
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    const message: unknown = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const detail = Array.isArray(message)
      ? message.join('; ')
      : typeof message === 'string'
        ? message
        : exception.message;
    return { status: exception.getStatus(), detail };
  }
  const code = errorCode(exception);
  if (isDatabaseError(exception) && PG_INPUT_ERRORS.test(code)) {
    return { status: 400, detail: 'A value in the request cannot be stored' };
  }
  // Unreachable, overloaded, timed out, or a deadlock: retryable (server-pool.ts knows which).
  if (databaseUnavailable(exception)) {
    return {
      status: 503,
      detail: DATABASE_UNAVAILABLE,
      headers: { 'Retry-After': '5' },
    };
  }
  return undefined;
}

/**
 * The one exception filter: every error leaves as RFC 9457 problem+json with the request id.
 * Anything unexpected is logged with its stack and answered with a generic 500. It renders and
 * nothing else: requests are limited where they are answered (src/rate-limit/).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const requestId = requestIdOf(req, res);
    if (res.headersSent) {
      this.logger.error({ err: exception, request_id: requestId }, 'Error after the response started');
      res.destroy();
      return;
    }
    let problem = problemOf(exception);
    if (exception instanceof PoolClosedError) {
      // Expected while the process stops (a request past SHUTDOWN_GRACE_MS): a line, not a stack.
      this.logger.warn({ request_id: requestId }, `Request failed: ${exception.message}`);
    } else if (!problem || problem.status >= 500) {
      this.logger.error({ err: exception, request_id: requestId }, 'Request failed');
    }
    problem ??= {
      status: 500,
      detail: unexpectedDetail(requestId),
    };
    const body = problemBody(problem, req.originalUrl?.split('?')[0] ?? req.url, requestId);
    for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
  }
}

/** The problem+json body of `problem`, for the request at `instance` with id `requestId`. */
export function problemBody(problem: Problem, instance: string, requestId: string): ProblemDto {
  return {
    type: 'about:blank',
    title: problem.title ?? STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    instance,
    request_id: requestId,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}
