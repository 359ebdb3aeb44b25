import { as, useTestApp, expectProblem } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// REDIS_URL points at a closed port: requests must neither fail nor hang, and limits still
// hold per instance (the in-memory fallback).
const t = useTestApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_USER_PER_MINUTE: '4' });

it('falls back to in-memory limits when Redis is unreachable', async () => {
  const api = as(t.app, newUser());
  const started = Date.now();
  for (let i = 0; i < 4; i++) expect((await api.get('/api/tasks')).status).toBe(200);
  expectProblem(await api.get('/api/tasks'), 429);
  expect(Date.now() - started).toBeLessThan(5000);
});
