import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadDotEnv } from './config/dotenv.js';
import { prepareDevEnvironment } from './config/dev-environment.js';
import { EnvValidationError, validateEnv } from './config/env.js';

const say = (message: string) =>
  process.stdout.write(
    `${JSON.stringify({ level: 'info', time: Date.now(), context: 'Bootstrap', msg: message })}\n`,
  );

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  const startedAt = Date.now();
  loadDotEnv();
  try {
    validateEnv(process.env);
  } catch (err) {
    if (err instanceof EnvValidationError) fail(err.message);
    throw err;
  }
  const embedded = await prepareDevEnvironment(process.env, say);
  const env = validateEnv(process.env);

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
