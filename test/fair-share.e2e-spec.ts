import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { as, createTestApp, useTestApp } from './helpers/app.js';
import { Database } from '../src/database/database.js';
import { startServerProcess, stopServerProcesses, type ServerProcess } from './helpers/server-process.js';
import { newUser, tokenFor } from './helpers/tokens.js';

// The pool's connections shared fairly (src/database/fair-share.ts): counted in pg_stat_activity
// while a lock this test holds keeps every statement on tasks waiting, with its connection.

/** The statements of the backends `pids` (all the app's when null) waiting on a lock, each holding a connection. */
const BLOCKED = `SELECT pid, query FROM pg_stat_activity
  WHERE wait_event_type = 'Lock' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
    AND application_name LIKE 'tasks-api%' AND ($1::int[] IS NULL OR pid = ANY($1))`;

/**
 * The backends of the app's primary pool (DB_POOL_MAX of them, all made by asking for that many at
 * once): other test files' apps share the database, and this test's lock holds their statements too.
 */
async function poolPids(db: DataSource, max: number): Promise<number[]> {
  const rows = await Promise.all(
    Array.from({ length: max }, () =>
      db.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid, pg_sleep(0.3)').then(([r]) => r.pid),
    ),
  );
  expect(new Set(rows).size).toBe(max);
  return rows;
}

/** A session of the test's own that holds an ACCESS EXCLUSIVE lock on tasks until `release()`. */
async function lockTasks(): Promise<{ watcher: pg.Client; release: () => Promise<void> }> {
  const holder = new pg.Client({ connectionString: process.env.E2E_DIRECT_DATABASE_URL });
  const watcher = new pg.Client({ connectionString: process.env.E2E_DIRECT_DATABASE_URL });
  await Promise.all([holder.connect(), watcher.connect()]);
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
  let released = false;
  return {
    watcher,
    release: async () => {
      if (released) return;
      released = true;
      await holder.query('COMMIT');
      await Promise.all([holder.end(), watcher.end()]);
    },
  };
}

/** The blocked statements of `pids` once there are at least `n` (after 10 s: whatever there are). */
async function blocked(
  watcher: pg.Client,
  n: number,
  pids: number[] | null = null,
): Promise<{ pid: number; query: string }[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const { rows } = await watcher.query<{ pid: number; query: string }>(BLOCKED, [pids]);
    if (rows.length >= n || Date.now() > until) return rows;
    await sleep(20);
  }
}

/**
 * The app's pool reaches PostgreSQL directly, even in a run through PgBouncer: the test tells the
 * app's statements apart by their server backend, and a transaction-mode pooler hands each
 * transaction whichever backend is free, another test file's app's too (a cancel meant for one of
 * this app's statements would then end another file's request).
 */
const DIRECT = { DATABASE_URL: process.env.E2E_DIRECT_DATABASE_URL, DB_POOL_MODE: 'session' } as const;

