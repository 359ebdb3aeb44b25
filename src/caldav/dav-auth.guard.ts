import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppPasswordsService } from '../app-passwords/app-passwords.service.js';
import type { AuthenticatedRequest } from '../auth/auth-user.js';
import { REALM } from '../auth/unauthorized.js';
import { ProblemException } from '../errors/problem.exception.js';
import { PerIpLimit } from '../rate-limit/per-ip.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';

export const BASIC_DETAIL = {
  missing: 'Sign in with HTTP Basic: your user id or email, and an app password (POST /api/app-passwords)',
  invalid: 'The user or the app password is wrong, or the app password was deleted',
} as const;

/** 401 with the RFC 7617 challenge, so a CalDAV client asks for (or sends) its user and app password. */
export class BasicUnauthorizedProblem extends ProblemException {
  constructor(failure: keyof typeof BASIC_DETAIL) {
    super(401, BASIC_DETAIL[failure], {
      headers: { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` },
    });
  }
}

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/** The login and password of an `Authorization: Basic` header, or null. */
export function basicCredentials(header: string | undefined): { login: string; password: string } | null {
  const encoded = BASIC.exec(header ?? '')?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Who is calling `/dav`: HTTP Basic with the user's id or email and one of their app passwords
 * (AppPasswordsService.signIn), never a bearer token (the global JWT guards pass these routes by:
 * they are @Public). A failure is 401 with `WWW-Authenticate: Basic` and counts against the
 * client's address (RATE_LIMIT_IP_PER_MINUTE, with failed tokens) and against the login tried
 * (RATE_LIMIT_LOGIN_FAILURES: beyond it, that login is 429 without being checked). A
 * request without credentials was counted per address ahead of routing. A sign-in counts against
 * the user as any request does. OPTIONS is answered without credentials (what the server speaks).
 */
@Injectable()
export class DavAuthGuard implements CanActivate {
  constructor(
    private readonly passwords: AppPasswordsService,
    private readonly limiter: RateLimiter,
    private readonly perIp: PerIpLimit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.method === 'OPTIONS') return true;
    const credentials = basicCredentials(req.headers.authorization);
    if (!credentials) {
      // Another scheme (a bearer token) was not counted ahead of routing: it is here.
      if (req.headers.authorization !== undefined) await this.perIp.count(req);
      throw new BasicUnauthorizedProblem('missing');
    }
    await this.limiter.checkAccount(credentials.login);
    const user = await this.passwords.signIn(credentials.login, credentials.password);
    if (!user) {
      await this.perIp.count(req);
      await this.limiter.failedSignIn(credentials.login);
      throw new BasicUnauthorizedProblem('invalid');
    }
    if (this.limiter.limitsUsers) await this.limiter.consumeUser(user.sub);
    req.user = user;
    return true;
  }
}
