import { createRequire } from 'node:module';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { pino, type Logger } from 'pino';
import type { Env } from '../config/env.js';

/** The application's one pino logger: Nest's own messages and the request lines go through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const prettyAvailable = (): boolean => {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
};

function createRootLogger(config: ConfigService<Env, true>): Logger {
  const level = config.get('LOG_LEVEL', { infer: true });
  if (config.get('NODE_ENV', { infer: true }) === 'development' && prettyAvailable()) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  // Asynchronous writes to stdout: logging never blocks a request on the pipe (flushed at exit).
  return pino({ level }, pino.destination({ dest: 1, sync: false }));
}

/** Provides the root logger, built once from the configuration. */
@Module({
  providers: [{ provide: ROOT_LOGGER, inject: [ConfigService], useFactory: createRootLogger }],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

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
      useFactory: (logger: Logger) => ({ pinoHttp: { logger }, forRoutes: [] }),
    }),
  ],
  exports: [RootLoggerModule],
})
export class LoggingModule {}
