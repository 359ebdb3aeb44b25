import { Injectable, NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ProblemException } from '../errors/problem.exception.js';
import { BODY_ERRORS } from '../http/json-body.middleware.js';

/** The largest body `/dav` reads: a resource is at most 256 KiB (contract), and so is an XML request. */
export const DAV_BODY_LIMIT_BYTES = 256 * 1024;
export const DAV_TOO_LARGE = 'The request body is larger than 256 KiB, the most a CalDAV resource may be';

const readRaw = express.raw({ type: () => true, limit: DAV_BODY_LIMIT_BYTES });

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * The body of a `/dav` request (XML or iCalendar, never JSON: HttpModule leaves these routes to this)
 * as a Buffer in `req.body`, up to 256 KiB (413 beyond); what it is, the route decides by its
 * content type. Middleware runs before guards: a request without an Authorization header, which the
 * guard refuses, is not read at all.
 */
@Injectable()
export class DavBodyMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    // Without credentials DavAuthGuard answers 401 whatever the body: it is not read (Node drops it).
    if (!hasBody(req) || req.headers.authorization === undefined) {
      req.body = undefined;
      next();
      return;
    }
    readRaw(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: string }).type ?? '';
      if (type === 'entity.too.large') return next(new ProblemException(413, DAV_TOO_LARGE));
      const known = BODY_ERRORS[type];
      next(known ? new ProblemException(...known) : err);
    });
  }
}
