import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportModule } from '@nestjs/passport';
import type { Env } from '../config/env.js';
import { AUTH_SETTINGS, authSettings, type AuthSettings } from './auth-settings.js';
import { AuthRequiredGuard } from './auth-required.guard.js';
import { Hs256Strategy } from './hs256.strategy.js';
import { JwksStrategy } from './jwks.strategy.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { MeController } from './me.controller.js';
import { VerifiedTokens } from './verified-tokens.js';

@Module({
  imports: [PassportModule],
  controllers: [MeController],
  providers: [
    {
      provide: AUTH_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        authSettings({
          BETTER_AUTH_SECRET: config.get('BETTER_AUTH_SECRET', { infer: true }),
          BETTER_AUTH_URL: config.get('BETTER_AUTH_URL', { infer: true }),
          JWT_JWKS_URL: config.get('JWT_JWKS_URL', { infer: true }),
          JWT_ISSUER: config.get('JWT_ISSUER', { infer: true }),
          JWT_AUDIENCE: config.get('JWT_AUDIENCE', { infer: true }),
          JWT_CLOCK_SKEW_S: config.get('JWT_CLOCK_SKEW_S', { infer: true }),
        }),
    },
    Hs256Strategy,
    {
      provide: VerifiedTokens,
      inject: [AUTH_SETTINGS],
      useFactory: (settings: AuthSettings) => new VerifiedTokens(settings.skewSeconds),
    },
    JwksStrategy,
    JwtAuthGuard,
    AuthRequiredGuard,
  ],
  // Registered as global guards by AppModule, which declares their order.
  exports: [JwtAuthGuard, AuthRequiredGuard],
})
export class AuthModule {}
