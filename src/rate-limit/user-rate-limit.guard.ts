import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth-user.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Global guard, after AuthRequiredGuard (AppModule declares the order): the per-user limit.
 * Public routes (health) have no user and are not limited.
 */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.limiter.limitsUsers) return true;
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    return user ? this.limiter.consumeUser(user.sub).then(() => true) : true;
  }
}
