import type { NestExpressApplication } from '@nestjs/platform-express';
import { as, createTestApp, expectProblem } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import { MISSING_REDIS, redisReachable, TEST_REDIS_URL } from './helpers/redis.js';
import { newUser } from './helpers/tokens.js';

// Two app instances sharing one Redis: a user's budget is global, not per instance.
whenInstalled(await redisReachable(), MISSING_REDIS, () => {
  describe('rate limits in Redis, shared by two instances', () => {
    let one: NestExpressApplication;
    let two: NestExpressApplication;

    beforeAll(async () => {
      const env = { REDIS_URL: TEST_REDIS_URL, RATE_LIMIT_USER_PER_MINUTE: '6' };
      one = await createTestApp(env);
      two = await createTestApp(env);
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
    });

    it('counts a user across instances', async () => {
      const user = newUser();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await as(i % 2 ? one : two, user).get('/api/tasks')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expectProblem(await as(one, user).get('/api/tasks'), 429);
      expectProblem(await as(two, user).get('/api/tasks'), 429);
    });
  });
});
