import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { Env } from '../config/env.js';

// The process's logging, without Nest: main.ts logs through it before the app exists (its own
// lines and, through `nestLogger` in logging.module.ts, Nest's while the modules initialise), and
// LoggingModule gives the same logger to the app. Only pino is imported, which the app loads anyway.

export type LogSettings = Pick<Env, 'NODE_ENV' | 'LOG_LEVEL'>;

let prettyInstalled: boolean | undefined;

/** Lines are pretty-printed with NODE_ENV=development (the default) when pino-pretty is installed. */
export function prettyLogs(nodeEnv: string | undefined): boolean {
  if ((nodeEnv ?? 'development') !== 'development') return false;
  if (prettyInstalled === undefined) {
    try {
      createRequire(import.meta.url).resolve('pino-pretty');
      prettyInstalled = true;
    } catch {
      prettyInstalled = false;
    }
  }
  return prettyInstalled;
}

const built = new Map<string, Logger>();

/**
 * The root pino logger for these settings, built once per process: JSON lines on stdout, written
 * asynchronously (logging never blocks a request on the pipe; pino flushes them at exit), or
 * pino-pretty in development.
 */
export function rootLogger({ NODE_ENV, LOG_LEVEL }: LogSettings): Logger {
  const key = `${NODE_ENV}:${LOG_LEVEL}`;
  let logger = built.get(key);
  if (!logger) {
    logger = prettyLogs(NODE_ENV)
      ? pino({
          level: LOG_LEVEL,
          transport: {
            target: 'pino-pretty',
            options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
          },
        })
      : pino({ level: LOG_LEVEL }, pino.destination({ dest: 1, sync: false }));
    built.set(key, logger);
  }
  return logger;
}

/**
 * Stops a process that could not start: one `fatal` line on stderr (JSON like every other line,
 * with the error and its stack inside as `err`; plain text when logs are pretty-printed), then
 * exit 1. Usable before the configuration is known to be valid: it reads NODE_ENV itself, and
 * writes even with LOG_LEVEL=silent.
 */
export function exitOnFailure(message: string, err?: unknown): never {
  if (prettyLogs(process.env.NODE_ENV)) {
    process.stderr.write(`${message}\n`);
  } else {
    pino(pino.destination({ dest: 2, sync: true }))
      .child({ context: 'Bootstrap' })
      .fatal(err === undefined ? {} : { err }, message);
  }
  process.exit(1);
}
