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
import { VerifiedTokens } from './verified-tokens.js';

const BEARER = /^Bearer +\S/i;
const BEARER_TOKEN = /^Bearer +(\S+)$/i;

// passport-jwt (jsonwebtoken) and jose name an expired token differently.
const isExpiry = (info: unknown): boolean =>
  Array.isArray(info)
    ? info.some(isExpiry)
    : ['TokenExpiredError', 'JWTExpired'].includes((info as Error | undefined)?.name ?? '');

/**
 * Global, default-deny: every route needs a valid bearer token unless marked @Public().
 * Passport tries the shared-secret strategy (HS256), then the JWKS one (Better Auth's own keys);
 * the first that verifies the token wins. Its `sub` becomes `request.user.sub`, the user of the request.
 * A token verified before (and not yet expired) is recognised without verifying it again: see
 * VerifiedTokens.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard([HS256_STRATEGY, JWKS_STRATEGY]) {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    private readonly verified: VerifiedTokens,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const token = BEARER_TOKEN.exec(req.headers.authorization ?? '')?.[1];
    const known = token === undefined ? undefined : this.verified.get(token);
    if (known) {
      req.user = known;
      return true;
    }
    try {
      const ok = (await super.canActivate(context)) as boolean;
      if (ok && token !== undefined && req.user) this.verified.remember(token, req.user);
      return ok;
    } catch (err) {
      // Failed or missing credentials count against the client's IP (429 once over the limit).
      if (err instanceof UnauthorizedProblem) {
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
