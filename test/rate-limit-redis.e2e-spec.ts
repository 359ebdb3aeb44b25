import { connect } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { as, createTestApp, expectProblem } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// Two app instances sharing one Redis: a user's budget is global, not per instance.
// TEST_REDIS_URL when set (CI), else a Redis on 127.0.0.1:6379 if one answers.
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

describe('rate limits in Redis, shared by two instances', () => {
  let one: NestExpressApplication;
  let two: NestExpressApplication;
  let available = false;

  beforeAll(async () => {
    available = await reachable(redisUrl);
    if (!available) {
      if (process.env.CI) throw new Error(`CI needs Redis at ${redisUrl} (set TEST_REDIS_URL)`);
      console.warn(`No Redis at ${redisUrl}: the shared-limit test is skipped (set TEST_REDIS_URL)`);
      return;
    }
    const env = { REDIS_URL: redisUrl, RATE_LIMIT_USER_PER_MINUTE: '6' };
    one = await createTestApp(env);
    two = await createTestApp(env);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('counts a user across instances', async () => {
    if (!available) return;
    const user = newUser();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await as(i % 2 ? one : two, user).get('/api/tasks')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expectProblem(await as(one, user).get('/api/tasks'), 429);
    expectProblem(await as(two, user).get('/api/tasks'), 429);
  });
});
