import { ConfigModule } from '@nestjs/config';
import { validateEnv, type Env } from './env.js';

/**
 * Validates the environment once at boot (main.ts already loaded `.env`, if any), and provides
 * typed reads: `config.get('DB_POOL_MAX', { infer: true })` on a `ConfigService<Env, true>`.
 * A bad value stops the process with one message naming each offending variable. Reads see only
 * validated values: without skipProcessEnv, a variable the validation made undefined (an empty
 * JWT_ISSUER, which means "unset") would be read back raw from process.env as ''.
 */
export const AppConfigModule = ConfigModule.forRoot({
  isGlobal: true,
  cache: true,
  ignoreEnvFile: true,
  skipProcessEnv: true,
  validate: validateEnv,
});

/** The same, over an environment validated already and not read from `process.env` (test apps). */
export const configModuleWith = (env: Env) =>
  ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    ignoreEnvFile: true,
    skipProcessEnv: true,
    validatePredefined: false,
    load: [() => ({ ...env })],
  });
