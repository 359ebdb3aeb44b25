import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../auth/auth-user.js';
import { countsAheadOfRouting, PerIpLimit } from './per-ip.js';
import { RATE_LIMIT_COST, requestsIn, type RateLimitCostOptions } from './rate-limit-cost.decorator.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Global guard, right after JwtAuthGuard (AppModule declares the order): the limit of a request a
 * route serves. With a user, against that user (a @RateLimitCost route's request as its number of
 * items: a batch as its commands, refused whole before anything runs); with a token that failed,
 * against the client's address, so it is 429 instead of 401 over that limit. Requests without an
 * Authorization header were counted per IP ahead of routing (PerIpLimit), and public routes (health)
 * have neither a user nor a failure: neither counts here.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly perIp: PerIpLimit,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.user) {
      if (!this.limiter.limitsUsers) return true;
      const cost = this.reflector.get<RateLimitCostOptions | undefined>(
        RATE_LIMIT_COST,
        context.getHandler(),
      );
      return this.limiter.consumeUser(req.user.sub, requestsIn(cost, req.body)).then(() => true);
    }
    if (!req.authFailure || countsAheadOfRouting(req)) return true;
    return this.perIp.count(req).then(() => true);
  }
}
