import request from 'supertest';
import { as, useTestApp, expectProblem } from './helpers/app.js';
import { newUser, signToken } from './helpers/tokens.js';

// In-memory limits (no REDIS_URL), small enough to reach.
const t = useTestApp({ RATE_LIMIT_USER_PER_MINUTE: '5', RATE_LIMIT_IP_PER_MINUTE: '3' });

describe('rate limits (in memory)', () => {
  it('limits each user separately: 429 with Retry-After after the limit', async () => {
    const alice = as(t.app, newUser());
    for (let i = 0; i < 5; i++) expect((await alice.get('/api/tasks')).status).toBe(200);
    const limited = await alice.get('/api/tasks/stats');
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await as(t.app, newUser()).get('/api/tasks')).status).toBe(200);
  });

  it('counts each command of a batch as a request, and refuses one over the limit before it runs', async () => {
    const bob = as(t.app, newUser());
    const creates = (n: number) => ({
      commands: Array.from({ length: n }, (_, i) => ({ op: 'create', data: { title: `t${i}` } })),
    });
    expect((await bob.post('/api/tasks/batch').send(creates(3))).status).toBe(200);
    expect((await bob.get('/api/tasks')).status).toBe(200);
    expect((await bob.get('/api/tasks')).status).toBe(200);
    expectProblem(await bob.get('/api/tasks'), 429);

    const carol = newUser();
    expectProblem(await as(t.app, carol).post('/api/tasks/batch').send(creates(6)), 429);
    expect(await t.db.query('SELECT id FROM tasks WHERE user_id = $1', [carol])).toEqual([]);
  });

  it('limits requests without a valid token per IP, without blocking valid users', async () => {
    const server = () => request(t.app.getHttpServer());
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await server()
            .get('/api/tasks')
            .set('Authorization', `Bearer ${signToken({ sub: 'x' })}`)
        ).status,
      );
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    const limited = await server().get('/api/tasks');
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await as(t.app, newUser()).get('/api/me')).status).toBe(200);
  });

  it('never limits health checks', async () => {
    for (let i = 0; i < 20; i++)
      expect((await request(t.app.getHttpServer()).get('/health/live')).status).toBe(200);
  });
});
