import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from './auth-user.js';
import { isPublic } from './public.decorator.js';
import { UnauthorizedProblem } from './unauthorized.js';

/**
 * Global guard, default-deny: a route that is not @Public() needs the user JwtAuthGuard found;
 * anything else is its 401 (or "missing" when no guard ran before this one).
 */
@Injectable()
export class AuthRequiredGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.user || isPublic(this.reflector, context)) return true;
    throw req.authFailure ?? new UnauthorizedProblem('missing');
  }
}
