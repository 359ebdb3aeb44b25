import type { Env } from '../config/env.js';

/** Asymmetric algorithms a Better Auth JWKS may sign with (never HS*, never `none`). */
export const JWKS_ALGORITHMS = ['EdDSA', 'ES256', 'ES512', 'RS256', 'PS256'];

/** How tokens are trusted, derived once from the environment. */
export interface AuthSettings {
  /** Shared secret for HS256 tokens, when configured. */
  secret?: string;
  /** Where Better Auth publishes its keys, when configured. */
  jwksUrl?: URL;
  /** Required `iss`/`aud`, applied to every token whichever source verified it. */
  issuer?: string;
  audience?: string;
  skewSeconds: number;
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

type AuthEnv = Pick<
  Env,
  | 'BETTER_AUTH_SECRET'
  | 'BETTER_AUTH_URL'
  | 'JWT_JWKS_URL'
  | 'JWT_ISSUER'
  | 'JWT_AUDIENCE'
  | 'JWT_CLOCK_SKEW_S'
>;

/**
 * JWKS mode is on with `BETTER_AUTH_URL` (keys at `<url>/api/auth/jwks`) or `JWT_JWKS_URL`.
 * There, `iss` and `aud` default to the origin of `BETTER_AUTH_URL`, as Better Auth sets them;
 * `JWT_ISSUER`/`JWT_AUDIENCE` override in every mode.
 */
export function authSettings(env: AuthEnv): AuthSettings {
  const base = env.BETTER_AUTH_URL ? new URL(env.BETTER_AUTH_URL) : undefined;
  const jwksUrl = env.JWT_JWKS_URL
    ? new URL(env.JWT_JWKS_URL)
    : base
      ? new URL(`${base.href.replace(/\/$/, '')}/api/auth/jwks`)
      : undefined;
  return {
    secret: env.BETTER_AUTH_SECRET,
    jwksUrl,
    issuer: env.JWT_ISSUER ?? base?.origin,
    audience: env.JWT_AUDIENCE ?? base?.origin,
    skewSeconds: env.JWT_CLOCK_SKEW_S,
  };
}
