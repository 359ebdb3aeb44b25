import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth-user.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Global guard, between JwtAuthGuard and AuthRequiredGuard (AppModule declares the order): a
 * request whose token failed (or that had none) counts against the client's IP, and is 429
 * instead of 401 once that IP is over its limit. Requests with a valid token are never counted.
 */
@Injectable()
export class FailedAuthRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.authFailure)
      await this.limiter.consumeFailedAuth(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    return true;
  }
}
