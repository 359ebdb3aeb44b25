import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { validateEnv, type Env } from '../../src/config/env.js';
import type { Task } from '../../src/tasks/dto/task.dto.js';
import { tokenFor } from './tokens.js';

/** Settings for one test app, as environment variables would give them (strings). */
export type TestEnv = Partial<Record<keyof Env, string>>;

/**
 * Boots the real AppModule (same modules, global guards, pipe and filter, same configureApp
 * as main.ts) over the real PostgreSQL of this test run. `env` is laid over the test process's
 * environment (setup-env.ts) and validated like the server's; the app reads it through its
 * ConfigModule, so nothing is written to `process.env`.
 */
export async function createTestApp(env: TestEnv = {}): Promise<NestExpressApplication> {
  const { AppModule } = await import('../../src/app.module.js');
  const { configureApp } = await import('../../src/app.setup.js');
  const { ExpressHttpAdapter } = await import('../../src/http/express-adapter.js');
  const { AppConfigModule, configModuleWith } = await import('../../src/config/config.module.js');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideModule(AppConfigModule)
    .useModule(configModuleWith(validateEnv({ ...process.env, ...env })))
    .compile();
  const app = configureApp(
    moduleRef.createNestApplication<NestExpressApplication>(new ExpressHttpAdapter(), { bodyParser: false }),
  );
  await app.init();
  return app;
}

export interface TestApp {
  /** The app (after `beforeAll`). */
  readonly app: NestExpressApplication;
  /** Its TypeORM DataSource, for queries a test makes itself. */
  readonly db: DataSource;
}

/**
 * The shared e2e fixture: one app for the test file (or the `describe` it is called in), started
 * before its tests and closed after them. `env` as for createTestApp; a function is read in
 * `beforeAll`, for settings that exist only then (a port of a server started before).
 */
export function useTestApp(env: TestEnv | (() => TestEnv) = {}): TestApp {
  let app: NestExpressApplication | undefined;
  beforeAll(async () => {
    app = await createTestApp(typeof env === 'function' ? env() : env);
  }, 60_000);
  afterAll(() => app?.close());
  const started = () => {
    if (!app) throw new Error('the test app is not started yet (use it inside tests or hooks)');
    return app;
  };
  return {
    get app() {
      return started();
    },
    get db() {
      return started().get(DataSource);
    },
  };
}

/** supertest bound to the app, authenticated as `user` when given. */
export function as(app: INestApplication, user?: string) {
  const server = app.getHttpServer() as App;
  const auth = (req: request.Test) => (user ? req.set('Authorization', `Bearer ${tokenFor(user)}`) : req);
  return {
    get: (url: string) => auth(request(server).get(url)),
    post: (url: string) => auth(request(server).post(url)),
    put: (url: string) => auth(request(server).put(url)),
    patch: (url: string) => auth(request(server).patch(url)),
    delete: (url: string) => auth(request(server).delete(url)),
  };
}

/** Every task a listing returns, following `Link: rel="next"` from `first` to the end. */
export async function listAll(api: ReturnType<typeof as>, first = '/api/tasks?limit=100'): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let url: string | undefined = first; url;) {
    const res: request.Response = await api.get(url).expect(200);
    tasks.push(...(res.body as Task[]));
    url = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
  }
  return tasks;
}

/** The contract's error body: problem+json with these keys, and nothing that looks like internals. */
export function expectProblem(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.any(String),
      request_id: res.headers['x-request-id'],
    }),
  );
  expect(JSON.stringify(res.body)).not.toMatch(
    /\bat \S+ \(|node_modules|SELECT |INSERT |UPDATE |QueryFailedError/,
  );
}

/** The `errors[]` fields of a validation problem. */
export const fieldsOf = (res: request.Response): string[] =>
  [...new Set(((res.body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field))].sort();
