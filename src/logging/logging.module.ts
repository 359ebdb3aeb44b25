import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import type { Options } from 'pino-http';
import type { Env } from '../config/env.js';
import { requestIdOf } from './request-id.js';

const SENSITIVE_QUERY = /token|secret|password|key|code|session/i;

/** The request's path and query, with the values of anything credential-like replaced. */
export function safeUrl(url = ''): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) {
    if (SENSITIVE_QUERY.test(name)) params.set(name, '[redacted]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

const prettyAvailable = (): boolean => {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
};

/**
 * Structured JSON logs (pino): one line per request with method, url, status, duration,
 * user id and request id; every log line written while serving a request carries its id.
 * Authorization headers, cookies and credential-like query values are never logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const pretty = config.get('NODE_ENV', { infer: true }) === 'development' && prettyAvailable();
        const options: Options = {
          level: config.get('LOG_LEVEL', { infer: true }),
          genReqId: (req, res) => requestIdOf(req, res),
          customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
          // Lines written while serving a request carry just its request_id (the request itself is
          // serialised once, on the completion line), which keeps logging cheap per request.
          quietReqLogger: true,
          customProps: (req: IncomingMessage & { user?: { sub?: string } }) => ({
            user_id: req.user?.sub,
          }),
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: safeUrl(req.url),
            }),
            res: (res: { statusCode: number }) => ({ status: res.statusCode }),
          },
          redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
          customLogLevel: (_req, res, err) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        };
        if (pretty) {
          options.transport = {
            target: 'pino-pretty',
            options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
          };
          return { pinoHttp: options };
        }
        // Asynchronous writes to stdout: logging never blocks a request on the pipe (flushed at exit).
        return { pinoHttp: [options, pino.destination({ dest: 1, sync: false })] };
      },
    }),
  ],
})
export class LoggingModule {}
