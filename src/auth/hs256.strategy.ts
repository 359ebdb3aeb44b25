import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Env } from '../config/env.js';
import type { AuthUser } from './auth-user.js';
import { userFromClaims, type TokenClaims } from './claims.js';

export const HS256_STRATEGY = 'hs256';

/**
 * Tokens signed with the secret shared with the Better Auth frontend (`BETTER_AUTH_SECRET`).
 * Only HS256 is accepted; the token is read from the Authorization header and nowhere else.
 */
@Injectable()
export class Hs256Strategy extends PassportStrategy(Strategy, HS256_STRATEGY) {
  private readonly skew: number;

  constructor(config: ConfigService<Env, true>) {
    const secret = config.get('BETTER_AUTH_SECRET', { infer: true });
    const skew = config.get('JWT_CLOCK_SKEW_S', { infer: true });
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_req: unknown, _token: unknown, done: (err: unknown, key?: string) => void) =>
        secret ? done(null, secret) : done(new Error('HS256 is not configured')),
      algorithms: ['HS256'],
      issuer: config.get('JWT_ISSUER', { infer: true }),
      audience: config.get('JWT_AUDIENCE', { infer: true }),
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: skew },
    });
    this.skew = skew;
  }

  validate(claims: TokenClaims): AuthUser | false {
    return userFromClaims(claims, this.skew) ?? false;
  }
}
