import { ConfigModule, ConfigService } from '@nestjs/config';
import { validateEnv, type Env } from './env.js';

/** Typed configuration reads: `config.get('DB_POOL_MAX', { infer: true })`. */
export type AppConfigService = ConfigService<Env, true>;

/**
 * Validates the environment once at boot (main.ts already loaded `.env`, if any).
 * A bad value stops the process with one message naming each offending variable.
 */
export const AppConfigModule = ConfigModule.forRoot({
  isGlobal: true,
  cache: true,
  ignoreEnvFile: true,
  validate: validateEnv,
});
