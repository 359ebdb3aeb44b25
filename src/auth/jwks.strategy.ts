import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { ExtractJwt } from 'passport-jwt';
import { Strategy } from 'passport-strategy';
import { AUTH_SETTINGS, JWKS_ALGORITHMS, type AuthSettings } from './auth-settings.js';
import { userFromClaims } from './claims.js';
import { JwksKeyStore, JwksStaleError } from './jwks-key-store.js';

export const JWKS_STRATEGY = 'jwks';

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

type Verify = (token: string, done: (err: unknown, user?: unknown) => void) => void;

/**
 * A passport strategy for a bearer JWT, handing the token to `verify` (PassportStrategy wires
 * that to `validate`). Every failure is a `fail` (401), never an `error` (500).
 */
class BearerTokenStrategy extends Strategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(req: Request): void {
    const token = bearerToken(req);
    if (!token) return this.fail('No auth token', 401);
    this.verify(token, (err, user) =>
      // Keys no longer trusted is the service's trouble, not the token's: an error (503), not a fail.
      err instanceof JwksStaleError
        ? this.error(err)
        : user && !err
          ? this.success(user)
          : this.fail(err ?? 'Invalid token', 401),
    );
  }
}

/**
 * Tokens signed by Better Auth's `jwt` plugin, checked against its JWKS: EdDSA (its default),
 * ES256, ES512, RS256 or PS256; `iss`/`aud` as configured; keys from JwksKeyStore.
 */
@Injectable()
export class JwksStrategy extends PassportStrategy(BearerTokenStrategy, JWKS_STRATEGY) {
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(JwksKeyStore) private readonly keys: JwksKeyStore | null,
  ) {
    super();
  }

  /** Verifies with jose: the key from the JWKS, the algorithm from the allowlist, then the claim rules. */
  async validate(token: string) {
    if (!this.keys) throw new Error('JWKS is not configured');
    const { alg, kid } = decodeProtectedHeader(token);
    if (!alg || !JWKS_ALGORITHMS.includes(alg)) throw new Error('Algorithm not allowed');
    const { payload } = await jwtVerify(token, this.keys.getKey, {
      algorithms: JWKS_ALGORITHMS,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      clockTolerance: this.settings.skewSeconds,
      requiredClaims: ['exp'],
    });
    const user = userFromClaims(payload, this.settings.skewSeconds);
    return user && { ...user, jwksKid: kid ?? '' };
  }
}
