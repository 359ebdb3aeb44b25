import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from './auth-user.js';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings.js';
import { userFromClaims, type TokenClaims } from './claims.js';

export const HS256_STRATEGY = 'hs256';

/**
 * passport-jwt's callback for the key, as it behaves: it hands the key on to jsonwebtoken's
 * `verify`, which takes a KeyObject too. passport-jwt's types list only `string | Buffer`.
 */
type KeyCallback = (err: unknown, key?: string | Buffer | KeyObject) => void;

/**
 * Tokens signed with the secret shared with the Better Auth frontend (`BETTER_AUTH_SECRET`),
 * verified by passport-jwt. Only HS256 is accepted; the token is read from the Authorization
 * header and nowhere else.
 */
@Injectable()
export class Hs256Strategy extends PassportStrategy(Strategy, HS256_STRATEGY) {
  constructor(@Inject(AUTH_SETTINGS) private readonly settings: AuthSettings) {
    // A KeyObject, made once: handed a string, jsonwebtoken first tries (and fails) to parse it
    // as a PEM public key on every call, which costs far more than the HMAC (bench/README.md).
    const key = settings.secret ? createSecretKey(Buffer.from(settings.secret, 'utf8')) : undefined;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_req, _token, done) =>
        // Widened, not forced: the compiler checks that the two callback types are comparable.
        key ? (done as KeyCallback)(null, key) : done(new Error('HS256 is not configured')),
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: settings.skewSeconds },
    });
  }

  validate(claims: TokenClaims): AuthUser | false {
    return userFromClaims(claims, this.settings.skewSeconds) ?? false;
  }
}
