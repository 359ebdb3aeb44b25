import { ProblemException } from '../errors/problem.exception.js';

export const REALM = 'tasks-api';

export type AuthFailure = 'missing' | 'expired' | 'invalid';

export const UNAUTHORIZED_DETAIL: Record<AuthFailure, string> = {
  missing: 'Send a bearer token: Authorization: Bearer <token>',
  expired: 'The access token expired',
  invalid: 'The access token is invalid',
};

/**
 * 401 with the RFC 6750 challenge: a plain `Bearer realm` when no credentials came,
 * `error="invalid_token"` when a token failed. It never says which check failed beyond
 * expired vs invalid.
 */
export class UnauthorizedProblem extends ProblemException {
  constructor(readonly failure: AuthFailure) {
    const challenge =
      failure === 'missing'
        ? `Bearer realm="${REALM}"`
        : `Bearer realm="${REALM}", error="invalid_token", error_description="${UNAUTHORIZED_DETAIL[failure]}"`;
    super(401, UNAUTHORIZED_DETAIL[failure], { headers: { 'WWW-Authenticate': challenge } });
  }
}
