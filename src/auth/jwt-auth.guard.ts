import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { AuthUser } from './auth-user.js';
import { HS256_STRATEGY } from './hs256.strategy.js';
import { JWKS_STRATEGY } from './jwks.strategy.js';
import { IS_PUBLIC } from './public.decorator.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { UnauthorizedProblem } from './unauthorized.js';

const BEARER = /^Bearer +\S/i;

// passport-jwt (jsonwebtoken) and jose name an expired token differently.
const isExpiry = (info: unknown): boolean =>
  Array.isArray(info)
    ? info.some(isExpiry)
    : ['TokenExpiredError', 'JWTExpired'].includes((info as Error | undefined)?.name ?? '');

/**
 * Global, default-deny: every route needs a valid bearer token unless marked @Public().
 * Passport tries the shared-secret strategy (HS256), then the JWKS one (Better Auth's own keys);
 * the first that verifies the token wins. Its `sub` becomes `request.user.sub`, the user of the request.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard([HS256_STRATEGY, JWKS_STRATEGY]) {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    try {
      return (await super.canActivate(context)) as boolean;
    } catch (err) {
      // Failed or missing credentials count against the client's IP (429 once over the limit).
      if (err instanceof UnauthorizedProblem) {
        const req = context.switchToHttp().getRequest<Request>();
        await this.limiter.consumeFailedAuth(req.ip ?? req.socket.remoteAddress ?? 'unknown');
      }
      throw err;
    }
  }

  override handleRequest<T = AuthUser>(
    err: unknown,
    user: T | false,
    info: unknown,
    context: ExecutionContext,
  ): T {
    if (user) return user;
    const req = context.switchToHttp().getRequest<Request>();
    if (!BEARER.test(req.headers.authorization ?? '')) throw new UnauthorizedProblem('missing');
    throw new UnauthorizedProblem(isExpiry(info) ? 'expired' : 'invalid');
  }
}
