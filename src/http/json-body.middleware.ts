import { Injectable, NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ProblemException, ValidationProblem } from '../errors/problem.exception.js';
import { UNKNOWN_FIELD } from '../errors/validation.js';
import { nestsDeeperThan, prototypeKeys, TOO_DEEP } from './json-guards.js';

export const BODY_LIMIT = '64kb';
const JSON_TYPES = ['application/json', 'application/*+json'];

/** Thrown by `verify` (before parsing) for a body nested too deep; body-parser passes it on as is. */
class TooDeep extends ProblemException {
  constructor() {
    super(400, TOO_DEEP);
  }
}

const parseJson = express.json({
  limit: BODY_LIMIT,
  type: JSON_TYPES,
  strict: true,
  verify: (_req, _res, buf) => {
    if (nestsDeeperThan(buf)) throw new TooDeep();
  },
});

/** body-parser's error types, as the client should read them. */
export const BODY_ERRORS: Record<string, [status: number, detail: string]> = {
  'entity.parse.failed': [400, 'The request body is not valid JSON'],
  'entity.too.large': [413, 'The request body is larger than 64 KiB'],
  'encoding.unsupported': [415, 'Unsupported content encoding'],
  'charset.unsupported': [415, 'Unsupported charset: send UTF-8 JSON'],
  'request.aborted': [400, 'The request body was cut short'],
  'request.size.invalid': [400, 'The request body does not match its Content-Length'],
};

export const NOT_JSON = 'Send the request body as application/json';

function asProblem(err: unknown): unknown {
  if (err instanceof ProblemException) return err;
  const known = BODY_ERRORS[(err as { type?: string }).type ?? ''];
  return known ? new ProblemException(...known) : err;
}

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Parses JSON bodies up to 64 KiB, nested at most MAX_JSON_DEPTH levels (checked on the bytes,
 * before parsing), without prototype-named keys (a `400` naming them, like unknown fields). Registered as Nest middleware (not express's own) so its
 * errors (malformed JSON, too large) reach the ProblemFilter like every other error.
 * A body in any other content type is 415.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    if (!hasBody(req)) {
      next();
      return;
    }
    if (!req.is(JSON_TYPES)) {
      next(new ProblemException(415, NOT_JSON));
      return;
    }
    parseJson(req, res, (err?: unknown) => {
      if (err) return next(asProblem(err));
      // Unknown fields like any other, which the validation layer would not see.
      const keys = prototypeKeys(req.body);
      if (keys.length)
        return next(new ValidationProblem(keys.map((field) => ({ field, message: UNKNOWN_FIELD }))));
      next();
    });
  }
}
