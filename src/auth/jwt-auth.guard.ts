import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthenticatedRequest, AuthUser } from './auth-user.js';
import { HS256_STRATEGY } from './hs256.strategy.js';
import { JWKS_STRATEGY } from './jwks.strategy.js';
import { JwksKeyStore, JwksStaleError } from './jwks-key-store.js';
import { isPublic } from './public.decorator.js';
import { UnauthorizedProblem } from './unauthorized.js';
import { MAX_TOKEN_LENGTH, refusedUnverified } from './token-precheck.js';
import { VerifiedTokens } from './verified-tokens.js';

const BEARER = /^Bearer +\S/i;
const BEARER_TOKEN = /^Bearer +(\S+)$/i;

// passport-jwt (jsonwebtoken) and jose name an expired token differently.
const isExpiry = (info: unknown): boolean =>
  Array.isArray(info)
    ? info.some(isExpiry)
    : ['TokenExpiredError', 'JWTExpired'].includes((info as Error | undefined)?.name ?? '');

/**
 * Global guard, first of all (AppModule declares the order): who is calling. Passport tries the
 * shared-secret strategy (HS256), then the JWKS one (Better Auth's own keys); the first that
 * verifies the token wins, and its `sub` becomes `request.user.sub`, the user of the request.
 * A token verified before (and not yet expired) is recognised without verifying it again (see
 * VerifiedTokens). Tokens over 8 KiB, and tokens whose `typ` says they are not access tokens, fail
 * before any verification (token-precheck.ts). A failure is recorded as `request.authFailure`, never answered here:
 * AuthRequiredGuard denies, after the per-IP limit has counted it. Public routes are skipped.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard([HS256_STRATEGY, JWKS_STRATEGY]) {
  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokens,
    @Inject(JwksKeyStore) private readonly keys: JwksKeyStore | null,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (isPublic(this.reflector, context)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = BEARER_TOKEN.exec(req.headers.authorization ?? '')?.[1];
    // Too long to be anything but abuse: refused before the cache is even asked.
    if (token !== undefined && token.length > MAX_TOKEN_LENGTH) {
      req.authFailure = new UnauthorizedProblem('invalid');
      return true;
    }
    const known = token === undefined ? undefined : this.verified.get(token);
    if (known) {
      // Verified by a JWKS key that is no longer trusted (the JWKS unreachable for too long): 503.
      if (known.jwksKid !== undefined && this.keys?.stale()) throw new JwksStaleError();
      req.user = known;
      return true;
    }
    // Only tokens that passed this are ever cached, so cached ones skip it.
    if (token !== undefined && refusedUnverified(token)) {
      req.authFailure = new UnauthorizedProblem('invalid');
      return true;
    }
    try {
      await super.canActivate(context);
      if (token !== undefined && req.user) this.verified.remember(token, req.user);
    } catch (err) {
      if (!(err instanceof UnauthorizedProblem)) throw err;
      req.authFailure = err;
    }
    return true;
  }

  override handleRequest<T = AuthUser>(
    err: unknown,
    user: T | false,
    info: unknown,
    context: ExecutionContext,
  ): T {
    if (user) return user;
    // The JWKS strategy's keys are no longer trusted: the service's trouble (503), not the token's.
    if (err instanceof JwksStaleError) throw err;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!BEARER.test(req.headers.authorization ?? '')) throw new UnauthorizedProblem('missing');
    throw new UnauthorizedProblem(isExpiry(info) ? 'expired' : 'invalid');
  }
}
