import type { ArgumentsHost } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemFilter } from '../errors/problem.filter.js';
import { countPerIp } from './per-ip.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * Express middleware, ahead of every route (Swagger's included, and of routing itself, so unknown
 * paths count too): a request without an Authorization header counts against its client's address
 * (countPerIp), and is 429 once that address is over RATE_LIMIT_IP_PER_MINUTE. Health probes are
 * never counted. Requests with a token are counted when it fails (FailedAuthRateLimitGuard), or
 * when they match no route (ProblemFilter, unroutedWithToken).
 */
export function anonymousRateLimit(limiter: RateLimiter) {
  const problems = new ProblemFilter();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.headers.authorization !== undefined || req.path.startsWith('/health/')) return next();
    countPerIp(limiter, req).then(
      () => next(),
      (err: unknown) => {
        const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) };
        problems.catch(err, host as unknown as ArgumentsHost);
      },
    );
  };
}