describe('the pool shared fairly (DB_POOL_MAX=4)', () => {
  // The reminder sweep (a transaction on this pool every REMINDER_TICK_MS) and the delivery sender's
  // claims (every DELIVERY_TICK_MS) would hold one of the four
  // connections now and then: the counts below are of the users' statements alone.
  const t = useTestApp({
    ...DIRECT,
    DB_POOL_MAX: '4',
    DB_CONNECT_TIMEOUT_MS: '20000',
    REMINDER_TICK_MS: '60000',
    DELIVERY_TICK_MS: '60000',
  });

  it('lets one user alone use every connection, for reads too', async () => {
    const user = newUser();
    const pids = await poolPids(t.db, 4);
    const lock = await lockTasks();
    try {
      const reads = Array.from({ length: 6 }, () => as(t.app, user).get('/api/tasks/stats'));
      const running = Promise.all(reads.map((r) => r.then((res) => res.status)));
      expect((await blocked(lock.watcher, 4, pids)).length).toBe(4);
      await lock.release();
      expect(await running).toEqual([200, 200, 200, 200, 200, 200]);
    } finally {
      await lock.release();
    }
  });

  it("gives a reader their share while another user's burst of writes waits for connections", async () => {
    const writer = newUser();
    const reader = newUser();
    const pids = await poolPids(t.db, 4);
    const lock = await lockTasks();
    try {
      // The writer's twelve creates: four hold the pool's connections, eight wait for one.
      const writes = Array.from({ length: 12 }, (_, i) =>
        as(t.app, writer)
          .post('/api/tasks')
          .send({ title: `burst ${i}` })
          .then((res) => res.status),
      );
      expect((await blocked(lock.watcher, 4, pids)).length).toBe(4);
      // Then the reader's four; they wait behind the writer's eight.
      const reads = Array.from({ length: 4 }, () =>
        as(t.app, reader)
          .get('/api/tasks/stats')
          .then((res) => res.status),
      );
      await sleep(300);
      // Two of the writer's statements end (cancelled: 503): both connections go to the reader,
      // who holds none, not to the writer's earlier waiters.
      const first = await lock.watcher.query<{ pid: number; query: string }>(BLOCKED, [pids]);
      expect(first.rows.every((r) => !r.query.includes('overdue'))).toBe(true);
      for (const { pid } of first.rows.slice(0, 2))
        await lock.watcher.query('SELECT pg_cancel_backend($1)', [pid]);
      await sleep(300);
      const now = await blocked(lock.watcher, 4, pids);
      expect(now.filter((r) => r.query.includes('overdue')).length).toBe(2);
      expect(now.filter((r) => !r.query.includes('overdue')).length).toBe(2);
      await lock.release();
      expect(await Promise.all(reads)).toEqual([200, 200, 200, 200]);
      const statuses = await Promise.all(writes);
      expect(statuses.filter((s) => s === 503)).toHaveLength(2);
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    } finally {
      await lock.release();
    }
  });

  it('answers 503 problem+json, not a 500, to a statement after the pool closed', async () => {
    const app = await createTestApp({
      ...DIRECT,
      DB_POOL_MAX: '2',
      REMINDER_TICK_MS: '60000',
      DELIVERY_TICK_MS: '60000',
    });
    try {
      app.get(Database).beforeApplicationShutdown();
      const res = await as(app, newUser()).get('/api/tasks/stats');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      await app.close();
    }
  });
});

/** Sends a request and leaves once its body is sent (the client goes away; the server's handler goes on). */
function abandoned(url: string, method: string, auth: string, body?: unknown): () => void {
  const req = httpRequest(url, {
    method,
    headers: { Authorization: auth, ...(body ? { 'Content-Type': 'application/json' } : {}) },
  });
  req.on('error', () => undefined);
  req.end(body ? JSON.stringify(body) : undefined);
  return () => req.destroy();
}

describe('SIGTERM with statements waiting for a connection (DB_POOL_MAX=2)', () => {
  let server: ServerProcess;
  afterAll(stopServerProcesses);
  beforeAll(async () => {
    server = await startServerProcess({
      SHUTDOWN_GRACE_MS: '10000',
      DB_POOL_MAX: '2',
      REMINDER_TICK_MS: '60000',
      DELIVERY_TICK_MS: '60000',
    });
  });

  it('lets the handlers of clients that left finish before the pool closes, without an error logged', async () => {
    const user = newUser();
    const auth = `Bearer ${tokenFor(user)}`;
    const lock = await lockTasks();
    try {
      // Two reads hold both connections; a create waits for one. All three clients leave.
      const leave = [
        abandoned(`${server.url}/api/tasks/stats`, 'GET', auth),
        abandoned(`${server.url}/api/tasks/stats`, 'GET', auth),
      ];
      // (This database is shared: other files' statements may be held too; the waits make up for that.)
      expect((await blocked(lock.watcher, 2)).length).toBeGreaterThanOrEqual(2);
      await sleep(300);
      leave.push(abandoned(`${server.url}/api/tasks`, 'POST', auth, { title: 'queued at SIGTERM' }));
      await sleep(300);
      leave.forEach((go) => go());
      await sleep(100);
      // No client connection is left: the HTTP server closes at once; the handlers still run.
      server.child.kill('SIGTERM');
      await sleep(500);
      await lock.release();
      expect(await server.exited).toBe(0);
      const check = new pg.Client({ connectionString: process.env.E2E_DIRECT_DATABASE_URL });
      await check.connect();
      try {
        const { rows } = await check.query('SELECT title FROM tasks WHERE user_id = $1', [user]);
        expect(rows).toEqual([{ title: 'queued at SIGTERM' }]);
      } finally {
        await check.end();
      }
      expect(server.output()).not.toMatch(/"level":50/);
      expect(server.output()).not.toMatch(/Cannot use a pool/);
    } finally {
      await lock.release();
    }
  });
});
