import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isDocsPath } from '../docs/swagger.js';
import { clientKey } from '../http/client-address.js';
import { RateLimiter } from './rate-limiter.js';

// Case-insensitive, as Express routes.
const HEALTH = /^\/health\//i;

/**
 * Whether the request counts per IP ahead of routing: it carries no Authorization header (nothing
 * could count it per user), or it is for the docs (served before routing, where no token is ever
 * looked at), or it is an OPTIONS (a CORS preflight is answered before routing, and no route takes
 * OPTIONS). Health probes never count. Every other request counts at one layer further on: at
 * RateLimitGuard when a route serves it, in the not-found handler when none does.
 */
export const countsAheadOfRouting = (req: Request): boolean =>
  !HEALTH.test(req.path) &&
  (req.headers.authorization === undefined || req.method === 'OPTIONS' || isDocsPath(req.path));

/**
 * The per-IP limit (RATE_LIMIT_IP_PER_MINUTE) at the two layers no guard sees: ahead of routing, and
 * in the not-found handler. A client is its address (clientKey: per IPv4 address, per IPv6 /64,
 * behind TRUST_PROXY's proxies). Over the limit the request goes on as the 429 problem, which the
 * exception layer renders like any other.
 */
@Injectable()
export class PerIpLimit {
  constructor(private readonly limiter: RateLimiter) {}

  /** Express middleware ahead of every route (Swagger's included) and of routing itself. */
  readonly aheadOfRouting = (req: Request, _res: Response, next: NextFunction): void => {
    if (!countsAheadOfRouting(req)) return next();
    this.count(req).then(() => next(), next);
  };

  /**
   * Runs before the 404 of a request no route matched: one that was not counted ahead of routing
   * (it carries a token, which no route looked at) counts here, so junk tokens cannot flood 404s.
   */
  readonly unrouted = (req: Request, _res: Response, next: NextFunction): void => {
    if (countsAheadOfRouting(req)) return next();
    this.count(req).then(() => next(), next);
  };

  /** Counts the request against its client's address; rejects with the 429 problem over the limit. */
  count(req: Request): Promise<void> {
    return this.limiter.consumeIp(clientKey(req.ip));
  }
}
