import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * The per-user limit. A global guard registered right after the JwtAuthGuard, so the user is
 * known; public routes (health) have no user and are not limited.
 */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.limiter.limitsUsers) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    return user ? this.limiter.consumeUser(user.sub).then(() => true) : true;
  }
}
