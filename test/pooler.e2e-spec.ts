import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { MIGRATIONS } from '../migrations/index.js';
import { as, createTestApp, expectProblem, type TestEnv } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import { MISSING_PGBOUNCER, PGBOUNCER_BIN, startPgBouncer, type PgBouncer } from './helpers/pgbouncer.js';
import { startServerProcess, stopServerProcesses, type ServerProcess } from './helpers/server-process.js';
import { queryOnce } from './helpers/pg.js';
import { newUser } from './helpers/tokens.js';

/**
 * The service behind a transaction-mode pooler (PgBouncer as Debian ships it, configured as strictly
 * as Neon's pooled endpoint), and connections the server kills. The rest of the e2e suite runs
 * through such a pooler too in CI (`TEST_POOLER=pgbouncer`, see .ci/run).
 */
const DIRECT = process.env.E2E_DIRECT_DATABASE_URL!;

/** A database of its own (dropped by `dropDatabases`), so the test can see or kill only its connections. */
const made: string[] = [];
async function freshDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await queryOnce(DIRECT, `CREATE DATABASE "${name}"`);
  made.push(name);
  return Object.assign(new URL(DIRECT), { pathname: `/${name}` }).toString();
}
async function dropDatabases() {
  for (const name of made.splice(0))
    await queryOnce(DIRECT, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

whenInstalled(PGBOUNCER_BIN, MISSING_PGBOUNCER, () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer(DIRECT);
  });
  afterAll(async () => {
    try {
      await stopServerProcesses();
      await dropDatabases();
    } finally {
      await bouncer?.destroy();
    }
  });
  const through = (url: string): TestEnv => ({ DATABASE_URL: bouncer.url(url), DB_POOL_MODE: 'transaction' });

  it('is as strict as Neon: a client sending statement_timeout at startup is refused', async () => {
    const client = new pg.Client({ connectionString: bouncer.url(DIRECT), statement_timeout: 1000 });
    await expect(client.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
  });

  describe('an app through it (DB_POOL_MODE=transaction)', () => {
    let app: NestExpressApplication;
    beforeAll(async () => {
      app = await createTestApp({ ...through(DIRECT), DB_POOL_MAX: '10' });
    });
    afterAll(() => app?.close());

    it('answers 20 concurrent requests of every kind with 2xx (no "prepared statement already exists")', async () => {
      const user = newUser();
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          as(app, user)
            .post('/api/tasks')
            .send({ title: `t${i}` }),
        ),
      );
      expect(created.map((r) => r.status)).toEqual(Array(20).fill(201));
      const ids = created.map((r) => r.body.id as string);
      const reads = await Promise.all([
        ...Array.from({ length: 20 }, () => as(app, user).get('/api/tasks?limit=5&sort=title')),
        ...ids.map((id) => as(app, user).get(`/api/tasks/${id}`)),
        ...ids.map((id) => as(app, user).patch(`/api/tasks/${id}`).send({ priority: 'high' })),
        ...ids.map(() => as(app, user).get('/api/tasks/stats')),
      ]);
      expect(reads.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`)).toEqual([]);
      const deleted = await Promise.all(ids.map((id) => as(app, user).delete(`/api/tasks/${id}`)));
      expect(deleted.map((r) => r.status)).toEqual(Array(20).fill(204));
    });

    it('still holds DB_STATEMENT_TIMEOUT_MS on the server: a write stuck on a lock is cancelled there', async () => {
      const app = await createTestApp({ ...through(DIRECT), DB_STATEMENT_TIMEOUT_MS: '500' });
      const user = newUser();
      const task = await as(app, user).post('/api/tasks').send({ title: 'locked' });
      const locker = new pg.Client({ connectionString: DIRECT });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE', [task.body.id]);
        const started = Date.now();
        const res = await as(app, user).patch(`/api/tasks/${task.body.id}`).send({ title: 'waits' });
        const took = Date.now() - started;
        expectProblem(res, 503);
        expect(took).toBeLessThan(3000);
        // The server's own limit (500 ms) ended it, not only the client-side one (1 500 ms, which
        // would leave the statement waiting on the server until the lock goes): nothing of the app
        // waits on the lock any more. On a machine busy enough that the 503 came from the client-side
        // limit first, the server's cancel lands moments later: asked again for up to 3 s, lock held.
        const waitingNow = async () =>
          (
            await locker.query<{ waiting: number }>(
              'SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))',
            )
          ).rows[0].waiting;
        let waiting = await waitingNow();
        for (const until = Date.now() + 3000; waiting > 0 && Date.now() < until; waiting = await waitingNow())
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(waiting).toBe(0);
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
        await app.close();
      }
    });
  });

  it('two instances starting at once through it apply each migration exactly once', async () => {
    const url = await freshDatabase('tasks_pool_migrate');
    const env = { ...through(url) } as Record<string, string>;
    const servers: ServerProcess[] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const { rows } = await queryOnce<{ n: number }>(
        url,
        'SELECT name, count(*)::int AS n FROM typeorm_migrations GROUP BY name',
      );
      expect(rows.map((r) => r.n)).toEqual(Array(MIGRATIONS.length).fill(1));
      const appliers = servers.filter((s) => /Applied migrations/.test(s.output()));
      expect(appliers).toHaveLength(1);
      for (const s of servers) expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
    }
  }, 60_000);

  it('migrates on DATABASE_DIRECT_URL when it is set, not through the pooler', async () => {
    const pooled = await freshDatabase('tasks_pool_app');
    const direct = await freshDatabase('tasks_pool_direct');
    // Two different databases, so where the migrations ran shows which URL they used.
    const app = await createTestApp({ ...through(pooled), DATABASE_DIRECT_URL: direct });
    await app.close();
    const tablesIn = async (url: string) =>
      (await queryOnce<{ t: string | null }>(url, "SELECT to_regclass('typeorm_migrations')::text AS t"))
        .rows[0].t;
    expect(await tablesIn(direct)).toBe('typeorm_migrations');
    expect(await tablesIn(pooled)).toBeNull();
  });

  describe.each([
    ['direct', (url: string): TestEnv => ({ DATABASE_URL: url, DB_POOL_MODE: 'session' })],
    ['through PgBouncer', (url: string): TestEnv => through(url)],
  ])('connections killed by the server (%s)', (_via, envFor) => {
    it('are replaced: 0 failed requests after pg_terminate_backend on every connection of the service', async () => {
      const url = await freshDatabase('tasks_kill');
      const app = await createTestApp({ ...envFor(url), DB_POOL_MAX: '8' });
      const user = newUser();
      const isCreate = (i: number) => i % 3 === 0;
      const burst = () =>
        Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            isCreate(i)
              ? as(app, user)
                  .post('/api/tasks')
                  .send({ title: `t${i}` })
              : i % 3 === 1
                ? as(app, user).get('/api/tasks')
                : as(app, user).get('/api/tasks/stats'),
          ),
        );
      let created = 0;
      const counted = async (rs: Promise<request.Response[]>) => {
        const responses = await rs;
        created += responses.filter((r) => r.status === 201).length;
        return responses;
      };
      const failed = (rs: request.Response[]) =>
        rs.filter((r) => r.status >= 300).map((r) => `${r.status} ${r.text}`);
      try {
        expect(failed(await counted(burst()))).toEqual([]);
        const dbName = new URL(url).pathname.slice(1);
        const kill = () =>
          queryOnce(
            DIRECT,
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [dbName],
          );
        const { rowCount: killed } = await kill();
        expect(killed).toBeGreaterThan(0);
        expect(failed(await counted(burst()))).toEqual([]);
        // Killed again while a burst is in flight: reads are sent again and succeed; a write whose
        // connection died under it may have committed or not, so it is not sent again but answered
        // 503 (retryable; with an Idempotency-Key, safely). Never a 500, and nothing runs twice.
        const [during] = await Promise.all([counted(burst()), kill()]);
        const unsure = during.filter((r, i) => isCreate(i) && r.status === 503).length;
        expect(failed(during.filter((r, i) => !(isCreate(i) && r.status === 503)))).toEqual([]);
        expect(failed(await counted(burst()))).toEqual([]);
        const { rows } = await queryOnce<{ n: number }>(
          url,
          'SELECT count(*)::int AS n FROM tasks WHERE user_id = $1',
          [user],
        );
        expect(rows[0].n).toBeGreaterThanOrEqual(created);
        expect(rows[0].n).toBeLessThanOrEqual(created + unsure);
      } finally {
        await app.close();
      }
    });
  });
});
