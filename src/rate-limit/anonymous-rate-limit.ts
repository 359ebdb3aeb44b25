import type { ArgumentsHost } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemFilter } from '../errors/problem.filter.js';
import { clientKey } from '../http/client-address.js';
import type { RateLimiter } from './rate-limiter.js';

const COUNTED = Symbol('counted per IP');

/** Whether the anonymous limit below already counted this request (the guard then does not again). */
export const countedPerIp = (req: Request): boolean => (req as { [COUNTED]?: boolean })[COUNTED] === true;

/**
 * Express middleware, ahead of every route (Swagger's included, and of routing itself, so unknown
 * paths count too): a request without an Authorization header counts against its client's address
 * (clientKey: per IPv4 address, per IPv6 /64, behind TRUST_PROXY's proxies), and is 429 once that
 * address is over RATE_LIMIT_IP_PER_MINUTE. Health probes are never counted. Requests with a token
 * are counted when it fails (FailedAuthRateLimitGuard).
 */
export function anonymousRateLimit(limiter: RateLimiter) {
  const problems = new ProblemFilter();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.headers.authorization !== undefined || req.path.startsWith('/health/')) return next();
    (req as { [COUNTED]?: boolean })[COUNTED] = true;
    limiter.consumeFailedAuth(clientKey(req.ip)).then(
      () => next(),
      (err: unknown) => {
        const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) };
        problems.catch(err, host as unknown as ArgumentsHost);
      },
    );
  };
}
