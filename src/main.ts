import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { pino } from 'pino';
import { loadDotEnv } from './config/dotenv.js';
import { prepareDevEnvironment } from './config/dev-environment.js';
import { EnvValidationError, validateEnv, type Env } from './config/env.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Validates the environment, or stops the process with one line naming each bad variable. */
function checkedEnv(): Env {
  try {
    return validateEnv(process.env);
  } catch (err) {
    if (err instanceof EnvValidationError) fail(err.message);
    throw err;
  }
}

async function bootstrap(): Promise<void> {
  const startedAt = Date.now();
  loadDotEnv();
  // Before the app (and its logger) exists; the same JSON shape as the app's pino logs.
  const bootLog = pino({ level: checkedEnv().LOG_LEVEL }).child({ context: 'Bootstrap' });
  const say = (message: string) => bootLog.info(message);
  const embedded = await prepareDevEnvironment(process.env, say);
  const env = checkedEnv();

  // Imported only now: the modules read the environment prepared above.
  const { AppModule } = await import('./app.module.js');
  const { configureApp } = await import('./app.setup.js');
  const app = configureApp(
    await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, bodyParser: false }),
  );
  await app.listen(env.PORT, env.HOST);

  const url = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
  say(`Tasks API ready in ${Date.now() - startedAt} ms: ${url}/docs (Swagger), ${url}/health/ready`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: finishing in-flight requests (up to ${env.SHUTDOWN_GRACE_MS} ms), then exiting`);
    const server = app.getHttpServer();
    const force = setTimeout(() => server.closeAllConnections(), env.SHUTDOWN_GRACE_MS);
    force.unref();
    server.closeIdleConnections();
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
