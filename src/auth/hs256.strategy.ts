import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from './auth-user.js';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings.js';
import { userFromClaims, type TokenClaims } from './claims.js';

export const HS256_STRATEGY = 'hs256';

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
      // jsonwebtoken accepts a KeyObject; passport-jwt's types only list string | Buffer.
      secretOrKeyProvider: (_req: unknown, _token: unknown, done: (err: unknown, key?: Buffer) => void) =>
        key ? done(null, key as unknown as Buffer) : done(new Error('HS256 is not configured')),
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
