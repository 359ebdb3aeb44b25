import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import { as, createTestApp } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import {
  destroyClusters,
  MISSING_POSTGRES_BINARIES,
  postgresBinDir,
  startCluster,
  type Cluster,
} from './helpers/pg-cluster.js';
import { MISSING_REDIS, redisReachable, TEST_REDIS_URL } from './helpers/redis.js';
import { newUser } from './helpers/tokens.js';

/**
 * DATABASE_READ_URLS against a real streaming replica (pg_basebackup -R of a throw-away primary),
 * made visibly late with recovery_min_apply_delay: reads go there, a writer reads their own writes,
 * a replica that lags too much or is down is skipped for the primary, never a 5xx.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const redisUp = await redisReachable();

whenInstalled(postgresBinDir, MISSING_POSTGRES_BINARIES, () => {
  let primary: Cluster;
  let replica: Cluster;
  beforeAll(async () => {
    primary = await startCluster();
    replica = await startCluster({ replicaOf: primary, applyDelayMs: 1500 });
  }, 60_000);
  afterAll(() => destroyClusters());

  /** The replica's clock (the clusters share this machine's). */
  const replicaNow = async () => (await replica.query<{ t: Date }>('SELECT now() AS t'))[0].t;
  /** How many of the service's read connections on the replica read tasks since `since` (pg_stat_activity keeps each one's last statement; the monitor has connections of its own). */
  const replicaReadsSince = async (since: Date) =>
    (
      await replica.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'tasks-api:read' AND query LIKE '%FROM task%' AND state_change >= $1",
        [since],
      )
    ).length;

  /** Waits until the replica has replayed everything the primary has now. */
  const caughtUp = async () => {
    const [{ lsn }] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    for (let i = 0; i < 100; i++) {
      const [{ ok }] = await replica.query<{ ok: boolean }>(
        'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
        [lsn],
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error('the replica did not catch up in 10 s');
  };

  describe('a replica within DB_READ_MAX_LAG_MS (1.5 s behind, limit 3 s)', () => {
    let app: NestExpressApplication;
    beforeAll(async () => {
      app = await createTestApp({
        DATABASE_URL: primary.url(),
        DB_POOL_MODE: 'session', // direct connections, also when the run goes through PgBouncer
        DATABASE_READ_URLS: replica.url(),
        DB_READ_MAX_LAG_MS: '3000',
      });
      // The first migration ran on the primary: wait for the replica to have the tables.
      await caughtUp();
      await sleep(1500); // a few monitor rounds
    }, 60_000);
    afterAll(() => app?.close());

    it('serves a writer their own write at once, though the replica does not have it yet', async () => {
      const user = newUser();
      const created = await as(app, user).post('/api/tasks').send({ title: 'mine' });
      expect(created.status).toBe(201);
      // The replica applies it 1.5 s later; the writer reads from the primary meanwhile.
      const [{ n }] = await replica.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tasks WHERE id = $1',
        [created.body.id],
      );
      expect(n).toBe(0);
      expect((await as(app, user).get(`/api/tasks/${created.body.id}`)).status).toBe(200);
      const list = await as(app, user).get('/api/tasks');
      expect(list.body.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
      expect((await as(app, user).get('/api/tasks/stats')).body).toMatchObject({ total: 1 });
    });

    it('sends listing, single reads and stats of users who have not written lately to the replica', async () => {
      const user = newUser();
      const created = await as(app, user).post('/api/tasks').send({ title: 'older' });
      await sleep(4700); // past the writer's window (3 s + 2 × 750 ms), and the replica has the write
      for (const path of ['/api/tasks', `/api/tasks/${created.body.id}`, '/api/tasks/stats']) {
        const since = await replicaNow();
        expect((await as(app, user).get(path)).status).toBe(200);
        expect(await replicaReadsSince(since)).toBeGreaterThan(0);
      }
      const list = await as(app, user).get('/api/tasks');
      expect(list.body.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
    }, 20_000);

    it('a member removed from a list gets 404 at once, though the replica still shows the membership', async () => {
      const [ownerId, memberId] = [newUser('owner'), newUser('member')];
      const [owner, member] = [as(app, ownerId), as(app, memberId)];
      const list = (await owner.post('/api/lists').send({ name: 'Shared' }).expect(201)).body;
      const task = (await owner.post('/api/tasks').send({ title: 'shared', list_id: list.id }).expect(201))
        .body;
      const { token } = (
        await owner.post(`/api/lists/${list.id}/invitations`).send({ role: 'editor' }).expect(201)
      ).body;
      await member.post(`/api/invitations/${token}/accept`).expect(200);
      await sleep(4700); // past the member's window (their accept was a write): their reads go to the replica
      let since = await replicaNow();
      await member.get(`/api/tasks/${task.id}`).expect(200);
      expect(await replicaReadsSince(since)).toBeGreaterThan(0);

      await owner.delete(`/api/lists/${list.id}/members/${memberId}`).expect(204);
      // The replica applies the removal 1.5 s later ...
      const [{ n }] = await replica.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM list_members WHERE list_id = $1 AND user_id = $2',
        [list.id, memberId],
      );
      expect(n).toBe(1);
      // ... but the removal was announced as the member's write: their reads go to the primary.
      since = await replicaNow();
      expect((await member.get(`/api/tasks/${task.id}`)).status).toBe(404);
      expect((await member.get(`/api/lists/${list.id}`)).status).toBe(404);
      expect((await member.get('/api/tasks?status=all')).body).toEqual([]);
      expect((await member.get('/api/lists')).body.map((l: { id: string }) => l.id)).not.toContain(list.id);
      expect(await replicaReadsSince(since)).toBe(0);
    }, 20_000);

    it('answers 200 from the primary while the replica is down, and uses it again when it is back', async () => {
      // A reader who never wrote: their reads go to the replica ...
      const reader = newUser();
      let since = await replicaNow();
      expect((await as(app, reader).get('/api/tasks')).status).toBe(200);
      expect(await replicaReadsSince(since)).toBeGreaterThan(0);
      await replica.stop();
      try {
        // ... and the very next ones, before the monitor has noticed, fall back to the primary.
        for (let i = 0; i < 10; i++) {
          for (const path of ['/api/tasks', '/api/tasks/stats']) {
            const res = await as(app, reader).get(path);
            expect(res.status).toBe(200);
          }
          await sleep(50);
        }
      } finally {
        await replica.start();
      }
      // Within a few monitor rounds reads go there again.
      since = await replicaNow();
      for (let i = 0; i < 50 && (await replicaReadsSince(since)) === 0; i++) {
        expect((await as(app, reader).get('/api/tasks')).status).toBe(200);
        await sleep(100);
      }
      expect(await replicaReadsSince(since)).toBeGreaterThan(0);
    }, 30_000);
  });

  describe('a replica further behind than DB_READ_MAX_LAG_MS (4 s behind, limit 500 ms)', () => {
    let app: NestExpressApplication;
    let slow: Cluster;
    beforeAll(async () => {
      slow = await startCluster({ replicaOf: primary, applyDelayMs: 4000 });
      app = await createTestApp({
        DATABASE_URL: primary.url(),
        DB_POOL_MODE: 'session', // direct connections, also when the run goes through PgBouncer
        DATABASE_READ_URLS: slow.url(),
        DB_READ_MAX_LAG_MS: '500',
      });
    }, 60_000);
    afterAll(() => app?.close());

    it('is skipped: once the window is over, reads come from the primary and see the write', async () => {
      const user = newUser();
      // Writes keep the primary ahead, so the replica's lag shows.
      const created = await as(app, user).post('/api/tasks').send({ title: 'fresh' });
      await as(app, newUser()).post('/api/tasks').send({ title: 'traffic' });
      await sleep(1000); // the writer's window (500 ms + 2 × 125 ms) is over; the replica lacks the task for 4 s
      const [{ n }] = await slow.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks WHERE id = $1', [
        created.body.id,
      ]);
      expect(n).toBe(0);
      expect((await as(app, user).get(`/api/tasks/${created.body.id}`)).status).toBe(200);
    });
  });

  describe('two instances sharing Redis (REDIS_URL)', () => {
    whenInstalled(redisUp, MISSING_REDIS, () => {
      const apps: NestExpressApplication[] = [];
      // Each instance's own name for its Redis connections (ioredis reads `connectionName` from
      // REDIS_URL's query and sets it on every connection it opens with that URL).
      const names = [0, 1].map((i) => `tasks-api-e2e-${randomUUID()}-${i}`);
      beforeAll(async () => {
        const env = {
          DATABASE_URL: primary.url(),
          DB_POOL_MODE: 'session', // direct connections, also when the run goes through PgBouncer
          DATABASE_READ_URLS: replica.url(),
          DB_READ_MAX_LAG_MS: '3000',
        };
        for (const name of names) {
          const url = new URL(TEST_REDIS_URL);
          url.searchParams.set('connectionName', name);
          apps.push(await createTestApp({ ...env, REDIS_URL: url.toString() }));
        }
        await sleep(1000); // a few monitor rounds
      }, 60_000);
      afterAll(() => Promise.all(apps.map((a) => a.close())));

      it('holds two Redis connections per instance: the shared client and the subscriber', async () => {
        // Every user of Redis is on here: rate limits, recent writers (replicas), event streams'
        // slots, and the change notifier's publishing and subscription.
        const redis = new Redis(TEST_REDIS_URL);
        try {
          const subscriptions = async (name: string) =>
            ((await redis.client('LIST')) as string)
              .split('\n')
              .filter((line) => line.includes(` name=${name} `))
              .map((line) => Number(/\bsub=(\d+)/.exec(line)?.[1]))
              .sort();
          for (const name of names) {
            for (let i = 0; i < 30 && !(await subscriptions(name)).includes(1); i++) await sleep(100);
            // One connection runs commands (subscribed to nothing), one is subscribed to the channel.
            expect(await subscriptions(name)).toEqual([0, 1]);
          }
        } finally {
          redis.disconnect();
        }
      });

      it("a write through one instance steers that user's reads on the other to the primary", async () => {
        const user = newUser();
        const created = await as(apps[0], user).post('/api/tasks').send({ title: 'written on one' });
        const [{ n }] = await replica.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM tasks WHERE id = $1',
          [created.body.id],
        );
        expect(n).toBe(0);
        expect((await as(apps[1], user).get(`/api/tasks/${created.body.id}`)).status).toBe(200);
      });
    });
  });
});
