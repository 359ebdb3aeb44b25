import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { tokenFor } from './tokens.js';

/**
 * Boots the real AppModule (same modules, global guard, pipe and filter, same configureApp
 * as main.ts) over the real PostgreSQL of this test run.
 */
export async function createTestApp(): Promise<NestExpressApplication> {
  const { AppModule } = await import('../../src/app.module.js');
  const { configureApp } = await import('../../src/app.setup.js');
  const { ExpressHttpAdapter } = await import('../../src/http/express-adapter.js');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = configureApp(
    moduleRef.createNestApplication<NestExpressApplication>(new ExpressHttpAdapter(), { bodyParser: false }),
  );
  await app.init();
  return app;
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
