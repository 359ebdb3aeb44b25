import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadDotEnv } from './config/dotenv.js';
import { EnvValidationError, validateEnv, type Env } from './config/env.js';
import { databaseStartupProblem } from './database/connection.js';
import { exitOnFailure, rootLogger } from './logging/root-logger.js';

/** Validates the environment, or stops the process with one line naming each bad variable. */
function checkedEnv(): Env {
  try {
    return validateEnv(process.env);
  } catch (err) {
    if (err instanceof EnvValidationError) exitOnFailure(err.message);
    throw err;
  }
}

type Say = (message: string) => void;

/** The embedded development database, when this process started one (stopped with the server). */
interface EmbeddedDatabase {
  stop(): Promise<void>;
}

/**
 * Outside production, the zero-config development set-up (src/development/: a generated secret, the
 * embedded PostgreSQL), imported only then: production never loads that code.
 */
async function prepareDevelopment(say: Say): Promise<EmbeddedDatabase | undefined> {
  if (process.env.NODE_ENV === 'production') return undefined;
  const { prepareDevEnvironment } = await import('./development/dev-environment.js');
  return prepareDevEnvironment(process.env, say);
}

/** What a worker tells the primary once it serves (supervise() restarts only workers that did). */
const READY = 'tasks-api:ready';

/** One HTTP server process: serve until SIGTERM/SIGINT, then stop gracefully and exit 0. */
async function serve(env: Env, say: Say, embedded?: EmbeddedDatabase): Promise<void> {
  const startedAt = Date.now();
  // A full GC once the old generation has grown by this share: under load V8's own rule lets the
  // heap swell several times over its live size before collecting (docs/operations.md, "Memory").
  if (env.HEAP_GROWTH_PERCENT > 0) setFlagsFromString(`--heap-growing-percent=${env.HEAP_GROWTH_PERCENT}`);
  // Imported only now: the modules read the environment prepared before.
  const { AppModule } = await import('./app.module.js');
  const { configureApp } = await import('./app.setup.js');
  const { ShutdownState } = await import('./health/shutdown-state.js');
  const { Database } = await import('./database/database.js');
  const { ExpressHttpAdapter } = await import('./http/express-adapter.js');
  const { nestLogger } = await import('./logging/logging.module.js');
  const app = configureApp(
    await NestFactory.create<NestExpressApplication>(AppModule, new ExpressHttpAdapter(), {
      // The app's own logger from the first line on (not Nest's coloured console), unbuffered:
      // "Unable to connect to the database. Retrying" is written when it happens.
      logger: nestLogger(rootLogger(env)),
      // A failure is thrown to bootstrap() (one fatal line, exit 1), not ended by Nest itself.
      abortOnError: false,
      bodyParser: false,
    }),
  );
  await app.listen(env.PORT, env.HOST);
  if (cluster.isWorker) process.send?.(READY);
  const url = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
  say(`Tasks API ready in ${Date.now() - startedAt} ms: ${url}/docs (Swagger), ${url}/health/ready`);

  const stop = async (signal: string) => {
    const state = app.get(ShutdownState);
    if (state.stopping) return;
    state.begin();
    const deadline = Date.now() + env.SHUTDOWN_GRACE_MS;
    say(`${signal}: finishing in-flight requests (up to ${env.SHUTDOWN_GRACE_MS} ms), then exiting`);
    // Stop accepting, let in-flight requests finish (keep-alive clients get Connection: close),
    // and only then close the database pool: Nest's own close() would close the pool first.
    const server = app.getHttpServer();
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), env.SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(force);
    // The server closes once its connections have: a client that went away (a benchmark's end)
    // leaves its handlers running, and their statements, running or queued, finish first.
    await app.get(Database).drain(deadline);
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/**
 * WEB_CONCURRENCY > 1: this process forks that many workers (node:cluster) sharing the port, and
 * restarts one that dies after it served (one that fails to start stops them all: exit 1);
 * SIGTERM/SIGINT are passed on, and it exits 0 once all have stopped.
 */
function supervise(env: Env, say: Say, embedded?: EmbeddedDatabase): void {
  let stopping = false;
  let anyServed = false;
  /** Ends every worker with `signal`, then the embedded database, then this process with `code`. */
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    let alive = workers.length;
    const done = () => void (embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(code));
    if (alive === 0) return done();
    for (const worker of workers) {
      worker.once('exit', () => --alive === 0 && done());
      worker.process.kill(signal);
    }
  };
  const fork = () => {
    let served = false;
    const worker = cluster.fork();
    worker.on('message', (message) => message === READY && (served = anyServed = true));
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      // If none has ever served, the next will not do better (a bad setting, an unreachable
      // database): stop with exit code 1 for the orchestrator to see, instead of restarting for ever.
      // Once one has served, a worker that dies is replaced (a second later).
      if (!served && !anyServed) {
        say(`a worker failed to start (${signal ?? code}): stopping`);
        return stopAll('SIGTERM', 1);
      }
      say(`worker exited (${signal ?? code}); starting another`);
      setTimeout(fork, 1000);
    });
  };
  for (let i = 0; i < env.WEB_CONCURRENCY; i++) fork();
  say(`started ${env.WEB_CONCURRENCY} workers`);
  const stop = (signal: NodeJS.Signals) => {
    if (!stopping) stopAll(signal, 0);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function bootstrap(): Promise<void> {
  loadDotEnv();
  // The logger the app will use (root-logger.ts), already before the app exists.
  const bootLog = rootLogger(checkedEnv()).child({ context: 'Bootstrap' });
  const say = (message: string) => bootLog.info(message);
  // Workers inherit the primary's prepared environment (database URL, development secret).
  const embedded = cluster.isPrimary ? await prepareDevelopment(say) : undefined;
  const env = checkedEnv();
  if (cluster.isPrimary && env.WEB_CONCURRENCY > 1) return supervise(env, say, embedded);
  await serve(env, say, embedded);
}

bootstrap().catch((err: unknown) => {
  // A database that cannot be reached is said in one line with what to check; anything else with its stack.
  const known = databaseStartupProblem(err);
  if (known) exitOnFailure(`Failed to start: ${known}`);
  exitOnFailure(`Failed to start: ${err instanceof Error ? err.message : String(err)}`, err);
});
