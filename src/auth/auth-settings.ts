import type { Env } from '../config/env.js';
import { pickEnv } from '../config/pick-env.js';

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
  /** JWKS: fetched again this often; keys no longer trusted this long after the last good fetch. */
  jwksRefreshMs: number;
  jwksMaxStaleMs: number;
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

/** The settings authSettings reads (one list: the module and the config checks pick them with it). */
const AUTH_ENV_KEYS = [
  'BETTER_AUTH_SECRET',
  'BETTER_AUTH_URL',
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_CLOCK_SKEW_S',
  'JWT_JWKS_REFRESH_S',
  'JWT_JWKS_MAX_STALE_S',
] as const satisfies readonly (keyof Env)[];

type AuthEnv = Pick<Env, (typeof AUTH_ENV_KEYS)[number]>;

/** Those settings, read one by one (from `ConfigService.get`). */
export const authEnvOf = (read: (key: keyof AuthEnv) => unknown): AuthEnv => pickEnv(AUTH_ENV_KEYS, read);

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
    jwksRefreshMs: env.JWT_JWKS_REFRESH_S * 1000,
    jwksMaxStaleMs: env.JWT_JWKS_MAX_STALE_S * 1000,
  };
}
