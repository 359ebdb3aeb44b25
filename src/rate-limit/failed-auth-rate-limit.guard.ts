import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth-user.js';
import { countedPerIp, countPerIp } from './per-ip.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Global guard, between JwtAuthGuard and AuthRequiredGuard (AppModule declares the order): a
 * request whose token failed (or that had none) counts against the client's IP, and is 429
 * instead of 401 once that IP is over its limit. Requests with a valid token are never counted.
 */
@Injectable()
export class FailedAuthRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // No promise on the path of every authenticated request.
    if (!req.authFailure || countedPerIp(req)) return true;
    return countPerIp(this.limiter, req).then(() => true);
  }
}
