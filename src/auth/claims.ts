import type { AuthUser } from './auth-user.js';

export interface TokenClaims {
  sub?: unknown;
  exp?: unknown;
  iat?: unknown;
  email?: unknown;
  name?: unknown;
}

const optionalString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Checks the contract's claim rules that the signature libraries leave open, after the
 * signature, `exp`, `nbf`, `iss` and `aud` have been verified: `exp` must be present, `iat`
 * must not be in the future beyond the skew, and `sub` must be a non-empty string.
 * Returns the caller, or null when the token must be rejected.
 */
export function userFromClaims(
  claims: TokenClaims,
  skewSeconds: number,
  nowMs = Date.now(),
): AuthUser | null {
  if (typeof claims.exp !== 'number') return null;
  if (claims.iat !== undefined) {
    if (typeof claims.iat !== 'number' || claims.iat > nowMs / 1000 + skewSeconds) return null;
  }
  if (typeof claims.sub !== 'string' || claims.sub.trim() === '' || claims.sub.length > 255) return null;
  return {
    sub: claims.sub,
    email: optionalString(claims.email),
    name: optionalString(claims.name),
    exp: claims.exp,
  };
}
