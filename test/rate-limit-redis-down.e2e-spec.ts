import type { NestExpressApplication } from '@nestjs/platform-express';
import { as, createTestApp, expectProblem } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// REDIS_URL points at a closed port: requests must neither fail nor hang, and limits still
// hold per instance (the in-memory fallback).
let app: NestExpressApplication;
beforeAll(async () => {
  process.env.REDIS_URL = 'redis://127.0.0.1:1';
  process.env.RATE_LIMIT_USER_PER_MINUTE = '4';
  app = await createTestApp();
});
afterAll(() => app.close());

it('falls back to in-memory limits when Redis is unreachable', async () => {
  const api = as(app, newUser());
  const started = Date.now();
  for (let i = 0; i < 4; i++) expect((await api.get('/api/tasks')).status).toBe(200);
  expectProblem(await api.get('/api/tasks'), 429);
  expect(Date.now() - started).toBeLessThan(5000);
});
