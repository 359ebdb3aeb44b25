import { Module, type LoggerService } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Logger as NestPinoLogger, LoggerModule, PinoLogger, type Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import { rootLogger } from './root-logger.js';

/** The application's one pino logger: Nest's own messages and the request lines go through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Provides the root logger (root-logger.ts): the one main.ts already logs through. */
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        rootLogger({
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
          LOG_LEVEL: config.get('LOG_LEVEL', { infer: true }),
        }),
    },
  ],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

const loggerParams = (logger: Logger): Params => ({ pinoHttp: { logger }, forRoutes: [] });

/**
 * Nest's logger over `logger`, as the app has it once LoggingModule is up (nestjs-pino): main.ts
 * gives it to NestFactory.create, so Nest's messages while the modules initialise (a database
 * that does not answer, say) are already the app's JSON lines, errors with their stack in `err`.
 */
export function nestLogger(logger: Logger): LoggerService {
  const params = loggerParams(logger);
  return new NestPinoLogger(new PinoLogger(params), params);
}

/**
 * Structured JSON logs (pino). nestjs-pino adapts Nest's logger to the root logger; its per-request
 * pino-http middleware is not mounted (`forRoutes: []`): the request line is written by
 * `requestLog` (request-log.ts) at a fraction of the cost of pino-http's three child loggers and
 * request-scoped async context per request (see bench/README.md).
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: loggerParams,
    }),
  ],
  exports: [RootLoggerModule],
})
export class LoggingModule {}
