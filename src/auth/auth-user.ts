import type { Request } from 'express';
import type { UnauthorizedProblem } from './unauthorized.js';

/** The caller, as read from a verified token. `sub` is the user id of every request. */
export interface AuthUser {
  sub: string;
  email: string | null;
  name: string | null;
  /** When the token expires (`exp`, seconds since the epoch): a live stream ends then. */
  exp: number;
  /**
   * The `kid` of the JWKS key that verified the token ('' when it named none); absent when the
   * shared secret did. A live stream ends when that key leaves the JWKS.
   */
  jwksKid?: string;
}

/**
 * A request after JwtAuthGuard: `user` when its bearer token verified, else `authFailure` (a
 * route that is not public). AuthRequiredGuard answers the failure; guards between them may count it.
 */
export type AuthenticatedRequest = Request & { user?: AuthUser; authFailure?: UnauthorizedProblem };
