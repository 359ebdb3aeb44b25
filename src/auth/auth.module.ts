import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportModule } from '@nestjs/passport';
import type { Env } from '../config/env.js';
import { AUTH_SETTINGS, authEnvOf, authSettings, type AuthSettings } from './auth-settings.js';
import { DEFAULT_KEY_STORE_OPTIONS, JwksKeyStore } from './jwks-key-store.js';
import { AuthRequiredGuard } from './auth-required.guard.js';
import { Hs256Strategy } from './hs256.strategy.js';
import { JwksStrategy } from './jwks.strategy.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { MeController } from './me.controller.js';
import { TokenTrust } from './token-trust.js';
import { VerifiedTokens } from './verified-tokens.js';

@Module({
  imports: [PassportModule],
  controllers: [MeController],
  providers: [
    {
      provide: AUTH_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        authSettings(authEnvOf((key) => config.get(key, { infer: true }))),
    },
    {
      // Better Auth's keys, when a JWKS is configured (null otherwise): the JWKS strategy verifies
      // with them, the guard asks whether they are still trusted, the token cache follows withdrawals,
      // and TokenTrust tells live streams when their token's key is gone.
      provide: JwksKeyStore,
      inject: [AUTH_SETTINGS, VerifiedTokens],
      useFactory: (settings: AuthSettings, verified: VerifiedTokens) => {
        if (!settings.jwksUrl) return null;
        const keys = new JwksKeyStore(settings.jwksUrl, {
          ...DEFAULT_KEY_STORE_OPTIONS,
          refreshMs: settings.jwksRefreshMs,
          maxStaleMs: settings.jwksMaxStaleMs,
        });
        keys.onChange(() => verified.forgetKeysOtherThan(keys.kids));
        return keys;
      },
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
    TokenTrust,
  ],
  // The guards are registered as global guards by AppModule, which declares their order.
  exports: [JwtAuthGuard, AuthRequiredGuard, TokenTrust],
})
export class AuthModule {}
